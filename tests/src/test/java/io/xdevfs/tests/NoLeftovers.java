package io.xdevfs.tests;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Fails a test class that leaves a mount or a daemon behind (and cleans up so the next class can run).
 * Only this test JVM's mounts are looked at: the other failsafe fork's are in use.
 */
final class NoLeftovers implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        List<Mounted> left = List.copyOf(Mounted.LIVE);
        left.forEach(Mounted::kill);
        List<Path> ours = TestDirs.made();
        String stray = Run.of("findmnt", "-rn", "-t", "fuse.xdevfs,tmpfs,ramfs", "-o", "TARGET").output().lines()
                .filter(target -> ours.stream().anyMatch(dir -> Path.of(target).startsWith(dir)))
                .collect(Collectors.joining("\n"));
        if (!stray.isEmpty()) { // FUSE mounts, and the tmpfs/ramfs bases of storage-type tests
            Run.of("bash", "-c", "for m in " + stray.replace('\n', ' ') + "; do fusermount3 -u -z $m 2>/dev/null || umount -l $m; done");
        }
        if (!left.isEmpty() || !stray.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " left mounts behind: "
                    + left.stream().map(m -> m.mnt.toString()).toList() + " " + stray);
        }
    }
}
