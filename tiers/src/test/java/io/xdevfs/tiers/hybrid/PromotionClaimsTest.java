package io.xdevfs.tiers.hybrid;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PromotionClaimsTest {
    private static final long WINDOW = 1_000;

    @Test
    void renamedFilesAreTakenOldestClaimFirstAndOnce() {
        PromotionClaims claims = new PromotionClaims(100);
        claims.renamed(7);
        claims.renamed(3);
        claims.renamed(7); // renamed again: still its first claim's place
        claims.renamed(5);
        assertEquals(List.of(7L, 3L), claims.take(2));
        assertEquals(List.of(5L), claims.take(10));
        assertEquals(List.of(), claims.take(10));
    }

    @Test
    void theThresholdthReadWithinTheWindowQueuesTheFile() {
        PromotionClaims claims = new PromotionClaims(100);
        claims.read(1, 0, WINDOW, 3);
        claims.read(1, 500, WINDOW, 3);
        claims.read(1, 1_200, WINDOW, 3); // the window began at 0: this read starts a new one
        claims.read(1, 1_300, WINDOW, 3);
        assertEquals(0, claims.queued());
        claims.read(1, 2_100, WINDOW, 3);
        assertEquals(List.of(1L), claims.take(5));
        assertEquals(0, claims.counting());
    }

    @Test
    void claimsStayWithinTheBoundOldestDroppedFirst() {
        PromotionClaims claims = new PromotionClaims(4);
        for (long id = 1; id <= 1_000; id++) {
            claims.renamed(id);
            claims.read(10_000 + id, id, WINDOW * 1_000_000, 2);
        }
        assertEquals(4, claims.queued());
        assertEquals(4, claims.counting());
        assertEquals(1_992, claims.dropped());
        assertEquals(List.of(997L, 998L, 999L, 1000L), claims.take(10));
        claims.read(10_997, 2_000, WINDOW * 1_000_000, 2); // still counted: its second read queues it
        claims.read(10_001, 2_000, WINDOW * 1_000_000, 2); // dropped: this is its first read again
        assertEquals(List.of(10_997L), claims.take(10));
    }

    @Test
    void aFileThatGoesColdOrIsGoneLosesItsClaims() {
        PromotionClaims claims = new PromotionClaims(100);
        claims.renamed(1);
        claims.renamed(2);
        claims.read(2, 0, WINDOW, 5);
        claims.forget(2);
        assertEquals(List.of(1L), claims.take(10));
        assertEquals(0, claims.counting());
    }

    @Test
    void readCountsExpireWithTheirWindow() {
        PromotionClaims claims = new PromotionClaims(100);
        claims.read(1, 0, WINDOW, 5);
        claims.read(2, 600, WINDOW, 5);
        claims.read(1, 700, WINDOW, 5); // the same window as its first read: its place stays
        claims.expireReads(1_500, WINDOW);
        assertEquals(1, claims.counting());
        claims.expireReads(1_700, WINDOW);
        assertEquals(0, claims.counting());
    }
}
