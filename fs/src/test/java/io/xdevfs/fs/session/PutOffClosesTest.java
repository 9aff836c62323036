package io.xdevfs.fs.session;

import io.xdevfs.tiers.Content;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the put-off closes of released passed-through files run. */
class PutOffClosesTest {
    private final AtomicLong now = new AtomicLong();
    private final PutOffCloses closes = new PutOffCloses(now::get);

    /** A released file: records its close; says whether it lost its name while open. */
    private static final class File {
        final Content content;
        boolean closed;

        File(boolean noName) {
            content = (Content) Proxy.newProxyInstance(Content.class.getClassLoader(), new Class<?>[] {Content.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "mayHaveNoName" -> noName;
                        case "close" -> {
                            closed = true;
                            yield null;
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    @Test
    void aCloseWaitsWhileRequestsWaitAndRunsWhenNoneDoes() {
        File f = new File(false);
        closes.release(f.content);
        closes.beforeRead(() -> true);
        assertFalse(f.closed, "a request waits: it goes first");
        closes.beforeRead(() -> false);
        assertTrue(f.closed, "idle: closed");
        assertEquals(0, closes.waiting());
    }

    @Test
    void aCloseWaitsAtMostItsTimeOnABusyMount() {
        File f = new File(false);
        closes.release(f.content);
        now.addAndGet(PutOffCloses.MAX_WAIT_NANOS);
        closes.beforeRead(() -> true);
        assertTrue(f.closed);
    }

    @Test
    void anUnlinkOrRenameWaitsForTheClosesSoThatSpaceIsFreedAtOnce() {
        for (int opcode : new int[] {Opcodes.UNLINK, Opcodes.RENAME, Opcodes.RENAME2}) {
            File f = new File(false);
            closes.release(f.content);
            closes.beforeNameRemoval(Opcodes.LOOKUP);
            closes.beforeNameRemoval(Opcodes.CREATE);
            assertFalse(f.closed, "other requests do not wait");
            closes.beforeNameRemoval(opcode);
            assertTrue(f.closed, "opcode " + opcode);
        }
    }

    @Test
    void aFileThatLostItsNameWhileOpenClosesAtOnce() {
        File f = new File(true);
        closes.release(f.content);
        assertTrue(f.closed, "its close frees its space");
        assertEquals(0, closes.deferred());
    }

    @Test
    void atMostMaxPendingWait() {
        File[] files = new File[PutOffCloses.MAX_PENDING + 1];
        for (int i = 0; i < files.length; i++) {
            files[i] = new File(false);
            closes.release(files[i].content);
        }
        for (File f : files) {
            assertTrue(f.closed);
        }
    }

    @Test
    void whenWaitingCannotBeToldTheClosesRun() {
        File f = new File(false);
        closes.release(f.content);
        closes.beforeRead(() -> {
            throw new IOException("poll failed");
        });
        assertTrue(f.closed);
    }
}
