package io.xdevfs.fs.session;

import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.Content;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Where a WRITE lands, from the flags the kernel sends with it. */
class AppendOffsetsTest {
    private static Content ofSize(long size) {
        return (Content) Proxy.newProxyInstance(Content.class.getClassLoader(), new Class<?>[] {Content.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("size")) {
                        return size;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aWriteWithoutOAppendLandsAtItsOffsetWhateverTheOpenSaid() throws Exception {
        assertEquals(0, AppendOffsets.of(ofSize(100), 0, 0, Flags.O_WRONLY));
    }

    @Test
    void anAppendLandsAtTheKernelsOffsetOrPastWhatOtherNamesWrote() throws Exception {
        assertEquals(100, AppendOffsets.of(ofSize(100), 100, 0, Flags.O_WRONLY | Flags.O_APPEND));
        assertEquals(150, AppendOffsets.of(ofSize(150), 100, 0, Flags.O_WRONLY | Flags.O_APPEND),
                "the kernel's size of this name lags a write through another");
    }

    @Test
    void aWriteOfThePageCacheLandsWhereTheKernelPutIt() throws Exception {
        assertEquals(0, AppendOffsets.of(ofSize(150), 0, AppendOffsets.FUSE_WRITE_CACHE, Flags.O_WRONLY | Flags.O_APPEND));
    }
}
