package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fuse_attr_timeout on a real mount: the kernel keeps the attributes of a file with one name, so
 * repeated stats stop reaching the daemon, while a hard-linked file's attributes stay current through
 * every name, also right after the link that gave it its second name.
 */
@ExtendWith(NoLeftovers.class)
class AttributeTimeoutsIT {
    private static final String STATS = "p = d + '/f'\nopen(p, 'w').write('x')\n"
            + "for i in range(200):\n    os.stat(p)\n";

    private static long getattrs(Mounted fs) {
        return MonitoringIT.stat(fs, "getattr_ops");
    }

    @Test
    void repeatedStatsOfAFileWithOneNameAreAnsweredByTheKernel() throws Exception {
        long cached;
        try (Mounted fs = Mounted.start()) {
            long before = getattrs(fs);
            Py.eval(fs.mnt, STATS);
            cached = getattrs(fs) - before;
        }
        long uncached;
        try (Mounted fs = Mounted.start(List.of("fuse_attr_timeout = 0"))) {
            long before = getattrs(fs);
            Py.eval(fs.mnt, STATS);
            uncached = getattrs(fs) - before;
        }
        assertTrue(uncached >= 200, "without the timeout every stat asks the daemon: " + uncached);
        assertTrue(cached <= 20, "with it the kernel answers: " + cached + " getattr calls for 200 stats");
    }

    @Test
    void aFileLinkedAfterItsAttributesWereCachedShowsChangesThroughItsNewName() throws Exception {
        try (Mounted fs = Mounted.start()) {
            assertEquals("1 3 3 | 2 12 12 0o600 0o600 | 1 21", Py.eval(fs.mnt, "a = d + '/a'\nb = d + '/b'\n"
                    + "open(a, 'w').write('one')\n"
                    + "s = os.stat(a)\nfirst = f'{s.st_nlink} {s.st_size} {os.stat(a).st_size}'\n"
                    + "os.link(a, b)\n"
                    + "with open(b, 'a') as f:\n    f.write('-appended')\n"
                    + "os.chmod(b, 0o600)\n"
                    + "sa, sb = os.stat(a), os.stat(b)\n"
                    + "second = f'{sa.st_nlink} {sa.st_size} {sb.st_size} {oct(sa.st_mode & 0o777)} {oct(sb.st_mode & 0o777)}'\n"
                    + "os.unlink(b)\n"
                    + "with open(a, 'a') as f:\n    f.write('x' * 9)\n"
                    + "sa = os.stat(a)\n"
                    + "print(first, '|', second, '|', sa.st_nlink, sa.st_size)"));
        }
    }
}
