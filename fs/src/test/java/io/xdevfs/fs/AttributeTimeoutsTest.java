package io.xdevfs.fs;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.session.AttributeTimeouts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which replies get an attribute timeout, written where the kernel reads it. */
class AttributeTimeoutsTest {
    private static final int LOOKUP = 1;
    private static final int GETATTR = 3;
    private static final int SETATTR = 4;
    private static final int LINK = 13;
    private static final int READ = 15;
    private static final int ENTRY_OUT = 128;
    private static final int ATTR_OUT = 104;
    private final MemoryIO memory = MemoryIO.getInstance();
    private final List<Long> allocated = new ArrayList<>();
    private final AttributeTimeouts timeouts = new AttributeTimeouts(1500);

    @AfterEach
    void free() {
        allocated.forEach(memory::freeMemory);
    }

    private long alloc(int size) {
        long at = memory.allocateMemory(size, true);
        allocated.add(at);
        return at;
    }

    private void request(int opcode, long unique) {
        long at = alloc(40);
        memory.putInt(at, 40);
        memory.putInt(at + 4, opcode);
        memory.putLong(at + 8, unique);
        timeouts.answer(3, at, 40);
    }

    /** A reply (header + argument) as libfuse hands it to send: two iovecs. Returns the argument's address. */
    private long reply(long unique, int error, int argSize, long attrAt, int mode, int nlink) {
        long arg = alloc(argSize);
        long header = alloc(16);
        memory.putInt(header, 16 + argSize);
        memory.putInt(header + 4, error);
        memory.putLong(header + 8, unique);
        if (attrAt == 40) {
            memory.putLong(arg, 77); // an entry's nodeid (an attr_out starts with attr_valid)
        }
        memory.putInt(arg + attrAt + 60, mode);
        memory.putInt(arg + attrAt + 64, nlink);
        long iov = alloc(32);
        memory.putAddress(iov, header);
        memory.putLong(iov + 8, 16);
        memory.putAddress(iov + 16, arg);
        memory.putLong(iov + 24, argSize);
        timeouts.replying(iov, 2);
        return arg;
    }

    @Test
    void aFileWithOneNameAndADirectoryAreCachedForTheTimeout() {
        request(LOOKUP, 10);
        long entry = reply(10, 0, ENTRY_OUT, 40, 0100644, 1);
        assertEquals(1, memory.getLong(entry + 24), "entry_out.attr_valid");
        assertEquals(500_000_000, memory.getInt(entry + 36), "entry_out.attr_valid_nsec");
        request(GETATTR, 11);
        long dir = reply(11, 0, ATTR_OUT, 16, 0040755, 7);
        assertEquals(1, memory.getLong(dir));
        assertEquals(500_000_000, memory.getInt(dir + 8));
        request(GETATTR, 12);
        long unlinked = reply(12, 0, ATTR_OUT, 16, 0100600, 0);
        assertEquals(1, memory.getLong(unlinked), "an unlinked open file has no other name either");
    }

    @Test
    void aHardLinkedFileAnErrorANegativeEntryAndOtherRepliesAreLeftAlone() {
        request(LINK, 20);
        long linked = reply(20, 0, ENTRY_OUT, 40, 0100644, 2);
        assertEquals(0, memory.getLong(linked + 24));
        request(GETATTR, 21);
        long symlinkWithTwoNames = reply(21, 0, ATTR_OUT, 16, 0120777, 2);
        assertEquals(0, memory.getLong(symlinkWithTwoNames));
        request(GETATTR, 22);
        long failed = reply(22, -2, ATTR_OUT, 16, 0100644, 1);
        assertEquals(0, memory.getLong(failed));
        request(LOOKUP, 23);
        long negative = alloc(ENTRY_OUT);
        long header = alloc(16);
        memory.putLong(header + 8, 23);
        long iov = alloc(32);
        memory.putAddress(iov, header);
        memory.putAddress(iov + 16, negative);
        memory.putLong(iov + 24, ENTRY_OUT);
        timeouts.replying(iov, 2);
        assertEquals(0, memory.getLong(negative + 24), "a negative entry (nodeid 0) keeps libfuse's timeouts");
        request(READ, 24);
        long read = reply(24, 0, ATTR_OUT, 16, 0100644, 1);
        assertEquals(0, memory.getLong(read), "a READ reply carries data, not attributes");
        request(GETATTR, 25);
        long otherUnique = reply(26, 0, ATTR_OUT, 16, 0100644, 1);
        assertEquals(0, memory.getLong(otherUnique), "a reply to another request");
    }

    /** A SETATTR a hook answered leaves no reply here; libfuse's next send may be FORGET's, of no iovec at all. */
    @Test
    void aRequestAnsweredElsewhereThenANoReplySendIsHarmless() {
        request(SETATTR, 30);
        timeouts.replying(0, 0); // would read address 0 if it looked
        request(LOOKUP, 31);
        request(READ, 32);
        long read = reply(32, 0, ATTR_OUT, 16, 0100644, 1);
        assertEquals(0, memory.getLong(read), "a reply to another request than the LOOKUP waited for");
    }
}
