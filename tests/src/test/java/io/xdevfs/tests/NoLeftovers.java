package io.xdevfs.tests;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * Fails a test class that leaves a mount or a daemon behind (and cleans up so the next class can run).
 */
final class NoLeftovers implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        List<Mounted> left = List.copyOf(Mounted.LIVE);
        left.forEach(Mounted::kill);
        String stray = Run.of("bash", "-c", "findmnt -rn -t fuse.xdevfs,tmpfs,ramfs -o TARGET | grep xdevfs-it- || true")
                .output().strip();
        if (!stray.isEmpty()) { // FUSE mounts, and the tmpfs/ramfs bases of storage-type tests
            Run.of("bash", "-c", "for m in " + stray.replace('\n', ' ') + "; do fusermount3 -u -z $m 2>/dev/null || umount -l $m; done");
        }
        if (!left.isEmpty() || !stray.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " left mounts behind: "
                    + left.stream().map(m -> m.mnt.toString()).toList() + " " + stray);
        }
    }
}
