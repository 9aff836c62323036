package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The volume contract on storage_type = tmpfs with backups and an intent log (every change logged). */
class TmpfsIntentLogVolumeContractTest extends TmpfsVolumeContractTest {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        return super.configure(defaults).withTmpfs(new TmpfsSettings(false, "", true, 3600, tmp.resolve("backup"),
                tmp.resolve("log"), 32L << 20));
    }

    /**
     * A failed force of the log is not the sync's answer while a checkpoint can take the sync's bytes
     * (the copy syncs itself, and the log works again after it); one that fails again within the retry
     * interval is, since each try copies the whole tier. Never a success without a durable copy.
     */
    @Override
    @Test
    void anIoErrorOfFsyncIsReportedNeverSwallowed() throws Exception {
        Random rnd = new Random(6);
        try (Content c = volume.create("/f", Flags.O_RDWR, 0644, null)) {
            write(c, random(rnd, 80_000), 0);
            posix.fail("fsync", Errno.EIO);
            c.sync(false); // through a checkpoint
            posix.fail("fsync", Errno.EIO);
            write(c, random(rnd, 80_000), 0);
            PosixException e = assertThrows(PosixException.class, () -> c.sync(false));
            assertEquals(Errno.EIO, e.errno(), e.getMessage());
            posix.clearFaults();
        } catch (IOException e) {
            if (!(e instanceof PosixException p) || p.errno() != Errno.EIO) {
                throw e; // a close may report the failure again, but only that one
            }
        }
    }
}
