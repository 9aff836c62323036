package io.xdevfs.tiers.tmpfs;

import io.xdevfs.tiers.DirectoryLock;

import java.util.ArrayList;
import java.util.List;

/** The directories a memory tier keeps its copies and log in, held for one daemon until closed. */
public final class DirectoryLocks implements AutoCloseable {
    private final List<DirectoryLock> held = new ArrayList<>();

    void add(DirectoryLock lock) {
        held.add(lock);
    }

    /** Lets go of every one; quietly, as a failed close of a directory descriptor changes nothing. */
    @Override
    public void close() {
        held.forEach(DirectoryLock::closeQuietly);
        held.clear();
    }
}
