package dev.plutus.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The upkeep evicts idle scopes without the recording lock, so an eviction can fall between a scope's lookup
 * and the call added to it: a scope's first call (its counters are empty, so idle) must still count.
 */
class SpendLedgerEvictionRaceTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    @Test
    void aCallRacingTheEvictionOfItsScopeIsNeverDropped() throws Exception {
        SpendLedger ledger = new SpendLedger(new PeriodCalendar(ZoneId.of("Europe/Berlin"), DayOfWeek.MONDAY));
        AtomicBoolean done = new AtomicBoolean();
        Thread evictor = new Thread(() -> {
            while (!done.get()) {
                ledger.evictIdle(NOW);
            }
        });
        evictor.start();
        int scopes = 100_000;
        try {
            for (int i = 0; i < scopes; i++) {
                ledger.add(List.of(ScopeRef.of(ScopeKind.SESSION, "s-" + i)), NOW.toEpochMilli(), 7, false, true);
            }
        } finally {
            done.set(true);
            evictor.join();
        }
        int missing = 0;
        for (int i = 0; i < scopes; i++) {
            if (ledger.spend(ScopeRef.of(ScopeKind.SESSION, "s-" + i), Window.DAILY, NOW).spentMicros() != 7) {
                missing++;
            }
        }
        assertEquals(0, missing, "scopes whose first call was added to counters eviction had dropped");
    }
}
