package io.xdevfs.tiers.block;

import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code xdevfs fsck}: checks a block volume's superblocks, checkpoint, journal, namespace, allocation
 * and every data block's checksum; with {@code repair} it fixes what can be fixed without guessing (a
 * damaged superblock copy, names of missing inodes, link counts, files no name reaches) and writes a
 * checkpoint. Exit codes as e2fsck's: 0 clean, 1 errors corrected, 4 errors left, 8 operational error.
 */
public final class BlockCheck {
    public static final int CLEAN = 0;
    public static final int CORRECTED = 1;
    public static final int UNCORRECTED = 4;
    public static final int OPERATIONAL = 8;

    /** What the check found: lines for the user and the exit code. */
    public record Report(List<String> lines, int exitCode) {
    }

    public static Report check(Posix posix, Path path, boolean repair, boolean allowFile) {
        List<String> lines = new ArrayList<>();
        Device device;
        try {
            device = Device.open(posix, path, true, 4, allowFile);
        } catch (PosixException e) {
            lines.add(path + ": " + DeviceProblems.describe(e.errno()));
            return new Report(lines, OPERATIONAL);
        }
        try (device) {
            return new BlockCheck(device, repair, lines).run();
        } catch (IOException | RuntimeException e) {
            lines.add(path + ": " + e.getMessage());
            return new Report(lines, OPERATIONAL);
        }
    }

    private final Device device;
    private final boolean repair;
    private final List<String> lines;
    private int found;
    private int fixed;

    private BlockCheck(Device device, boolean repair, List<String> lines) {
        this.device = device;
        this.repair = repair;
        this.lines = lines;
    }

    private void problem(String what, boolean fixable) {
        found++;
        if (repair && fixable) {
            fixed++;
            lines.add(what + ": repaired");
        } else {
            lines.add(what + (fixable ? " (fsck --repair fixes it)" : ""));
        }
    }

    private Report run() throws IOException {
        Superblock.Result[] copies = MetaStore.readSuperblocks(device);
        if (copies[0].superblock() == null && copies[1].superblock() == null) {
            lines.add(device.path + ": no valid xdevfs superblock (" + copies[0].problem() + "; " + copies[1].problem()
                    + ")");
            return new Report(lines, OPERATIONAL);
        }
        MetaStore.Replay replay = new MetaStore.Replay();
        MetaStore store;
        try {
            store = MetaStore.load(device, null, replay);
        } catch (IOException e) {
            lines.add(e.getMessage());
            return new Report(lines, UNCORRECTED);
        }
        Superblock sb = store.superblock();
        Geometry g = sb.geometry();
        lines.add(String.format("%s: xdevfs layout %d, generation %d, %d units of %d MiB, files %s, checkpoint %d "
                        + "changes, journal %d operations", device.path, Superblock.VERSION, sb.generation(), g.units(),
                g.unitSize() >> 20, sb.files().isEmpty() ? "not yet written" : sb.files(), replay.checkpointChanges,
                replay.frames));
        for (int copy = 0; copy < 2; copy++) {
            if (copies[copy].superblock() == null) {
                problem("superblock copy " + copy + ": " + copies[copy].problem(), true);
            }
        }
        MetaState state = store.state;
        List<Change> fixes = new ArrayList<>();
        checkNames(state, fixes);
        checkUnits(state, g);
        checkData(state, g);
        if (repair && fixed > 0) {
            fixes.forEach(state::apply);
            store.checkpoint(); // also rewrites the superblock copy not in use
        }
        lines.add(found == 0 ? "clean" : found + " problem(s), " + (repair ? fixed : 0) + " repaired");
        int code = found == 0 ? CLEAN : repair && fixed == found ? CORRECTED : UNCORRECTED;
        return new Report(lines, code);
    }

