package io.xdevfs.tiers.hybrid;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ColdCountTest {
    private long now = 1_000;

    @Test
    void aFullCountIsDueFirstThenOnlyEveryRecountPeriod() {
        ColdCount count = new ColdCount(() -> now);
        assertTrue(count.fullCountDue(), "before any count");
        count.counted(3, 3000, 1500);
        assertFalse(count.fullCountDue());
        now += ColdCount.RECOUNT_NANOS - 1;
        assertFalse(count.fullCountDue());
        now += 1;
        assertTrue(count.fullCountDue());
    }

    @Test
    void movesAdjustTheBytesAndAListingTheFiles() {
        ColdCount count = new ColdCount(() -> now);
        count.counted(2, 2000, 1000);
        count.arrived(500, 256);
        count.left(1000, 512);
        count.listed(2); // two, one in and one out
        assertFalse(count.fullCountDue());
        assertEquals(2, count.files());
        assertEquals(1500, count.bytes());
        assertEquals(744, count.stored());
        count.left(5000, 5000); // a file written while cold, then moved out before the next count
        assertEquals(0, count.bytes(), "never below zero");
        assertEquals(0, count.stored());
    }

    @Test
    void filesThatNoMoveOrDeletionExplainsMakeTheNextPassCountInFull() {
        ColdCount count = new ColdCount(() -> now);
        count.counted(2, 2000, 1000);
        count.left(1000, 500); // deleted while cold
        count.listed(1);
        assertFalse(count.fullCountDue());
        count.listed(40); // made in a directory pinned cold
        assertEquals(40, count.files());
        assertTrue(count.fullCountDue());
    }
}
