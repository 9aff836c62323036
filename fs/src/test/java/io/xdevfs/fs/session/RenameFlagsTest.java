package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RENAME2 with RENAME_NOREPLACE or RENAME_EXCHANGE becomes the RENAME libfuse2 knows, its flag kept for that request alone. */
class RenameFlagsTest {
    private static final int IN_HEADER = 40;

    /** fuse_in_header, fuse_rename2_in {newdir, flags, padding}, "a\0", "bb\0". */
    private static ByteBuffer rename2(int flags) {
        byte[] names = "a\0bb\0".getBytes(StandardCharsets.US_ASCII);
        int length = IN_HEADER + 16 + names.length;
        ByteBuffer b = ByteBuffer.allocateDirect(length + 64).order(ByteOrder.nativeOrder());
        b.putInt(length).putInt(45).putLong(99).putLong(1).putInt(0).putInt(0).putInt(1234).putInt(0);
        b.putLong(7).putInt(flags).putInt(0).put(names);
        return b.flip();
    }

    private static long address(ByteBuffer b) {
        return MemoryIO.getInstance().getDirectBufferAddress(b);
    }

    @Test
    void noreplaceIsRewrittenIntoARenameOfTheSameNamesAndItsFlagKeptForThatRequest() {
        RenameFlags hook = new RenameFlags(true);
        ByteBuffer b = rename2(Flags.RENAME_NOREPLACE);
        int length = b.remaining();
        assertFalse(hook.answer(-1, address(b), length), "libfuse answers it");
        assertEquals(length - 8, b.getInt(0), "fuse_in_header.len without the flags and padding");
        assertEquals(12, b.getInt(4), "FUSE_RENAME");
        assertEquals(99, b.getLong(8), "the same request");
        assertEquals(7, b.getLong(IN_HEADER), "fuse_rename_in.newdir");
        byte[] names = new byte[5];
        b.get(IN_HEADER + 8, names);
        assertEquals("a\0bb\0", new String(names, StandardCharsets.US_ASCII));
        assertEquals(Flags.RENAME_NOREPLACE, hook.flags());

        ByteBuffer next = ByteBuffer.allocateDirect(IN_HEADER).order(ByteOrder.nativeOrder());
        next.putInt(IN_HEADER).putInt(12).putLong(100).flip(); // a plain RENAME on the same thread
        assertFalse(hook.answer(-1, address(next), IN_HEADER));
        assertEquals(0, hook.flags(), "the flag was that request's alone");
    }

    @Test
    void exchangeIsRewrittenToo() {
        RenameFlags hook = new RenameFlags(true);
        ByteBuffer b = rename2(Flags.RENAME_EXCHANGE);
        assertFalse(hook.answer(-1, address(b), b.remaining()));
        assertEquals(12, b.getInt(4), "FUSE_RENAME");
        assertEquals(Flags.RENAME_EXCHANGE, hook.flags());
    }

    @Test
    void otherFlagsAreAnsweredHereSoTheKernelKeepsAskingForNoreplace() throws Exception {
        Posix posix = Posix.get();
        int devNull = posix.openat(Flags.AT_FDCWD, "/dev/null", Flags.O_WRONLY, 0);
        try {
            RenameFlags hook = new RenameFlags(true);
            for (int flags : new int[] {4, 3, 6}) { // WHITEOUT, NOREPLACE and EXCHANGE, EXCHANGE and WHITEOUT
                ByteBuffer b = rename2(flags);
                assertTrue(hook.answer(devNull, address(b), b.remaining()), "answered EINVAL, not libfuse2's ENOSYS");
                assertEquals(45, b.getInt(4), "left as it was");
                assertEquals(0, hook.flags());
            }
            RenameFlags writeback = new RenameFlags(false); // a writeback-cache mount: no exchange
            ByteBuffer b = rename2(Flags.RENAME_EXCHANGE);
            assertTrue(writeback.answer(devNull, address(b), b.remaining()));
            assertEquals(45, b.getInt(4));
        } finally {
            posix.close(devNull);
        }
    }
}
