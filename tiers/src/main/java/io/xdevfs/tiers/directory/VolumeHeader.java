package io.xdevfs.tiers.directory;

import io.xdevfs.tiers.StorageType;
import io.xdevfs.tiers.VolumeException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * What a base directory holds, recorded in it: a small text file, {@value #NAME}, at its top, which
 * no name on the mount shows ({@link BaseDirectory#isReserved}). Without it a compressed base mounted
 * as {@code regular} served its chunk log's bytes as file contents, and a write there would have
 * corrupted the log; now such a mount is refused, saying which type the base holds.
 *
 * <pre>
 * xdevfs-volume 1                  magic and format version
 * uuid = 8d6f...                   the volume's id, made once
 * format = raw | compressed        what decides how the backing files are read: the one checked
 * storage_type = compressed        the type it was made with (raw types may be mounted as each other)
 * created_by = xdevfs 0.1.0
 * created = 2026-12-03T22:40:00Z
 * crc32c = 1a2b3c4d                CRC32C of every line above, each with its newline
 * </pre>
 *
 * Version 1 is the first. A base without the file (made before it existed, or empty) is adopted: the
 * file is written for the configured type. A file that fails its checksum or has a newer version is
 * refused, never rewritten.
 */
public final class VolumeHeader {
    public static final String NAME = ".xdevfs-volume";
    private static final String MAGIC = "xdevfs-volume";
    private static final int VERSION = 1;

    /**
     * Checks that the base directory {@code dir} holds what {@code type} reads, writing the header
     * when there is none. Returns the volume's uuid.
     */
    public static String checkOrAdopt(Path dir, StorageType type, String createdBy) throws VolumeException {
        Path file = dir.resolve(NAME);
        Map<String, String> fields;
        try {
            fields = read(file);
        } catch (NoSuchFileException e) {
            if (type.onDiskFormat().equals(NAMES_ONLY) && holdsFiles(dir)) {
                throw new VolumeException("base_directory " + dir + " holds files but no xdevfs volume header: "
                        + "storage_type = hybrid keeps only names there and would show these files empty; give the "
                        + "hybrid an empty base_directory");
            }
            return write(dir, type, createdBy);
        } catch (IOException e) {
            throw new VolumeException("cannot read " + file + ": " + e.getMessage());
        }
        String format = fields.get("format");
        if (!type.onDiskFormat().equals(format)) {
            throw new VolumeException("base_directory " + dir + " holds a " + format + " volume (storage_type = "
                    + fields.get("storage_type") + ", uuid " + fields.get("uuid") + ", made by " + fields.get("created_by")
                    + "), which storage_type = " + type.configName() + " would misread: mount it with storage_type = "
                    + fields.get("storage_type") + ", or give this configuration another base_directory");
        }
        return fields.get("uuid");
    }

    /**
     * Why {@link #checkOrAdopt} would refuse {@code dir} for {@code type}, found without writing
     * anything (for {@code xdevfs config check}); empty when it would mount or adopt it.
     */
    public static Optional<String> problem(Path dir, StorageType type) {
        Path file = dir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty(); // none yet, or no base directory: its own checks report that
        }
        try {
            String format = read(file).get("format");
            return type.onDiskFormat().equals(format) ? Optional.empty() : Optional.of(dir + " holds a " + format
                    + " volume, which storage_type = " + type.configName() + " would misread");
        } catch (IOException e) {
            return Optional.of(file + ": " + e.getMessage());
        }
    }

    /** The on-disk format of a base directory that holds only names (a hybrid's namespace). */
    public static final String NAMES_ONLY = "names";

    private static boolean holdsFiles(Path dir) throws VolumeException {
        try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
            return entries.anyMatch(p -> !p.getFileName().toString().startsWith(".xdevfs"));
        } catch (IOException e) {
            throw new VolumeException("cannot list base_directory " + dir + ": " + e.getMessage());
        }
    }

    /** The header's fields; a damaged or unknown header is an IOException that says so. */
    static Map<String, String> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).startsWith(MAGIC + " ")) {
            throw new IOException("not an xdevfs volume header (no '" + MAGIC + "' line): remove it to adopt the "
                    + "base directory anew");
        }
        int version;
        try {
            version = Integer.parseInt(lines.get(0).substring(MAGIC.length() + 1).strip());
        } catch (NumberFormatException e) {
            throw new IOException("damaged volume header (version '" + lines.get(0) + "')");
        }
        if (version > VERSION) {
            throw new IOException("volume header version " + version + " is newer than this xdevfs reads ("
                    + VERSION + "): use the xdevfs that made it");
        }
        String last = lines.get(lines.size() - 1);
        String body = String.join("\n", lines.subList(0, lines.size() - 1)) + "\n";
        if (!last.equals("crc32c = " + crc(body))) {
            throw new IOException("damaged volume header (checksum mismatch): the base directory is not mounted "
                    + "until it is checked; remove " + NAME + " to adopt it as the configured type");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size() - 1)) {
            int eq = line.indexOf(" = ");
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 3));
            }
        }
        return fields;
    }

    /** Writes a new header atomically and durably (temporary file, fsync, rename, fsync of the directory). */
    private static String write(Path dir, StorageType type, String createdBy) throws VolumeException {
        String uuid = UUID.randomUUID().toString();
        String body = MAGIC + " " + VERSION + "\n" + "uuid = " + uuid + "\n" + "format = " + type.onDiskFormat() + "\n"
                + "storage_type = " + type.configName() + "\n" + "created_by = " + createdBy + "\n"
                + "created = " + Instant.now() + "\n";
        String text = body + "crc32c = " + crc(body) + "\n";
        Path tmp = dir.resolve(NAME + ".tmp");
        try {
            io.xdevfs.tiers.OwnFiles.writeString(tmp, text, io.xdevfs.tiers.OwnFiles.SHARED_FILE);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            throw new VolumeException("cannot write the volume header " + dir.resolve(NAME) + ": " + e.getMessage());
        }
        return uuid;
    }

    private static String crc(String text) {
        CRC32C c = new CRC32C();
        c.update(text.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", c.getValue());
    }

    private VolumeHeader() {
    }
}
