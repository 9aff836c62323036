package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failed system call says which errno in words a person knows, not only its number. */
class ErrnoMessagesTest {
    @Test
    void aMessageNamesTheErrno() {
        assertEquals("pwrite /cold/42: errno 28 (ENOSPC: no space left on device)",
                new PosixException(Errno.ENOSPC, "pwrite", "/cold/42").getMessage());
        assertEquals("ioctl: errno 200", new PosixException(200, "ioctl", null).getMessage(), "an errno without a name here");
    }

    @Test
    void everyNamedErrnoHasItsOwnDescription() throws Exception {
        Set<String> seen = new HashSet<>();
        for (Field f : Errno.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                String d = Errno.describe(f.getInt(null));
                assertNotNull(d, f.getName());
                assertTrue(d.startsWith(f.getName() + ": "), d);
                assertTrue(seen.add(d), d);
            }
        }
        assertNull(Errno.describe(0));
        assertNull(Errno.describe(-5));
    }
}
