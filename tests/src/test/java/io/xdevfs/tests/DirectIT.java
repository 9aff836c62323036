package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** storage_type = direct: backing descriptors really are O_DIRECT, odd sizes verify, and a refusing filesystem is named. */
@ExtendWith(NoLeftovers.class)
class DirectIT {
    private static final int O_DIRECT = 040000;

    @Test
    void backingFilesAreOpenWithODirectAndUnalignedWritesVerify() throws Exception {
        try (Mounted fs = Mounted.start(List.of("storage_type = direct"))) {
            try (FileChannel ch = FileChannel.open(fs.path("held"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap("x".repeat(5000).getBytes()));
                int flags = Integer.parseInt(MountOptionsIT.backingFlags(fs, "held"), 8);
                assertEquals(O_DIRECT, flags & O_DIRECT, "O_DIRECT on the backing descriptor");
            }
            assertEquals(5000, Files.size(fs.base.resolve("held")), "the padded block was cut back");
            Run fio = Run.of("fio", "--verify_state_save=0", "--name=odd", "--directory=" + fs.mnt, "--size=8M",
                    "--rw=randwrite", "--bsrange=100-70000", "--bs_unaligned=1", "--ioengine=psync", "--numjobs=2",
                    "--verify=crc32c", "--do_verify=1", "--verify_fatal=1", "--group_reporting");
            assertEquals(0, fio.exit(), fio.output());
        }
    }

    @Test
    void aFilesystemRefusingODirectIsRefusedWithTheReason() throws Exception {
        Path root = TestDirs.create();
        Path base = Files.createDirectories(root.resolve("base"));
        Files.createDirectories(root.resolve("mnt"));
        Run.ok("mount", "-t", "ramfs", "xdevfs-it", base.toString());
        try {
            Files.write(root.resolve("x.ini"), List.of("[local]", "base_directory = " + base, "storage_type = direct"));
            List<String> cmd = new ArrayList<>(Mounted.javaCommand());
            cmd.addAll(List.of("mount", "--foreground", "--config", root.resolve("x.ini").toString(),
                    root.resolve("mnt").toString()));
            Run r = Run.in(null, cmd);
            assertEquals(1, r.exit(), r.output());
            assertTrue(r.output().contains("refuses O_DIRECT"), r.output());
            assertEquals(1, Run.of("findmnt", "-n", "--mountpoint", root.resolve("mnt").toString()).exit());
        } finally {
            Run.ok("umount", base.toString());
        }
    }
}
