package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.directory.VolumeHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A base directory says what it holds; a mount that would misread it is refused (regression: a compressed base mounted as regular served its log's bytes). */
class VolumeHeaderTest {
    @TempDir
    Path tmp;

    private Volume open(Path base, StorageType type) throws Exception {
        return Volumes.open(LocalConfig.defaults().withBaseDirectory(base).withStorageType(type));
    }

    @Test
    void theHeaderIsWrittenOnceAndNoNameOnTheVolumeReachesIt() throws Exception {
        Path base = tmp.resolve("base");
        try (Volume v = open(base, StorageType.REGULAR)) {
            assertTrue(Files.readString(base.resolve(VolumeHeader.NAME)).startsWith("xdevfs-volume 1\nuuid = "));
            v.create("/f", Flags.O_WRONLY, 0644, null).close();
            assertEquals(List.of("f"), v.readdir("/").stream().map(e -> e.name()).toList());
            DirectoryVolumeTest.assertErrno(Errno.ENOENT, () -> v.getattr("/" + VolumeHeader.NAME));
            DirectoryVolumeTest.assertErrno(Errno.ENOENT, () -> v.unlink("/" + VolumeHeader.NAME));
            DirectoryVolumeTest.assertErrno(Errno.EPERM, () -> v.create("/" + VolumeHeader.NAME, Flags.O_WRONLY, 0644, null));
            DirectoryVolumeTest.assertErrno(Errno.EPERM, () -> v.rename("/f", "/" + VolumeHeader.NAME, 0));
            DirectoryVolumeTest.assertErrno(Errno.EPERM, () -> v.mkdir("/" + VolumeHeader.NAME + ".tmp", 0755, null));
            v.mkdir("/d", 0755, null);
            v.create("/d/" + VolumeHeader.NAME, Flags.O_WRONLY, 0644, null).close(); // only the top is reserved
        }
        String first = Files.readString(base.resolve(VolumeHeader.NAME));
        try (Volume v = open(base, StorageType.SPARSE)) { // raw formats read each other's files
            assertEquals(1, v.readdir("/").stream().filter(e -> e.name().equals("f")).count());
        }
        assertEquals(first, Files.readString(base.resolve(VolumeHeader.NAME)), "adopted once, never rewritten");
    }

    @Test
    void aCompressedBaseMountedAsRegularIsRefused() throws Exception {
        Path base = tmp.resolve("base");
        open(base, StorageType.COMPRESSED).close();
        VolumeException e = assertThrows(VolumeException.class, () -> open(base, StorageType.REGULAR));
        assertTrue(e.getMessage().contains("holds a compressed volume (storage_type = compressed"), e.getMessage());
        assertTrue(e.getMessage().contains("mount it with storage_type = compressed"), e.getMessage());
        open(base, StorageType.COMPRESSED).close();
        VolumeException back = assertThrows(VolumeException.class, () -> {
            Path raw = tmp.resolve("raw");
            open(raw, StorageType.REGULAR).close();
            open(raw, StorageType.COMPRESSED);
        });
        assertTrue(back.getMessage().contains("holds a raw volume"), back.getMessage());
    }

    @Test
    void aDamagedOrNewerHeaderIsRefusedAndKept() throws Exception {
        Path base = tmp.resolve("base");
        open(base, StorageType.REGULAR).close();
        Path header = base.resolve(VolumeHeader.NAME);
        String good = Files.readString(header);
        Files.writeString(header, good.replace("format = raw", "format = rax"));
        VolumeException damaged = assertThrows(VolumeException.class, () -> open(base, StorageType.REGULAR));
        assertTrue(damaged.getMessage().contains("checksum mismatch"), damaged.getMessage());
        assertEquals(good.replace("format = raw", "format = rax"), Files.readString(header), "left for a person to check");
        Files.writeString(header, good.replace("xdevfs-volume 1", "xdevfs-volume 9"));
        VolumeException newer = assertThrows(VolumeException.class, () -> open(base, StorageType.REGULAR));
        assertTrue(newer.getMessage().contains("version 9 is newer"), newer.getMessage());
    }
}
