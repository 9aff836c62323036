package io.xdevfs.fs;

import io.xdevfs.fs.session.InitReply;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The INIT reply rewrite: FUSE_MAX_PAGES with max_pages and FUSE_DIRECT_IO_ALLOW_MMAP added, minor 23, everything else libfuse2 said kept. */
class InitReplyTest {
    private static final int PAGE = 4096;

    /** libfuse2's reply to a 7.23+ kernel: header, then fuse_init_out of {@code size} bytes. */
    private static ByteBuffer[] reply(int size, int major, int error, int maxWrite) {
        ByteBuffer header = ByteBuffer.allocate(InitReply.HEADER).order(ByteOrder.nativeOrder());
        header.putInt(InitReply.HEADER + size).putInt(error).putLong(0x1234_5678_9abcL).flip();
        ByteBuffer out = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        out.putInt(major).putInt(19).putInt(131072).putInt(0x1b).putShort((short) 12).putShort((short) 9)
                .putInt(maxWrite);
        return new ByteBuffer[] {header, out.position(0).limit(size)};
    }

    private static InitReply.Patched patch(int size, int major, int error, int maxWrite) {
        ByteBuffer[] r = reply(size, major, error, maxWrite);
        return InitReply.extend(r[0], r[1], PAGE, InitReply.Asks.NOTHING);
    }

    @Test
    void addsMaxPagesForTheNegotiatedMaxWriteAndSharedMappingsOfDirectIoFilesAndKeepsTheRest() {
        ByteBuffer[] r = reply(24, 7, 0, 1 << 20);
        InitReply.Patched p = InitReply.extend(r[0], r[1], PAGE, InitReply.Asks.NOTHING);
        ByteBuffer m = p.message().order(ByteOrder.nativeOrder());
        assertEquals(256, p.maxPages());
        assertEquals(InitReply.HEADER + 40, m.remaining(), "extended to carry max_pages and flags2");
        assertEquals(InitReply.HEADER + 40, m.getInt(0), "the header's length follows");
        assertEquals(0x1234_5678_9abcL, m.getLong(8), "same request answered");
        int o = InitReply.HEADER;
        assertEquals(7, m.getInt(o));
        assertEquals(23, m.getInt(o + 4), "libfuse2's minor 19 raised to 23: the kernel sends RENAME2 from there on");
        assertEquals(131072, m.getInt(o + 8));
        assertEquals(0x1b | InitReply.FUSE_MAX_PAGES | InitReply.FUSE_INIT_EXT, m.getInt(o + 12));
        assertEquals(12, m.getShort(o + 16));
        assertEquals(9, m.getShort(o + 18));
        assertEquals(1 << 20, m.getInt(o + 20));
        assertEquals(256, m.getShort(o + 28));
        assertEquals(1L << 36, Integer.toUnsignedLong(m.getInt(o + 32)) << 32, "FUSE_DIRECT_IO_ALLOW_MMAP");
        assertEquals(0, m.getInt(o + 36), "max_stack_depth stays unset");
        assertEquals(0, r[0].position(), "the inputs are not consumed");
    }

    @Test
    void passthroughIsAskedInFlags2WithAStackDepthOfOne() {
        ByteBuffer[] r = reply(24, 7, 0, 1 << 20);
        ByteBuffer m = InitReply.extend(r[0], r[1], PAGE, new InitReply.Asks(true, 0)).message().order(ByteOrder.nativeOrder());
        int o = InitReply.HEADER;
        assertEquals((1L << 36) | (1L << 37), Integer.toUnsignedLong(m.getInt(o + 32)) << 32,
                "FUSE_DIRECT_IO_ALLOW_MMAP and FUSE_PASSTHROUGH");
        assertEquals(1, m.getInt(o + 36), "backing files on filesystems that are not stacked themselves");
        assertEquals(0x1b | InitReply.FUSE_MAX_PAGES | InitReply.FUSE_INIT_EXT, m.getInt(o + 12),
                "no writeback cache, which the kernel does not combine with passthrough");
    }

    @Test
    void theKernelOptionsBecomeInitFlags() {
        io.xdevfs.fs.config.KernelOptions wb = new io.xdevfs.fs.config.KernelOptions(
                io.xdevfs.fs.config.FusePassthrough.AUTO, true, 1000, true, true, false, true, 0);
        InitReply.Asks asks = InitReply.Asks.of(false, wb);
        assertEquals(InitReply.FUSE_HANDLE_KILLPRIV_V2 | InitReply.FUSE_WRITEBACK_CACHE | InitReply.FUSE_PARALLEL_DIROPS
                | InitReply.FUSE_CACHE_SYMLINKS, asks.flags());
        ByteBuffer[] r = reply(24, 7, 0, 1 << 20);
        ByteBuffer m = InitReply.extend(r[0], r[1], PAGE, asks).message().order(ByteOrder.nativeOrder());
        assertEquals(0x1b | InitReply.FUSE_MAX_PAGES | InitReply.FUSE_INIT_EXT | asks.flags(), m.getInt(InitReply.HEADER + 12));
        assertEquals(InitReply.FUSE_ASYNC_DIO, InitReply.Asks.of(true, new io.xdevfs.fs.config.KernelOptions(
                io.xdevfs.fs.config.FusePassthrough.AUTO, false, 0, false, false, true, false, 0)).flags());
    }

    @Test
    void maxPagesRoundsUpAndAFullSizeReplyKeepsItsLength() {
        InitReply.Patched p = patch(64, 7, 0, 131072 + 1);
        assertEquals(33, p.maxPages());
        assertEquals(InitReply.HEADER + 64, p.message().remaining());
        assertEquals(32, patch(24, 7, 0, 131072).maxPages(), "-o max_write=131072 asks for the kernel's old default");
    }

    @Test
    void leavesAnythingElseAlone() {
        assertNull(patch(24, 7, -71, 1 << 20), "an error reply");
        assertNull(patch(24, 8, 0, 1 << 20), "another protocol major");
        assertNull(patch(16, 7, 0, 0), "a pre-7.5 reply without max_write");
    }
}
