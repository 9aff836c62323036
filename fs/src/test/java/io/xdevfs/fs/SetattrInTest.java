package io.xdevfs.fs;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.session.SetattrIn;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.MetadataChange;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SetattrInTest {
    private final MemoryIO memory = MemoryIO.getInstance();

    private long body(int valid) {
        long at = memory.allocateMemory(88, true);
        memory.putInt(at, valid);
        memory.putLong(at + 32, 1000);
        memory.putLong(at + 40, 2000);
        memory.putInt(at + 56, 7);
        memory.putInt(at + 60, 9);
        memory.putInt(at + 68, 0100644);
        memory.putInt(at + 76, 65534);
        memory.putInt(at + 80, 100);
        return at;
    }

    @Test
    void eachFlagSelectsItsChangeAndNowAndOmitAreKept() {
        long all = body(SetattrIn.FATTR_MODE | SetattrIn.FATTR_UID | SetattrIn.FATTR_GID | SetattrIn.FATTR_ATIME
                | SetattrIn.FATTR_MTIME | SetattrIn.FATTR_MTIME_NOW);
        assertEquals(List.of(new MetadataChange.Mode(0644), new MetadataChange.Owner(65534, 100),
                new MetadataChange.Times(1000, 7, 2000, Flags.UTIME_NOW)), SetattrIn.changes(memory, all));
        long gidOnly = body(SetattrIn.FATTR_GID | SetattrIn.FATTR_MTIME);
        assertEquals(List.of(new MetadataChange.Owner(-1, 100), new MetadataChange.Times(1000, Flags.UTIME_OMIT, 2000, 9)),
                SetattrIn.changes(memory, gidOnly));
        assertEquals(List.of(), SetattrIn.changes(memory, body(1 << 3))); // a size change is not ours
        memory.freeMemory(all);
        memory.freeMemory(gidOnly);
    }

    @Test
    void attrOutHasTheKernelsLayout() {
        Stat st = new Stat();
        st.ino = 42;
        st.size = 5000;
        st.mode = 0100600;
        st.nlink = 0;
        st.uid = 7;
        st.mtimeSec = 99;
        st.mtimeNsec = 5;
        ByteBuffer out = ByteBuffer.allocate(104).order(ByteOrder.nativeOrder());
        SetattrIn.putAttrOut(out, st);
        assertEquals(104, out.position());
        assertEquals(42, out.getLong(16));
        assertEquals(5000, out.getLong(24));
        assertEquals(99, out.getLong(48));
        assertEquals(5, out.getInt(68));
        assertEquals(0100600, out.getInt(76));
        assertEquals(0, out.getInt(80));
        assertEquals(7, out.getInt(84));
    }
}
