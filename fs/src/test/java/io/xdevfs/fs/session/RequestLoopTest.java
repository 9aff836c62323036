package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.posix.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request loop against a device played in memory: threads as libfuse's multi-threaded loop makes
 * them, an unmount that ends the loop only after the requests in progress, errors, and readers that
 * never wake.
 */
@Timeout(60)
class RequestLoopTest {
    private static final int WRITE = 16;
    private static final int FORGET = 2;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    /** Requests queued by the test; an unmount wakes every reader with 0, as ENODEV does. */
    private static final class Device implements RequestLoop.Requests {
        final BlockingQueue<Integer> queue = new LinkedBlockingQueue<>();
        final AtomicBoolean unmounted = new AtomicBoolean();
        final AtomicBoolean exited = new AtomicBoolean();
        final AtomicInteger inProcess = new AtomicInteger();
        final AtomicInteger mostInProcess = new AtomicInteger();
        final List<Integer> processed = Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile boolean wakeOnUnmount = true;
        /** Set once the loop has returned (the session is then torn down): no call may reach it after. */
        final AtomicBoolean tornDown = new AtomicBoolean();
        final AtomicInteger callsAfterTeardown = new AtomicInteger();

        @Override
        public int read(long buf, long size) {
            try {
                while (true) {
                    if (unmounted.get() && wakeOnUnmount) {
                        return 0;
                    }
                    Integer opcode = queue.poll(5, TimeUnit.MILLISECONDS);
                    if (opcode != null) {
                        if (opcode < 0) {
                            return opcode;
                        }
                        MEMORY.putInt(buf + 4, opcode);
                        return 40;
                    }
                }
            } catch (InterruptedException e) {
                return -Errno.EINTR;
            }
        }

        @Override
        public void process(long buf, int length) {
            int now = inProcess.incrementAndGet();
            mostInProcess.accumulateAndGet(now, Math::max);
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            processed.add(MEMORY.getInt(buf + 4));
            inProcess.decrementAndGet();
        }

        @Override
        public boolean ended() {
            afterTeardown();
            return exited.get();
        }

        @Override
        public void end() {
            afterTeardown();
            exited.set(true);
        }

        private void afterTeardown() {
            if (tornDown.get()) {
                callsAfterTeardown.incrementAndGet();
            }
        }
    }

    /** A multi-threaded loop over {@code device}, run on a thread of its own as the daemon's session thread. */
    private static final class Running {
        final RequestLoop loop;
        final AtomicInteger result = new AtomicInteger(99);
        final Thread session;

        Running(Device device) {
            loop = new RequestLoop(device, 4096);
            session = new Thread(() -> result.set(loop.runMultithreaded()));
            session.start();
        }
    }

    private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(2);
        }
    }

    @Test
    void aThreadStartsWheneverEveryThreadIsBusyAndTheUnmountWaitsForRequestsInProgress() throws Exception {
        Device device = new Device();
        device.gate = new CountDownLatch(1);
        Running running = new Running(device);
        RequestLoop loop = running.loop;
        Thread session = running.session;
        for (int i = 0; i < 6; i++) {
            device.queue.add(WRITE);
        }
        until(() -> device.inProcess.get() == 6);
        assertEquals(7, loop.threadsStarted(), "six busy threads and one free to read");

        device.unmounted.set(true);
        device.exited.set(true);
        session.join(300);
        assertTrue(session.isAlive(), "the loop waits for the six requests in progress");
        device.gate.countDown();
        session.join(10_000);
        assertEquals(0, running.result.get());
        assertEquals(6, device.processed.size());
    }

    @Test
    void forgetsTakeNoThreadAndFreeThreadsBeyondTenEnd() throws Exception {
        Device device = new Device();
        device.gate = new CountDownLatch(1);
        Running running = new Running(device);
        RequestLoop loop = running.loop;
        Thread session = running.session;
        for (int i = 0; i < 20; i++) {
            device.queue.add(WRITE);
        }
        until(() -> device.inProcess.get() == 20);
        assertEquals(21, loop.threadsStarted());
        device.gate.countDown();
        until(() -> device.processed.size() == 20);

        // Eleven free threads at most stay; a burst of FORGETs (no reply, no thread taken) starts none.
        device.gate = new CountDownLatch(1);
        for (int i = 0; i < 5; i++) {
            device.queue.add(FORGET);
        }
        until(() -> device.inProcess.get() == 5);
        assertEquals(21, loop.threadsStarted(), "FORGETs start no thread");
        device.gate.countDown();
        until(() -> device.processed.size() == 25);

        device.unmounted.set(true);
        session.join(10_000);
        assertEquals(0, running.result.get());
        assertEquals(20, device.mostInProcess.get());
    }

    @Test
    void aReadErrorEndsTheSessionWithAFailure() throws Exception {
        Device device = new Device();
        Running running = new Running(device);
        Thread session = running.session;
        device.queue.add(WRITE);
        until(() -> device.processed.size() == 1);
        device.queue.add(-Errno.EIO);
        session.join(10_000);
        assertEquals(-1, running.result.get());
        assertTrue(device.exited.get(), "the session was ended");

        Device single = new Device();
        single.queue.add(WRITE);
        single.queue.add(-Errno.EINTR);
        single.queue.add(WRITE);
        single.queue.add(-Errno.EIO);
        assertEquals(-1, new RequestLoop(single, 4096).runSingle());
        assertEquals(List.of(WRITE, WRITE), single.processed, "EINTR reads again");
    }

    @Test
    void readersThatNeverWakeAreLeftAfterAMoment() throws Exception {
        Device device = new Device();
        device.wakeOnUnmount = false;
        Running running = new Running(device);
        RequestLoop loop = running.loop;
        Thread session = running.session;
        device.queue.add(WRITE);
        until(() -> device.processed.size() == 1);
        device.exited.set(true); // ended without an unmount: the readers stay blocked
        device.queue.add(WRITE); // one reader answers it (as libfuse's would), then sees the end
        session.join(10_000);
        assertTrue(!session.isAlive(), "the loop ended with a reader still blocked");
        assertEquals(0, running.result.get());
        assertEquals(2, device.processed.size());
        assertEquals(2, loop.threadsStarted());

        device.tornDown.set(true);
        device.unmounted.set(true); // the teardown's unmount wakes the reader left behind
        device.wakeOnUnmount = true;
        Thread.sleep(200);
        assertEquals(0, device.callsAfterTeardown.get(), "the reader left the torn-down session alone");
    }
}
