package dev.plutus.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The filter may only ever answer "absent" for an id never added, however far past its first size it grows. */
class EventIdFilterTest {
    @Test
    void neverForgetsAnIdAndRarelyClaimsOneItNeverSaw() {
        EventIdFilter f = new EventIdFilter(1_000);
        int added = 300_000;
        for (int i = 0; i < added; i++) {
            f.add("api:session-" + (i % 977) + ":" + i);
        }
        for (int i = 0; i < added; i++) {
            assertTrue(f.mightContain("api:session-" + (i % 977) + ":" + i), "id " + i + " was added");
        }
        int falsePositives = 0;
        int probes = 100_000;
        for (int i = 0; i < probes; i++) {
            if (f.mightContain("api:session-" + (i % 977) + ":never-" + i)) {
                falsePositives++;
            }
        }
        // About 1 % per layer; the layers added as it grew each add their share.
        assertTrue(falsePositives < probes / 20, falsePositives + " of " + probes + " never-added ids reported maybe");
    }
}
