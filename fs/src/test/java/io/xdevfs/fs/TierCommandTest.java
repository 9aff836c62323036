package io.xdevfs.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TierCommandTest {
    @TempDir
    Path dir;

    /**
     * A file deleted between the listing and its turn (a live WAL directory deletes old segments) is
     * counted and passed over; the others still move. (On a plain directory the tier attribute is just
     * stored, which stands in for the move here.)
     */
    @Test
    void migrateGoesOnPastAFileDeletedBeforeItsTurn() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "a");
        Path b = Files.writeString(dir.resolve("b"), "bb");
        TierCommand.Migrate migrate = new TierCommand.Migrate();
        migrate.to = "cold";
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, migrate.migrate(List.of(a, dir.resolve("deleted"), b)));
        } finally {
            System.setOut(out);
        }
        String said = captured.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("2 files (0.0 MiB) are cold"), said);
        assertTrue(said.contains("1 files were deleted before their turn"), said);
    }
}
