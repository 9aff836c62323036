package io.xdevfs.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Python program that prints a count after each step it made durable (to {@code acks}, line
 * buffered), and the daemon killed with -9 once it printed {@code atLeast} of them: the count it printed
 * last is the step every check after a remount must find.
 */
final class KilledMidStream {
    private KilledMidStream() {
    }

    /** What to look at while the program still runs, just before the kill. */
    @FunctionalInterface
    interface Check {
        void run() throws Exception;
    }

    /** Runs {@code script} (its sys.argv: {@code args}, then {@code acks}) until killed; the last acknowledged count. */
    static int lastAcknowledged(Mounted m, Path acks, int atLeast, String script, String... args) throws Exception {
        return lastAcknowledged(m, acks, atLeast, () -> { }, script, args);
    }

    static int lastAcknowledged(Mounted m, Path acks, int atLeast, Check beforeKill, String script, String... args)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(Py.PYTHON, "-c", script));
        command.addAll(List.of(args));
        command.add(acks.toString());
        Process writer = new ProcessBuilder(command).redirectErrorStream(true).start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && (!Files.exists(acks) || Files.readAllLines(acks).size() < atLeast)) {
            Thread.sleep(20);
        }
        try {
            beforeKill.run();
        } finally {
            m.kill();
        }
        writer.destroyForcibly().waitFor();
        List<String> acked = Files.exists(acks) ? Files.readAllLines(acks) : List.of();
        int last = acked.isEmpty() ? 0 : Integer.parseInt(acked.get(acked.size() - 1).strip());
        assertTrue(last >= atLeast, "only " + last + " steps acknowledged");
        return last;
    }
}
