package dev.plutus.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drainer's store: ids handed back are the rows' own however the table's ids run (a row another writer
 * stored, a repeated event, ids past a purge), and a session row is written only when a sighting asks for it.
 */
@org.junit.jupiter.api.Tag("sqlite-file")
class JournalStoreTest {
    private static final Instant AT = Instant.parse("2026-11-24T12:00:00Z");

    private static LlmCall call(String eventId, String session, long micros) {
        return new LlmCall(eventId, AT, session, null, "cli", null, null, "anthropic", "claude-sonnet-4-5", null,
                TokenUsage.of(1000, 100), false, micros, true, "anthropic/claude-sonnet-4-5", 20, null, null, false);
    }

    private static List<LlmCall> calls(String prefix, int n, String session) {
        List<LlmCall> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(call(prefix + i, session, 1000 + i));
        }
        return out;
    }

    /** Each call given an id has exactly that row (its event, its cost); each left out has no row of its own. */
    private static void assertIdsAreTheRows(Jdbc jdbc, List<LlmCall> batch, List<OptionalLong> ids) {
        assertEquals(batch.size(), ids.size());
        for (int i = 0; i < batch.size(); i++) {
            if (ids.get(i).isPresent()) {
                long id = ids.get(i).getAsLong();
                assertEquals(batch.get(i).eventId(), jdbc.query("SELECT event_id FROM llm_calls WHERE id = ?", rs -> rs.getString(1), id)
                        .get(0), "row " + id);
                assertEquals(batch.get(i).costMicros(), jdbc.queryLong("SELECT cost_micros FROM llm_calls WHERE id = ?", id));
            }
        }
    }

    private static CallJournal.Position at(long offset) {
        return new CallJournal.Position(1, offset);
    }

    @Test
    void idsAreTheRowsWhateverCameBefore(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("plutus.db"), 2); JournalStore table = JournalStore.open(db)) {
            Jdbc jdbc = db.jdbc();
            List<LlmCall> first = calls("a", 100, "s1");
            List<OptionalLong> ids = table.store(first, at(1), Map.of());
            assertTrue(ids.stream().allMatch(OptionalLong::isPresent));
            assertIdsAreTheRows(jdbc, first, ids);

            // Another writer stored one of the next batch's events first, and a call is repeated within the batch.
            new CallStore(jdbc).insert(call("b5", "s1", 77));
            List<LlmCall> second = new ArrayList<>(calls("b", 20, "s1"));
            second.add(call("b7", "s1", 99));
            ids = table.store(second, at(2), Map.of());
            assertTrue(ids.get(5).isEmpty(), "stored by another writer first");
            assertTrue(ids.get(20).isEmpty(), "the repeat of b7");
            assertTrue(ids.get(7).isPresent());
            assertIdsAreTheRows(jdbc, second, ids);
            assertEquals(77, jdbc.queryLong("SELECT cost_micros FROM llm_calls WHERE event_id = 'b5'"), "the first row kept");

            // The newest rows purged: the ids go on past them (AUTOINCREMENT), not from the largest id left.
            long newest = jdbc.queryLong("SELECT MAX(id) FROM llm_calls");
            jdbc.update("DELETE FROM llm_calls WHERE id > ?", newest - 10);
            List<LlmCall> third = calls("c", 30, "s2");
            ids = table.store(third, at(3), Map.of());
            assertTrue(ids.get(0).getAsLong() > newest, "ids are never reused");
            assertIdsAreTheRows(jdbc, third, ids);
            assertEquals(100 + 20 - 10 + 30, jdbc.queryLong("SELECT COUNT(*) FROM llm_calls"));
            assertEquals(3, table.position().offset());
        }
    }

    @Test
    void aSessionRowIsWrittenOnlyForASightingAndMadeSureOfOtherwise(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("plutus.db"), 2); JournalStore table = JournalStore.open(db)) {
            Jdbc jdbc = db.jdbc();
            SessionRecord seen = new SessionRecord("s1", "telegram", "gpt-4.1", "openai", "job1", null, null, null,
                    AT.minusSeconds(60), null, "running");
            table.store(calls("a", 3, "s1"), at(1), Map.of("s1", seen));
            assertEquals(List.of("telegram|gpt-4.1|openai|job1"), jdbc.query(
                    "SELECT platform || '|' || model || '|' || provider || '|' || cron_job_id FROM sessions WHERE session_id = 's1'",
                    rs -> rs.getString(1)));
            assertEquals(AT.minusSeconds(60).toEpochMilli(), jdbc.queryLong("SELECT started_at FROM sessions WHERE session_id = 's1'"));

            // No sighting waits: the stored row is left as it is (the calls' platform "cli" does not overwrite it)...
            table.store(calls("b", 3, "s1"), at(2), Map.of());
            assertEquals("telegram", jdbc.query("SELECT platform FROM sessions WHERE session_id = 's1'", rs -> rs.getString(1)).get(0));
            // ...and a session whose row went (purged while still cached) is created again rather than refused.
            table.store(calls("c", 2, "gone"), at(3), Map.of());
            assertEquals(1, jdbc.queryLong("SELECT COUNT(*) FROM sessions WHERE session_id = 'gone'"));
            assertEquals(8, jdbc.queryLong("SELECT COUNT(*) FROM llm_calls"));
        }
    }

    @Test
    void aSightingReplacedWhileItWasStoredStaysWaitingForItsOwnCall(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("plutus.db"), 2)) {
            SessionDirectory sessions = new SessionDirectory(new SessionStore(db.jdbc()), CronSessionIds.NONE);
            sessions.deferCallSightings();
            sessions.observeCall("s1", "cli", "model-a", "anthropic", AT);
            Map<String, SessionRecord> taken = sessions.pendingSightings(List.of("s1", "unknown"));
            assertEquals(List.of("s1"), List.copyOf(taken.keySet()));
            // A later call changes the model after the drainer read the sighting and before it was told it is stored.
            sessions.observeCall("s1", "cli", "model-b", "anthropic", AT.plusSeconds(1));
            sessions.sightingsStored(taken);
            SessionRecord still = sessions.pendingSightings(List.of("s1")).get("s1");
            assertEquals("model-b", still.model(), "the newer sighting must still be stored");
            sessions.sightingsStored(Map.of("s1", still));
            assertTrue(sessions.pendingSightings(List.of("s1")).isEmpty());
            // A call that changes nothing leaves nothing waiting.
            sessions.observeCall("s1", "cli", "model-b", "anthropic", AT.plusSeconds(2));
            assertTrue(sessions.pendingSightings(List.of("s1")).isEmpty());
            assertNotEquals(null, sessions.find("s1").orElse(null));
        }
    }
}