    private void checkNames(MetaState state, List<Change> fixes) {
        Inode root = state.inode(MetaState.ROOT);
        if (root == null || !root.isDirectory()) {
            problem("the root directory is missing", false);
            return;
        }
        Map<Long, Long> names = new HashMap<>();
        Map<Long, Long> subdirs = new HashMap<>();
        for (Inode dir : state.inodes.values()) {
            for (Map.Entry<String, Long> e : dir.children.entrySet()) {
                Inode child = state.inode(e.getValue());
                if (child == null) {
                    problem("directory " + dir.id + ": name '" + e.getKey() + "' points to missing inode " + e.getValue(),
                            true);
                    fixes.add(new Change.Entry(dir.id, e.getKey(), 0));
                    continue;
                }
                names.merge(child.id, 1L, Long::sum);
                if (child.isDirectory()) {
                    subdirs.merge(dir.id, 1L, Long::sum);
                }
            }
        }
        for (Inode f : state.inodes.values()) {
            if (f.id == MetaState.ROOT) {
                long want = 2 + subdirs.getOrDefault(f.id, 0L);
                if (f.nlink != want) {
                    problem("root: link count " + f.nlink + ", should be " + want, true);
                    fixes.add(BlockVolume.edited(f, c -> c.nlink = want));
                }
                continue;
            }
            long n = names.getOrDefault(f.id, 0L);
            if (n == 0) {
                problem("inode " + f.id + (f.nlink == 0 ? " (unlinked while open)" : "") + " has no name: leaked "
                        + f.mappedUnits() + " unit(s)", true);
                fixes.add(new Change.Delete(f.id));
                continue;
            }
            if (f.isDirectory() && n > 1) {
                problem("directory " + f.id + " has " + n + " names", false);
            }
            long want = f.isDirectory() ? 2 + subdirs.getOrDefault(f.id, 0L) : n;
            if (f.nlink != want) {
                problem("inode " + f.id + ": link count " + f.nlink + ", should be " + want, true);
                fixes.add(BlockVolume.edited(f, c -> c.nlink = want));
            }
        }
    }

    private void checkUnits(MetaState state, Geometry g) {
        Map<Long, Long> owner = new HashMap<>();
        for (Inode f : state.inodes.values()) {
            f.units.forEachFrom(0, (index, unit) -> {
                long u = unit;
                if (u >= g.units()) {
                    problem("inode " + f.id + ": unit " + u + " is past the device's " + g.units(), false);
                }
                Long other = owner.putIfAbsent(u, f.id);
                if (other != null) {
                    problem("unit " + u + " belongs to inode " + other + " and inode " + f.id, false);
                }
            });
        }
    }

    private void checkData(MetaState state, Geometry g) throws IOException {
        ByteBuffer block = ByteBuffer.allocateDirect(2 * Geometry.BLOCK).alignedSlice(Geometry.BLOCK)
                .limit(Geometry.BLOCK);
        long checked = 0;
        long unsettled = 0;
        for (Inode f : state.inodes.values()) {
            for (long b = f.written.nextSetBit(0); b >= 0; b = f.written.nextSetBit(b + 1)) {
                long u = f.unit(b / g.blocksPerUnit());
                if (u < 0 || u >= g.units()) {
                    problem("inode " + f.id + ": block " + b + " has a checksum but no unit", false);
                    continue;
                }
                block.clear();
                device.readData(block, g.blockOffset(u, b));
                int crc = FileBytes.crc(block, 0);
                Long before = f.previous.get(b);
                boolean ok = crc == f.crc(b) || (before != null && (before == Change.UNWRITTEN
                        || before == (crc & 0xffffffffL)));
                if (!ok && state.dirty.get((int) u)) {
                    unsettled++; // an overwrite in a unit dirty at the crash: its bytes stand (docs/block.md)
                } else if (!ok) {
                    problem("inode " + f.id + ": block " + b + " (bytes " + b * Geometry.BLOCK + "-"
                            + (b + 1) * Geometry.BLOCK + ") does not match its checksum: damaged", false);
                }
                checked++;
            }
        }
        lines.add(checked + " data blocks verified");
        if (unsettled > 0) {
            lines.add(unsettled + " overwritten blocks in units dirty at the last crash: the next mount takes their "
                    + "checksums from their bytes");
        }
    }
}
