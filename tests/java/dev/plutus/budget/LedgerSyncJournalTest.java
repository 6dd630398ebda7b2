package dev.plutus.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import dev.plutus.store.CallStore;
import dev.plutus.store.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drainer's rows folded into the running totals without reading them back: only when they are
 * exactly the rows after the watermark; any row of another writer in between, or an event another
 * writer stored first, takes the reading way, and every event counts once either way.
 */
class LedgerSyncJournalTest {
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static LlmCall call(String id, long micros) {
        return new LlmCall(id, NOW.minusSeconds(60), null, null, "cli", null, null, "anthropic", "claude-sonnet-4-5", null,
                TokenUsage.of(100, 10), false, micros, true, "anthropic/claude-sonnet-4-5", 5);
    }

    private static long counted(LedgerSync sync) {
        return sync.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOW).spentMicros();
    }

    private static long stored(Database db) {
        return db.jdbc().queryLong("SELECT COALESCE(SUM(cost_micros), 0) FROM llm_calls");
    }

    /** Journals the calls (counted at once, the append a no-op here), as the daemon's recording thread does. */
    private static List<LlmCall> journal(LedgerSync sync, LlmCall... calls) {
        List<Boolean> fresh = sync.countJournaled(List.of(calls), id -> false, appended -> {});
        assertEquals(calls.length, fresh.stream().filter(b -> b).count());
        return List.of(calls);
    }

    @Test
    void theDrainersOwnRowsRightAfterTheWatermarkAreFoldedInWithoutReadingThem(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("plutus.db"), 2)) {
            CallStore calls = new CallStore(db.jdbc());
            LedgerSync sync = new LedgerSync(calls, new SpendLedger(new PeriodCalendar(ZoneOffset.UTC, DayOfWeek.MONDAY)), CLOCK);
            sync.rebuild(sync.ledger().calendar(), NOW);
            List<LlmCall> batch = journal(sync, call("a", 100), call("b", 20), call("c", 3));
            assertEquals(123, counted(sync));
            List<OptionalLong> ids = calls.insertAll(batch);

            assertTrue(sync.foldStoredJournaled(batch, ids), "rows right after the watermark take the short way");
            assertEquals(0, sync.journaledPending());
            assertEquals(ids.get(2).getAsLong(), sync.watermark());
            assertEquals(123, counted(sync));
            assertEquals(0, sync.sync(), "nothing is left to read");
            assertEquals(stored(db), counted(sync));
        }
    }

    @Test
    void aRowOfAnotherWriterInBetweenIsReadAndCountedOnce(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("plutus.db"), 2)) {
            CallStore calls = new CallStore(db.jdbc());
            LedgerSync sync = new LedgerSync(calls, new SpendLedger(new PeriodCalendar(ZoneOffset.UTC, DayOfWeek.MONDAY)), CLOCK);
            sync.rebuild(sync.ledger().calendar(), NOW);
            List<LlmCall> batch = journal(sync, call("a", 100), call("b", 20));
            // Another process stores a call of its own (and, first, one of the events journaled here) before the drainer runs.
            calls.insertAll(List.of(call("elsewhere", 7_000)));
            List<OptionalLong> ids = calls.insertAll(batch);

            assertFalse(sync.foldStoredJournaled(batch, ids), "a row in between is read");
            assertEquals(0, sync.journaledPending());
            assertEquals(7_120, counted(sync));
            assertEquals(stored(db), counted(sync));

            List<LlmCall> again = journal(sync, call("x", 1), call("y", 2));
            calls.insertAll(List.of(call("x", 1)));
            List<OptionalLong> rows = new ArrayList<>(calls.insertAll(again));
            assertTrue(rows.get(0).isEmpty(), "the other writer stored x first");
            assertFalse(sync.foldStoredJournaled(again, rows));
            assertEquals(0, sync.journaledPending());
            assertEquals(7_123, counted(sync), "x counts once, whoever stored it");
            assertEquals(stored(db), counted(sync));
        }
    }
}
