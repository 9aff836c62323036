package io.xdevfs.fs.session;

import io.xdevfs.posix.Posix;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One slot per native thread, for what a request hook remembers between the request, libfuse's
 * callback and the reply, which all run on the thread that received the request. Not a ThreadLocal:
 * with {@code --dispatch multi} libfuse's own threads call into Java through jffi, which attaches such
 * a thread afresh for each of its first upcalls, so each upcall can be a new Java thread and a
 * ThreadLocal set by the request is gone by the reply. The native thread id stays. Thread-safe.
 */
final class ThreadSlots<T> {
    private final Posix posix = Posix.get();
    private final Map<Integer, T> slots = new ConcurrentHashMap<>();
    /**
     * The slot as this Java thread last found it: a Java thread runs on one native thread for life, so
     * the session thread (single dispatch) and libfuse threads that jffi keeps attached ask the kernel
     * for their id once.
     */
    private final ThreadLocal<T> seen = new ThreadLocal<>();
    private final Supplier<T> initial;

    ThreadSlots(Supplier<T> initial) {
        this.initial = initial;
    }

    /** This native thread's slot. */
    T get() {
        T known = seen.get();
        if (known != null) {
            return known;
        }
        T slot = bySystemId();
        seen.set(slot);
        return slot;
    }

    private T bySystemId() {
        int tid = posix.gettid();
        T slot = slots.get(tid);
        if (slot == null) {
            slot = initial.get();
            T raced = slots.putIfAbsent(tid, slot);
            slot = raced != null ? raced : slot;
        }
        return slot;
    }
}
