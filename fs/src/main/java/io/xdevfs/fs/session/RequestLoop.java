package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.Log;
import io.xdevfs.posix.Errno;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * libfuse2's request loops on Java threads: one thread (fuse_session_loop's), or libfuse's
 * multi-threaded policy (fuse_session_loop_mt's): a new thread whenever no thread is free to read the
 * next request, and a thread that finds more than {@link #MOST_IDLE} others free ends.
 *
 * <p>Not libfuse's fuse_loop_mt, because of how it ends: it pthread_cancels its threads, most of them
 * blocked reading the device inside xdevfs's Java read step, and glibc ends a cancelled thread by
 * jumping straight back to its start, past the Java frames. The JVM still counted those threads as
 * running native code on stacks that were gone, and a garbage collection that walked one crashed the
 * daemon (three times in CI; in 7 of 16 unmounts with the heap verified at exit). Here no thread is
 * cancelled: an unmount wakes every reader with ENODEV, the loop waits for the requests in progress,
 * and gives the readers a moment to leave.
 */
final class RequestLoop {
    /** What the loop needs of a FUSE session. */
    interface Requests {
        /**
         * The next request into {@code buf}: its length; 0 when the mount is gone; -EINTR to read again;
         * another -errno: an error. Best without touching libfuse's session: a read may return after the
         * loop has stopped and the session is gone (libfuse's own receive, used only where xdevfs's
         * channel could not be put in place, does touch it).
         */
        int read(long buf, long size);

        /** Answers the request of {@code length} bytes at {@code buf}. */
        void process(long buf, int length);

        boolean ended();

        void end();
    }

    /** libfuse's bound on free threads. */
    static final int MOST_IDLE = 10;
    /**
     * How long the loop waits, once the session has ended and no request is in progress, for the threads
     * still reading: an unmount wakes them at once; a session that ended on an error leaves them in
     * their reads until the teardown unmounts.
     */
    private static final long READERS_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int FUSE_FORGET = 2;
    private static final int FUSE_BATCH_FORGET = 42;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private final Requests requests;
    private final long bufferSize;
    private final AtomicInteger names = new AtomicInteger();
    private final Object lock = new Object();
    /** Threads free to read a request (libfuse's numavail): FORGETs, which have no reply, do not take one. */
    private int free;
    private int alive;
    private int processing;
    private boolean over;
    private boolean stopping;
    private volatile boolean failed;

    RequestLoop(Requests requests, long bufferSize) {
        this.requests = requests;
        this.bufferSize = bufferSize;
    }

    /** Serves on this thread alone until the session ends: 0 after an unmount, -1 after an error. */
    int runSingle() {
        long buf = MEMORY.allocateMemory(bufferSize, false);
        try {
            while (!requests.ended()) {
                int n = requests.read(buf, bufferSize);
                if (n == -Errno.EINTR) {
                    continue;
                }
                if (n <= 0) {
                    end(n);
                    break;
                }
                requests.process(buf, n);
            }
        } finally {
            MEMORY.freeMemory(buf);
        }
        return failed ? -1 : 0;
    }

    /**
     * Serves on as many threads as requests keep busy until the session ends, then waits for the
     * requests in progress: 0 after an unmount, -1 after an error.
     */
    int runMultithreaded() {
        synchronized (lock) {
            start();
            boolean interrupted = false;
            while (!over || processing > 0) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                stopping = over; // threads that finish a request now leave instead of reading another
            }
            stopping = true;
            long deadline = System.nanoTime() + READERS_GRACE_NANOS;
            for (long left = READERS_GRACE_NANOS; alive > 0 && left > 0; left = deadline - System.nanoTime()) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (alive > 0) {
                Log.info(alive + " FUSE request threads are still reading; the unmount ends their reads");
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return failed ? -1 : 0;
    }

    /** Request threads started so far. */
    int threadsStarted() {
        return names.get();
    }

    /** Request threads there are now (with multi dispatch; the session thread alone counts none). */
    int threadsAlive() {
        synchronized (lock) {
            return alive;
        }
    }

    private void end(int n) {
        if (n < 0) {
            failed = true;
        }
        requests.end();
    }

    /** Under {@link #lock}. */
    private void start() {
        alive++;
        free++;
        Thread thread = new Thread(this::serve, "fuse-request-" + names.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * One request thread. Every call into libfuse's session (ended, end, process) is made while the loop
     * has not stopped, checked under {@link #lock}, which {@link #runMultithreaded} holds when it stops:
     * after that the session may be torn down under a thread that was still reading.
     */
    private void serve() {
        long buf = MEMORY.allocateMemory(bufferSize, false);
        boolean sessionEnded = false;
        try {
            while (true) {
                synchronized (lock) {
                    if (stopping) {
                        return;
                    }
                    if (requests.ended()) {
                        sessionEnded = true;
                        return;
                    }
                }
                int n = requests.read(buf, bufferSize);
                if (n == -Errno.EINTR) {
                    continue;
                }
                boolean forget = n > 0 && isForget(buf);
                synchronized (lock) {
                    if (stopping) {
                        return; // the loop has ended; libfuse's memory may be gone
                    }
                    if (n <= 0) {
                        end(n);
                        sessionEnded = true;
                        return;
                    }
                    processing++;
                    if (!forget) {
                        free--;
                    }
                    if (free == 0 && !over) {
                        start();
                    }
                }
                try {
                    requests.process(buf, n);
                } finally {
                    synchronized (lock) {
                        processing--;
                        if (!forget) {
                            free++;
                        }
                        if (processing == 0 && over) {
                            lock.notifyAll();
                        }
                    }
                }
                synchronized (lock) {
                    if (free > MOST_IDLE) {
                        free--;
                        return;
                    }
                }
            }
        } catch (Throwable t) {
            Log.error("a FUSE request thread failed; the session ends", t);
            failed = true;
            synchronized (lock) {
                if (!stopping) {
                    requests.end();
                }
            }
            sessionEnded = true;
        } finally {
            MEMORY.freeMemory(buf);
            synchronized (lock) {
                alive--;
                if (sessionEnded) {
                    over = true;
                }
                lock.notifyAll();
            }
        }
    }

    private static boolean isForget(long buf) {
        int opcode = MEMORY.getInt(buf + 4);
        return opcode == FUSE_FORGET || opcode == FUSE_BATCH_FORGET;
    }
}
