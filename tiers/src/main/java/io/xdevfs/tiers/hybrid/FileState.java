package io.xdevfs.tiers.hybrid;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a hybrid volume knows about one file while anyone (a handle, a path call, a move) holds it:
 * the state of its entry in the volume's open-file table. Its gate is the entry's; the fields below
 * are read and written under it as each says.
 */
final class FileState {
    final long id;
    /**
     * Where the object is; null until looked up. Changed only by a move, holding the gate alone, so a
     * call holding it shared sees a tier that stays put for the call.
     */
    volatile Tier tier;
    /**
     * Counts the switches of {@link #tier}: a handle whose object is of an older generation reopens,
     * even when the file has come back to the tier it had (its old object there is gone).
     */
    volatile long generation;
    /** Bumped after every change of the bytes or times: a move that saw it change while copying aborts. */
    final AtomicLong changes = new AtomicLong();
    /** Handles open for writing. */
    final AtomicInteger writers = new AtomicInteger();
    /** The last name went while handles were open: the last release deletes the objects. */
    volatile boolean unlinked;
    /**
     * The object was created in this mount and its directory entry in the tier is not known durable
     * yet: the file's first sync also syncs the tier's directory.
     */
    volatile boolean entryPending;
    /**
     * Held by a move for its whole length: two moves of one file (the migrator's and a requested one,
     * or a full hot tier's) would write the same part name. Taken before the gate, never inside it.
     */
    final java.util.concurrent.locks.ReentrantLock moving = new java.util.concurrent.locks.ReentrantLock();

    /** Handles open on the file; under this state's monitor. */
    private final java.util.Set<HybridContent> handles = new java.util.HashSet<>();
    /**
     * A handle was given to FUSE passthrough: the kernel writes the hot object itself, unseen, for as
     * long as any handle of the file is open (a node's registration serves its later opens too). No
     * move starts or switches meanwhile: its copy would miss those writes, and a handle opened after
     * the switch would still reach the old object.
     */
    private volatile boolean passedThrough;

    synchronized void opened(HybridContent handle) {
        handles.add(handle);
    }

    synchronized void closed(HybridContent handle) {
        handles.remove(handle);
        if (handles.isEmpty()) {
            passedThrough = false;
        }
    }

    /** The handles open now. */
    synchronized java.util.List<HybridContent> handles() {
        return java.util.List.copyOf(handles);
    }

    synchronized void passThrough() {
        passedThrough = true;
    }

    boolean passedThrough() {
        return passedThrough;
    }

    FileState(long id) {
        this.id = id;
    }
}
