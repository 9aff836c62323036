package io.xdevfs.tiers.tmpfs;

import java.io.IOException;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What holds a memory tier's changes still while a consistent copy is taken: every change shares it,
 * {@link #quiesced} takes it alone. A waiting {@code quiesced} stops new changes from starting (the
 * lock is not fair, but queues readers behind a waiting writer); a change already inside may enter
 * again (the read side is reentrant).
 */
final class Gate {
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    @FunctionalInterface
    interface Change<T> {
        T run() throws IOException;
    }

    @FunctionalInterface
    interface VoidChange {
        void run() throws IOException;
    }

    <T> T change(Change<T> change) throws IOException {
        Lock shared = lock.readLock();
        shared.lock();
        try {
            return change.run();
        } finally {
            shared.unlock();
        }
    }

    void changeVoid(VoidChange change) throws IOException {
        change(() -> {
            change.run();
            return null;
        });
    }

    /** Runs {@code work} while no change is in flight or can start. */
    <T> T quiesced(Change<T> work) throws IOException {
        Lock alone = lock.writeLock();
        alone.lock();
        try {
            return work.run();
        } finally {
            alone.unlock();
        }
    }
}
