package io.xdevfs.tiers.tmpfs;

import java.io.IOException;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What holds a memory tier's changes still while a copy of its tree is taken. Two locks, always taken
 * in this order: {@code names} (changes of the namespace: create, link, rename, unlink, mkdir, ...) and
 * {@code bytes} (every change, names included). A copy without an intent log must be one moment of the
 * tree, so it takes both alone ({@link #quiesced}); a copy under an intent log needs only the names
 * still ({@link #namesStill}): the log, cut before the copy reads anything, replays every synced byte
 * written while it ran, but it replays names by path onto the tree the copy found, so that tree must
 * be one moment of the namespace. A waiting copy stops new changes of its kind from starting (the locks
 * are not fair, but queue readers behind a waiting writer); a change already inside may enter again
 * (the read sides are reentrant).
 */
final class Gate {
    private final ReadWriteLock names = new ReentrantReadWriteLock();
    private final ReadWriteLock bytes = new ReentrantReadWriteLock();

    @FunctionalInterface
    interface Change<T> {
        T run() throws IOException;
    }

    @FunctionalInterface
    interface VoidChange {
        void run() throws IOException;
    }

    /** A change of bytes or attributes that leaves every name where it is. */
    <T> T change(Change<T> change) throws IOException {
        return holding(bytes.readLock(), change);
    }

    void changeVoid(VoidChange change) throws IOException {
        change(() -> {
            change.run();
            return null;
        });
    }

    /** A change that adds, moves or removes a name. */
    <T> T nameChange(Change<T> change) throws IOException {
        return holding(names.readLock(), () -> holding(bytes.readLock(), change));
    }

    void nameChangeVoid(VoidChange change) throws IOException {
        nameChange(() -> {
            change.run();
            return null;
        });
    }

    /** Runs {@code work} while no change is in flight or can start. */
    <T> T quiesced(Change<T> work) throws IOException {
        return holding(names.writeLock(), () -> holding(bytes.writeLock(), work));
    }

    /** Runs {@code work} while no change of a name is in flight or can start; bytes change meanwhile. */
    <T> T namesStill(Change<T> work) throws IOException {
        return holding(names.writeLock(), work);
    }

    private static <T> T holding(Lock lock, Change<T> work) throws IOException {
        lock.lock();
        try {
            return work.run();
        } finally {
            lock.unlock();
        }
    }
}
