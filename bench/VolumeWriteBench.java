import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.Volumes;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The storage types without FUSE: 512 MiB of zeros written in 128 KiB writes through the Volume API,
 * then fsync, for each type in turn (interleaved, 3 rounds). Run from the repository root:
 *
 *   java -cp fs/target/xdevfs.jar bench/VolumeWriteBench.java [DIR]
 */
public class VolumeWriteBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/var/tmp");
        int writes = 4096;
        ByteBuffer zeros = ByteBuffer.allocateDirect(128 * 1024);
        for (int round = 1; round <= 3; round++) {
            for (StorageType type : new StorageType[] {StorageType.REGULAR, StorageType.SPARSE, StorageType.COMPRESSED}) {
                Path base = Files.createTempDirectory(dir, "xdevfs-bench-");
                try (Volume v = Volumes.open(LocalConfig.defaults().withBaseDirectory(base).withStorageType(type));
                     Content c = v.create("/zeros", Flags.O_RDWR, 0644, null)) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < writes; i++) {
                        zeros.clear();
                        c.write(zeros, (long) i * zeros.capacity());
                    }
                    long t1 = System.nanoTime();
                    c.sync(false);
                    long t2 = System.nanoTime();
                    System.out.printf("round %d %-8s %6.1f us/write, fsync %5.0f ms, %7.0f MiB/s, %d KiB allocated%n",
                            round, type.configName(), (t1 - t0) / 1e3 / writes, (t2 - t1) / 1e6,
                            writes * 0.125 / ((t2 - t0) / 1e9), c.attributes().blocks / 2);
                    v.unlink("/zeros");
                }
                Files.delete(base);
            }
        }
    }
}
