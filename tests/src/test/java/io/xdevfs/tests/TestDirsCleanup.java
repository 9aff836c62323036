package io.xdevfs.tests;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Deletes the directories the tests made once the whole run passed: each run left gigabytes of bases
 * and loop-device images in /tmp. A run with a failure keeps them (their daemon logs explain it) and
 * says where; so does {@code -Dxdevfs.keepTestDirs=true}. A directory with a mount still under it is
 * never touched.
 */
public final class TestDirsCleanup implements TestExecutionListener {
    private volatile boolean failed;

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.FAILED) {
            failed = true;
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        List<Path> made = TestDirs.made();
        if (made.isEmpty()) {
            return;
        }
        if (failed || Boolean.getBoolean("xdevfs.keepTestDirs")) {
            System.err.println("xdevfs tests: kept " + made.size() + " test directories (" + made.get(0) + " ...)");
            return;
        }
        String mounts = mounts();
        for (Path dir : made) {
            if (!mounts.contains(" " + dir + " ") && !mounts.contains(" " + dir + "/")) {
                deleteTree(dir);
            }
        }
    }

    private static String mounts() {
        try {
            return Files.readString(Path.of("/proc/self/mounts"));
        } catch (IOException e) {
            return "/"; // unknown: every directory counts as holding a mount
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // an immutable file (a test sets chattr +i) or one still busy: the rest goes
                }
            });
        } catch (IOException | RuntimeException e) {
            // gone already, or unreadable: nothing more to do
        }
    }
}
