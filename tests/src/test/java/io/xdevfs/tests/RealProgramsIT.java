package io.xdevfs.tests;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real programs on the mount: cp -a and diff -r, dd and sha256sum, fio with verification, sqlite3. */
class RealProgramsIT extends OneMountPerClass {

    @Test
    void cpArchiveOfATreeDiffsClean() throws Exception {
        Path src = TestDirs.create("xdevfs-tree-");
        Random rnd = new Random(42);
        for (int d = 0; d < 5; d++) {
            Path dir = Files.createDirectories(src.resolve("d" + d).resolve("nested" + d));
            for (int f = 0; f < 20; f++) {
                byte[] bytes = new byte[rnd.nextInt(200_000)];
                rnd.nextBytes(bytes);
                Files.write(dir.resolve("f" + f + ".bin"), bytes);
            }
            Files.createSymbolicLink(dir.resolve("link"), Path.of("f0.bin"));
            Run.ok("chmod", "640", dir.resolve("f1.bin").toString());
        }
        Run.ok("mkfifo", src.resolve("fifo").toString());
        Run.ok("cp", "-a", src.toString(), fs.path("tree").toString());
        // diff cannot compare FIFOs; the find listing below checks their type
        Run diff = Run.of("diff", "-r", "--no-dereference", "-x", "fifo", src.toString(), fs.path("tree").toString());
        assertEquals(0, diff.exit(), diff.output());
        assertEquals(Run.ok("bash", "-c", "cd " + src + " && find . -printf '%p %m %y\\n' | sort"),
                Run.ok("bash", "-c", "cd " + fs.path("tree") + " && find . -printf '%p %m %y\\n' | sort"),
                "names, modes and types survive cp -a");
        Run.ok("rm", "-rf", src.toString());
    }

    /**
     * stress-ng's verifying filesystem stressors, side by side for two seconds: seeks over holes, hole
     * punching, verified writes and reads, renames, directory entries, fallocate, file mappings and
     * extended attributes of open (and unlinked) files. Running them on every type found the defects
     * of 2026-12-06 in docs/semantics.md (f*xattr and fstatfs of unlinked files, SEEK_DATA and syncfs
     * with the writeback cache).
     */
    @Test
    void stressNgFilesystemStressorsPass() throws Exception {
        Path dir = Files.createDirectories(fs.path("stress-ng"));
        List<String> cmd = new java.util.ArrayList<>(List.of("stress-ng", "--temp-path", dir.toString(), "--timeout", "2s",
                "--verify", "--seek", "1", "--fpunch", "1", "--hdd", "1", "--hdd-bytes", "8m", "--rename", "1",
                "--dentry", "1", "--fallocate", "1", "--fallocate-bytes", "8m", "--mmap", "1", "--mmap-file",
                "--mmap-bytes", "4m"));
        if (xattrs()) {
            cmd.addAll(List.of("--xattr", "1"));
        }
        Run r = Run.in(dir, cmd);
        assertEquals(0, r.exit(), r.output());
        assertFalse(r.output().contains("fail:"), r.output());
        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(), "stress-ng left files");
        }
    }

    /** Whether the mount has extended attributes (enable_xattr). */
    boolean xattrs() {
        return true;
    }

    @Test
    void ddThenSha256sumMatchTheSource() throws Exception {
        Path src = fs.root.resolve("dd-source.bin");
        Run.ok("dd", "if=/dev/urandom", "of=" + src, "bs=1M", "count=48", "status=none");
        String want = Run.ok("sha256sum", src.toString()).split(" ")[0];
        Path f = fs.path("dd.bin");
        Run.ok("dd", "if=" + src, "of=" + f, "bs=1M", "conv=fsync", "status=none");
        assertEquals(want, Run.ok("sha256sum", f.toString()).split(" ")[0]);
        if (rawBacking) {
            assertEquals(want, Run.ok("sha256sum", fs.base.resolve("dd.bin").toString()).split(" ")[0]);
        }
        String copy = Run.sh("dd if=" + f + " bs=7777 status=none | sha256sum").split(" ")[0];
        assertEquals(want, copy, "odd-sized reads return the same bytes");
        Run.ok("dd", "if=/dev/zero", "of=" + f, "bs=4k", "seek=3", "count=2", "conv=notrunc,fdatasync", "status=none");
        Run.ok("dd", "if=/dev/zero", "of=" + src, "bs=4k", "seek=3", "count=2", "conv=notrunc", "status=none");
        assertEquals(Run.ok("sha256sum", src.toString()).split(" ")[0], Run.ok("sha256sum", f.toString()).split(" ")[0],
                "zeros at 12K..20K, the rest kept");
        Files.delete(src);
    }

    @Test
    void fioVerifiesRandomWrites() {
        Run fio = Run.of("fio", "--verify_state_save=0", "--name=verify", "--directory=" + fs.mnt, "--size=32M", "--bs=4k",
                "--rw=randwrite", "--ioengine=psync", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1",
                "--fsync=64", "--randrepeat=0");
        assertEquals(0, fio.exit(), fio.output());
        assertTrue(fio.output().contains("err= 0"), fio.output());
        assertFalse(fio.output().contains("verify: bad"), fio.output());
    }

    @Test
    void fioWithFourJobsWritesAndVerifiesConcurrently() {
        Run fio = Run.of("fio", "--verify_state_save=0", "--name=concurrent", "--directory=" + fs.mnt, "--numjobs=4", "--size=16M",
                "--bs=8k", "--rw=randrw", "--ioengine=psync", "--verify=crc32c", "--do_verify=1",
                "--verify_fatal=1", "--group_reporting");
        assertEquals(0, fio.exit(), fio.output());
        assertTrue(fio.output().contains("err= 0"), fio.output());
    }

    @Test
    void sqliteInWalModeKeepsItsIntegrity() {
        Path db = fs.path("app.db");
        String sql = "PRAGMA journal_mode=WAL;"
                + "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
                + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 5000)"
                + " INSERT INTO t(v) SELECT hex(randomblob(64)) FROM n;"
                + "PRAGMA wal_checkpoint(TRUNCATE);"
                + "PRAGMA integrity_check;"
                + "SELECT count(*) FROM t;";
        String out = Run.ok("sqlite3", db.toString(), sql);
        assertEquals("wal\n0|0|0\nok\n5000", out.strip());
    }
}
