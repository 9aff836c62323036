package io.xdevfs.tiers.hybrid;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OldestFirstTest {
    @Test
    void keepsTheOldestInOrderWhateverTheOrderOffered() {
        List<Long> times = new ArrayList<>();
        for (long t = 0; t < 1000; t++) {
            times.add(t * 7 % 1000);
        }
        Collections.shuffle(times, new Random(3));
        OldestFirst<Long> oldest = new OldestFirst<>(5, t -> t);
        times.forEach(oldest::offer);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), oldest.oldestFirst());
    }

    @Test
    void fewerThanTheLimitAreAllKept() {
        OldestFirst<Long> oldest = new OldestFirst<>(100, t -> t);
        oldest.offer(9L);
        oldest.offer(3L);
        assertEquals(List.of(3L, 9L), oldest.oldestFirst());
        assertEquals(List.of(), new OldestFirst<Long>(1, t -> t).oldestFirst());
    }
}
