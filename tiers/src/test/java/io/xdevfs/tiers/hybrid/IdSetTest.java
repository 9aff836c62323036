package io.xdevfs.tiers.hybrid;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdSetTest {
    @Test
    void holdsWhatWasAddedOnceInOrderPastItsFirstArray() throws IOException {
        Random random = new Random(7);
        IdSet set = new IdSet();
        TreeSet<Long> model = new TreeSet<>();
        for (int i = 0; i < 5000; i++) {
            long id = random.nextInt(3000) + (random.nextBoolean() ? 0 : 1L << 62); // repeats, and unrecorded ids
            set.add(id);
            model.add(id);
        }
        set.seal();
        assertEquals(model.size(), set.size());
        List<Long> walked = new ArrayList<>();
        set.forEach(walked::add);
        assertEquals(new ArrayList<>(model), walked);
        for (long probe = -1; probe < 3100; probe++) {
            assertEquals(model.contains(probe), set.contains(probe), "id " + probe);
        }
        assertTrue(set.contains(model.last()));
    }

    @Test
    void anEmptySetContainsNothingAndAWalkStopsAtTheFirstFailure() throws IOException {
        IdSet empty = new IdSet().seal();
        assertTrue(empty.isEmpty());
        assertFalse(empty.contains(0));
        IdSet set = new IdSet();
        set.add(3);
        set.add(1);
        set.add(2);
        set.seal();
        List<Long> seen = new ArrayList<>();
        IOException e = assertThrows(IOException.class, () -> set.forEach(id -> {
            seen.add(id);
            if (id == 2) {
                throw new IOException("disk");
            }
        }));
        assertEquals("disk", e.getMessage());
        assertEquals(List.of(1L, 2L), seen);
        assertThrows(IllegalStateException.class, () -> set.add(4));
        assertThrows(IllegalStateException.class, () -> new IdSet().contains(1));
    }
}
