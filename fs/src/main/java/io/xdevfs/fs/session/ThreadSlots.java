package io.xdevfs.fs.session;

import java.util.function.Supplier;

/**
 * One slot per request thread, for what a request hook remembers between the request, libfuse's
 * callback and the reply, which all run on the thread that read the request ({@link RequestLoop}'s
 * Java threads: libfuse's callbacks into Java run on the thread that called into libfuse). Thread-safe.
 */
final class ThreadSlots<T> {
    private final ThreadLocal<T> slots;

    ThreadSlots(Supplier<T> initial) {
        this.slots = ThreadLocal.withInitial(initial);
    }

    /** This thread's slot. */
    T get() {
        return slots.get();
    }
}
