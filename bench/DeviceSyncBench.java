import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The block type's append pattern without xdevfs around it: a 170-byte journal write (buffered, exclusive
 * descriptor), an 8 KiB O_DIRECT data write, fdatasync of the device, 1,500 times, 3 rounds. Compare
 * with the same loop in another language to see what a JVM thread adds to one blocking flush.
 * DESTROYS the device's content. Run from the repository root, as root:
 *
 *   java -cp fs/target/xdevfs.jar bench/DeviceSyncBench.java /dev/loopN
 */
public class DeviceSyncBench {
    public static void main(String[] args) throws Exception {
        Posix p = Posix.get();
        int meta = p.openat(Flags.AT_FDCWD, args[0], Flags.O_RDWR | Flags.O_EXCL, 0);
        int data = p.openat(Flags.AT_FDCWD, args[0], Flags.O_RDWR | Flags.O_DIRECT, 0);
        ByteBuffer journal = ByteBuffer.allocateDirect(170);
        ByteBuffer block = ByteBuffer.allocateDirect(8192 + 4096).alignedSlice(4096).limit(8192);
        for (int round = 0; round < 3; round++) {
            long[] sync = new long[1500];
            long t0 = System.nanoTime();
            for (int i = 0; i < sync.length; i++) {
                journal.clear();
                block.clear();
                long n = round * 1500L + i;
                p.pwrite(meta, journal, (128L << 20) + n * 170);
                p.pwrite(data, block, (300L << 20) + n * 8192);
                long before = System.nanoTime();
                p.fsync(meta, true);
                sync[i] = System.nanoTime() - before;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Arrays.sort(sync);
            System.out.printf("round %d: %d appends/s, fdatasync p50 %d us, p99 %d us%n", round + 1,
                    Math.round(sync.length / seconds), sync[750] / 1000, sync[1485] / 1000);
        }
    }
}
