import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;
import io.xdevfs.tiers.TmpfsSettings;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.Volumes;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The WAL pattern without FUSE: 8 KiB appends each followed by fdatasync, 3,000 per target, on a
 * plain ext4 file, through the regular type's Volume and through a tmpfs Volume with an intent log
 * (base in /dev/shm, backups and log in DIR), rounds interleaved. Prints fdatasync p50/p99 in µs.
 * Run from the repository root as root:
 *
 *   java -cp fs/target/xdevfs.jar bench/SyncLatencyBench.java [DIR]
 */
public class SyncLatencyBench {
    static final int OPS = 3000;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/var/tmp");
        Path work = Files.createTempDirectory(dir, "xdevfs-synclat-");
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "xdevfs-synclat-");
        Volume regular = Volumes.open(LocalConfig.defaults().withBaseDirectory(work.resolve("regular")));
        Volume logged = Volumes.open(LocalConfig.defaults().withBaseDirectory(shm).withStorageType(StorageType.TMPFS)
                .withTmpfs(new TmpfsSettings(false, "", true, 3600, work.resolve("backup"), work.resolve("log"),
                        1L << 30)));
        ByteBuffer data = ByteBuffer.allocateDirect(8192);
        try {
            for (int round = 1; round <= 3; round++) {
                report(round, "native ext4", nativeAppends(work.resolve("native" + round), data));
                report(round, "regular", volumeAppends(regular, "/r" + round, data));
                report(round, "tmpfs+intent log", volumeAppends(logged, "/t" + round, data));
            }
        } finally {
            regular.close();
            logged.close();
        }
    }

    static long[] nativeAppends(Path file, ByteBuffer data) throws Exception {
        long[] t = new long[OPS];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < OPS; i++) {
                ch.write(data.clear(), (long) i * 8192);
                long s = System.nanoTime();
                ch.force(false);
                t[i] = System.nanoTime() - s;
            }
        }
        return t;
    }

    static long[] volumeAppends(Volume v, String name, ByteBuffer data) throws Exception {
        long[] t = new long[OPS];
        try (Content c = v.create(name, Flags.O_WRONLY, 0644, null)) {
            for (int i = 0; i < OPS; i++) {
                c.write(data.clear(), (long) i * 8192);
                long s = System.nanoTime();
                c.sync(true);
                t[i] = System.nanoTime() - s;
            }
        }
        v.unlink(name);
        return t;
    }

    static void report(int round, String target, long[] t) {
        Arrays.sort(t);
        System.out.printf("round %d %-17s fdatasync p50 %4d us  p99 %5d us%n", round, target, t[OPS / 2] / 1000,
                t[OPS * 99 / 100] / 1000);
    }
}
