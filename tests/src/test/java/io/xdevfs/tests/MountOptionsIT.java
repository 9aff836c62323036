package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings that change how the mount works: the multithreaded dispatch and use_sync_writes. */
@ExtendWith(NoLeftovers.class)
class MountOptionsIT {

    @Test
    void multithreadedDispatchPassesConcurrentVerifiedWritesAndATreeCopy() throws Exception {
        Mounted fs = Mounted.start(List.of(), "--dispatch", "multi");
        try {
            Run fio = Run.of("fio", "--verify_state_save=0", "--name=mt", "--directory=" + fs.mnt, "--numjobs=4", "--size=8M", "--bs=4k",
                    "--rw=randwrite", "--ioengine=psync", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1",
                    "--group_reporting");
            assertEquals(0, fio.exit(), fio.output());
            Run.ok("cp", "-a", "/usr/share/doc/fio", fs.path("doc").toString());
            Run diff = Run.of("diff", "-r", "/usr/share/doc/fio", fs.path("doc").toString());
            assertEquals(0, diff.exit(), diff.output());
            assertTrue(fs.log().contains("FUSE -o "), "multi runs libfuse's pool, without -s: " + fs.log());
        } finally {
            fs.close();
        }
    }

    @Test
    void useSyncWritesOpensBackingFilesWithODsync() throws Exception {
        Mounted fs = Mounted.start(List.of("use_sync_writes = true"));
        try {
            Path f = fs.path("synced");
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap("durable".getBytes()));
                String flags = backingFlags(fs, "synced");
                int octal = Integer.parseInt(flags, 8);
                assertEquals(010000, octal & 010000, "O_DSYNC on the backing descriptor (flags " + flags + ")");
            }
            assertEquals("durable", Files.readString(fs.base.resolve("synced")));
        } finally {
            fs.close();
        }
    }

    /** The open flags of the daemon's descriptor for a backing file, from /proc/PID/fdinfo. */
    private static String backingFlags(Mounted fs, String name) throws Exception {
        Path target = fs.base.resolve(name);
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + fs.pid() + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(target)) {
                        for (String line : Files.readAllLines(Path.of("/proc/" + fs.pid() + "/fdinfo/" + fd.getFileName()))) {
                            if (line.startsWith("flags:")) {
                                return line.substring(6).strip();
                            }
                        }
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // a descriptor closed while we looked
                }
            }
        }
        throw new AssertionError("the daemon has no descriptor for " + target);
    }
}
