package io.xdevfs.fs.daemon;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.ForwardingPosix;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.HybridSettings;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DescriptorLimitTest {
    /** An RLIMIT_NOFILE held in memory; raising the hard limit needs {@code mayRaiseHard}. */
    private static final class Limits extends ForwardingPosix {
        long soft;
        long hard;
        final boolean mayRaiseHard;

        Limits(long soft, long hard, boolean mayRaiseHard) {
            super(Posix.get());
            this.soft = soft;
            this.hard = hard;
            this.mayRaiseHard = mayRaiseHard;
        }

        @Override
        public long[] openFileLimit() {
            return new long[] {soft, hard};
        }

        @Override
        public void setOpenFileLimit(long newSoft, long newHard) throws PosixException {
            if (newSoft > newHard || (newHard > hard && !mayRaiseHard)) {
                throw new PosixException(Errno.EPERM, "setrlimit", null);
            }
            soft = newSoft;
            hard = newHard;
        }
    }

    @Test
    void theKernelsCeilingIsReadWhole() {
        assertTrue(DescriptorLimit.nrOpen() >= 1024, "nr_open " + DescriptorLimit.nrOpen());
    }

    private static LocalConfig hybrid() {
        LocalConfig d = LocalConfig.defaults();
        return d.withHybrid(new HybridSettings(d,
                d.withStorageType(StorageType.COMPRESSED), 64L << 20, 0, 60, true, 10, 60, 64L << 20));
    }

    @Test
    void theLimitIsRaisedToWhatMaxOpenFilesNeedsWhereThatIsAllowed() {
        Limits root = new Limits(1024, 4096, true);
        LocalConfig config = hybrid();
        assertSame(config, DescriptorLimit.fit(root, config).config());
        assertEquals(4L * 65536 + DescriptorLimit.HEADROOM, root.soft, "namespace, hot, and a compressed cold tier's two");
        Limits user = new Limits(1024, 1L << 20, false);
        assertSame(config, DescriptorLimit.fit(user, config).config());
        assertEquals(4L * 65536 + DescriptorLimit.HEADROOM, user.soft, "the soft limit up to the hard one");
    }

    /** A container's hard limit of 20,000: a hybrid's bound drops from 65,536 to what fits, its tiers' too. */
    @Test
    void aLimitThatCannotBeRaisedLowersTheBoundOfEveryVolume() {
        Limits container = new Limits(20_000, 20_000, false);
        LocalConfig fitted = DescriptorLimit.fit(container, hybrid()).config();
        int expected = (20_000 - 4096) / 4;
        assertEquals(expected, fitted.maxOpenFiles());
        assertEquals(expected, fitted.hybrid().hot().maxOpenFiles());
        assertEquals(expected, fitted.hybrid().cold().maxOpenFiles());
        assertEquals(20_000, container.soft);
        LocalConfig regular = DescriptorLimit.fit(new Limits(1024, 1024, false), LocalConfig.defaults()).config();
        assertEquals(1024 - 256, regular.maxOpenFiles(), "a quarter of a small limit kept for the JVM");
        LocalConfig compressed = LocalConfig.defaults().withStorageType(StorageType.COMPRESSED);
        assertEquals((1024 - 256) / 2, DescriptorLimit.fit(new Limits(1024, 1024, false), compressed).config().maxOpenFiles(),
                "a compressed file holds two");
        LocalConfig block = LocalConfig.defaults().withStorageType(StorageType.BLOCK);
        assertSame(block, DescriptorLimit.fit(new Limits(1024, 1024, false), block).config(), "a block volume's files hold no descriptors");
    }
}
