package io.xdevfs.tests;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The inode numbers a program sees are xdevfs's own file ids: the same after a rename, a remount and
 * a copy of the base directory with its attributes, never the backing filesystem's, and the
 * attribute that holds them never shows.
 */
@ExtendWith(NoLeftovers.class)
class FileIdentityIT {

    private static String inodes(Path mnt, String... names) {
        StringBuilder out = new StringBuilder();
        for (String n : names) {
            out.append(n).append('=').append(Run.ok("stat", "-c", "%i", mnt.resolve(n).toString()).strip()).append(' ');
        }
        return out.toString().strip();
    }

    @ParameterizedTest(name = "storage_type = {0}")
    @ValueSource(strings = {"regular", "compressed"})
    void inodeNumbersSurviveRenameRemountAndACopy(String type) throws Exception {
        Mounted fs = Mounted.start(List.of("storage_type = " + type));
        String before;
        long backingIno;
        try {
            Files.createDirectory(fs.path("dir"));
            Files.writeString(fs.path("wal"), "log");
            before = inodes(fs.mnt, "dir", "wal");
            Run.ok("mv", fs.path("wal").toString(), fs.path("dir/wal").toString());
            assertEquals(before.replace("wal=", "dir/wal="), inodes(fs.mnt, "dir", "dir/wal"));
            backingIno = (Long) Files.getAttribute(fs.base.resolve("dir/wal"), "unix:ino");
            String shown = Run.ok("stat", "-c", "%i", fs.path("dir/wal").toString()).strip();
            assertNotEquals(Long.toString(backingIno), shown, "the kernel sees xdevfs's id, not the backing inode");
            assertEquals("[]", Py.eval(fs.mnt, "print([n for n in os.listxattr(d + '/dir/wal') + os.listxattr(d) "
                    + "if 'xdevfs' in n])"), "the id's attribute never shows");
            assertEquals("EPERM", Py.errno(fs.mnt, "os.setxattr(d + '/dir/wal', 'user.xdevfs.id', b'12345678')"));
        } finally {
            fs.close();
        }
        Mounted again = Mounted.startOn(fs.root);
        try {
            assertEquals(before.replace("wal=", "dir/wal="), inodes(again.mnt, "dir", "dir/wal"), "after a remount");
        } finally {
            again.close();
        }
        Path copy = TestDirs.create("xdevfs-it-copy-");
        try {
            Files.createDirectory(copy.resolve("mnt"));
            Run.ok("cp", "-a", fs.base.toString(), copy.resolve("base").toString());
            Files.writeString(copy.resolve("xdevfs.ini"), Files.readString(fs.root.resolve("xdevfs.ini"))
                    .replace(fs.base.toString(), copy.resolve("base").toString()));
            Mounted copied = Mounted.startOn(copy);
            try {
                assertEquals(before.replace("wal=", "dir/wal="), inodes(copied.mnt, "dir", "dir/wal"), "in a copy");
            } finally {
                copied.close();
            }
        } finally {
            Run.ok("rm", "-rf", copy.toString(), fs.root.toString());
        }
    }
}
