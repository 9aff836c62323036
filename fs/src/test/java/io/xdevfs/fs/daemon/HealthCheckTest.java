package io.xdevfs.fs.daemon;

import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.Volumes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Health on a working volume: the daemon's own failed work makes the next check unhealthy, with why. */
class HealthCheckTest {
    @TempDir
    Path tmp;

    @Test
    void aFailureOfTheDaemonsOwnWorkIsReportedByTheNextCheck() throws Exception {
        try (Volume volume = Volumes.open(LocalConfig.defaults().withBaseDirectory(tmp.resolve("base")))) {
            BackgroundFaults faults = new BackgroundFaults();
            faults.record(new IOException("before the check began"));
            HealthCheck health = new HealthCheck(volume, null, faults);
            assertTrue(health.run().healthy(), "failures before the first check are the log's, not a verdict's");
            faults.record(new IOException("tmpfs backup to /b failed: No space left on device"));
            faults.record(new IOException("tmpfs backup to /b failed: No space left on device, again"));
            HealthCheck.Verdict verdict = health.run();
            assertFalse(verdict.healthy());
            assertEquals(1, verdict.reasons().size(), verdict.reasons().toString());
            assertTrue(verdict.reasons().get(0).startsWith("2 failures of the daemon's own work"), verdict.reasons().get(0));
            assertTrue(verdict.reasons().get(0).endsWith("No space left on device, again"), verdict.reasons().get(0));
            assertTrue(health.run().healthy(), "no failure since the previous check");
        }
    }
}
