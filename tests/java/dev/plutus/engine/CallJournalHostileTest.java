package dev.plutus.engine;

import static dev.plutus.engine.JournalFixture.COST_MICROS;
import static dev.plutus.engine.JournalFixture.NOON;
import static dev.plutus.engine.JournalFixture.call;
import static dev.plutus.engine.JournalFixture.event;
import static dev.plutus.engine.JournalFixture.globalSpend;
import static dev.plutus.engine.JournalFixture.open;
import static dev.plutus.engine.JournalFixture.rowsByEvent;
import static dev.plutus.engine.JournalFixture.storedCost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.Window;
import dev.plutus.core.CallEvent;
import dev.plutus.core.HomeLayout;
import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import dev.plutus.core.ToolCall;
import dev.plutus.store.CallJournal;
import dev.plutus.store.StoreException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The call journal under attack: SIGKILLs at random points, damage in the middle of a file, files
 * that are not journals, a store that refuses rows, sessions seen only through the journal, and the
 * in-memory duplicate check meeting events stored before it existed or by another engine.
 */
@org.junit.jupiter.api.Tag("sqlite-file")
class CallJournalHostileTest {

    @Test
    void sigkillsAtRandomPointsLoseNothingAcknowledgedAndCountEachEventOnce(@TempDir Path home) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Set<String> acked = new LinkedHashSet<>();
        for (int round = 0; round < 3; round++) {
            // Each run starts its event ids at k-0 again: after a restart, replays of acknowledged events meet their rows.
            int killAt = 200 + random.nextInt(2_500);
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                    "-cp", System.getProperty("java.class.path"), JournalKillProcess.class.getName(), home.toString(), NOON.toString())
                    .redirectError(ProcessBuilder.Redirect.appendTo(home.resolve("child.log").toFile())).start();
            int seen = 0;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("ack ") && line.endsWith(";")) {
                        acked.add(line.substring(4, line.length() - 1));
                        if (++seen == killAt && child.isAlive()) {
                            child.toHandle().destroyForcibly();
                        }
                    }
                }
            } finally {
                child.destroyForcibly();
            }
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertTrue(seen >= killAt, "seed " + seed + ": the child acknowledged " + seen + " calls, " + killAt + " expected");
            try (Engine again = open(home, false)) {
                Map<String, Long> rows = rowsByEvent(again);
                for (String id : acked) {
                    assertEquals(1L, rows.getOrDefault(id, 0L), "seed " + seed + ": acknowledged call " + id + " is stored once");
                }
                long stored = rows.values().stream().mapToLong(Long::longValue).sum();
                assertEquals(rows.size(), stored, "seed " + seed + ": no event is stored twice");
                assertEquals(stored * COST_MICROS, storedCost(again));
                assertEquals(stored * COST_MICROS, globalSpend(again), "seed " + seed + ": the totals count each stored call once");
                // Unacknowledged calls may be stored (journaled just before the kill), never beyond what the child was sending.
                assertTrue(stored <= acked.size() + 10, "seed " + seed + ": " + stored + " stored, " + acked.size() + " acknowledged");
            }
        }
    }

    @Test
    void aDamagedRecordInTheMiddleIsSetAsideAndEverythingAfterItReplayed(@TempDir Path home) throws Exception {
        createStore(home);
        Path dir = home.resolve(Engine.JOURNAL_DIR);
        long damagedAt;
        long damagedEnd;
        try (CallJournal journal = CallJournal.tryOpen(dir, 1 << 20).orElseThrow()) {
            journal.startWriting();
            damagedAt = journal.append(List.of(call("a-1"))).get(0).offset();
            damagedEnd = journal.append(List.of(call("a-2"))).get(0).offset();
            journal.append(List.of(call("a-3")));
        }
        try (CallJournal journal = CallJournal.tryOpen(dir, 1 << 20).orElseThrow()) {
            journal.startWriting();
            journal.append(List.of(call("b-1"), call("b-2")));
        }
        Path first = dir.resolve("calls-1.journal");
        byte[] before = Files.readAllBytes(first);
        // One byte inside a-2's payload flipped: its frame is intact, its checksum is not.
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (before[(int) damagedEnd - 5] ^ 0x40)}), damagedEnd - 5);
        }
        byte[] damaged = java.util.Arrays.copyOfRange(Files.readAllBytes(first), (int) damagedAt, (int) damagedEnd);
        try (Engine e = open(home, true)) {
            assertEquals(Map.of("a-1", 1L, "a-3", 1L, "b-1", 1L, "b-2", 1L), rowsByEvent(e));
            assertEquals(4 * COST_MICROS, globalSpend(e));
        }
        assertArrayEquals(damaged, Files.readAllBytes(dir.resolve("damaged").resolve("calls-1-at-" + damagedAt + ".bin")),
                "the damaged record's bytes are kept, not dropped");
    }

    @Test
    void aFileThatIsNotAJournalIsSetAsideAndTheOthersReplayed(@TempDir Path home) throws Exception {
        createStore(home);
        Path dir = home.resolve(Engine.JOURNAL_DIR);
        Files.createDirectories(dir);
        byte[] garbage = "this is not a Plutus call journal\n".repeat(50).getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("calls-1.journal"), garbage);
        Files.createDirectories(dir.resolve("calls-2.journal"));
        try (CallJournal journal = CallJournal.tryOpen(dir, 1 << 20).orElseThrow()) {
            journal.startWriting(); // calls-3
            journal.append(List.of(call("g-1")));
        }
        Files.writeString(dir.resolve("notes.txt"), "someone's file");
        try (Engine e = open(home, true)) {
            assertTrue(e.journaling());
            assertEquals(Map.of("g-1", 1L), rowsByEvent(e));
            assertEquals(COST_MICROS, globalSpend(e));
            assertFalse(e.recorder().record(event("g-2")).duplicate());
            assertEquals(2, e.calls().count());
        }
        assertArrayEquals(garbage, Files.readAllBytes(dir.resolve("damaged").resolve("calls-1-at-0.bin")));
        assertEquals("someone's file", Files.readString(dir.resolve("notes.txt")), "files not named as the journal's are left alone");
    }

    @Test
    void aStoreThatRefusesRowsLosesNothingAndCountsEachCallOnce(@TempDir Path home) throws Exception {
        createStore(home);
        Path db = new HomeLayout(home).database();
        refuse(db, "x-refused");
        try (Engine e = open(home, true)) {
            for (String id : List.of("x-1", "x-refused", "x-2")) {
                assertFalse(e.recorder().record(event(id)).duplicate());
            }
            assertEquals(3 * COST_MICROS, globalSpend(e), "counted when acknowledged, whatever SQLite says after");
            assertTrue(e.recorder().record(event("x-refused")).duplicate(), "still journaled: a replay is a duplicate");
            StoreException late = assertThrows(StoreException.class, () -> e.calls().count());
            assertTrue(late.getMessage().contains("still not in the store"), late.getMessage());
        }
        // Closed while SQLite refused: the calls wait in the journal.
        allow(db);
        try (Engine e = open(home, true)) {
            assertEquals(Map.of("x-1", 1L, "x-refused", 1L, "x-2", 1L), rowsByEvent(e));
            assertEquals(3 * COST_MICROS, globalSpend(e));
            // Refused and then allowed while running: the drainer's retry stores it once.
            refuse(db, "y-refused");
            assertFalse(e.recorder().record(event("y-refused")).duplicate());
            assertFalse(e.recorder().record(event("y-1")).duplicate());
            Thread.sleep(300);
            allow(db);
            assertEquals(Map.of("x-1", 1L, "x-refused", 1L, "x-2", 1L, "y-refused", 1L, "y-1", 1L), rowsByEvent(e));
            e.syncLedger();
            assertEquals(5 * COST_MICROS, globalSpend(e));
            assertEquals(5 * COST_MICROS, storedCost(e));
        }
    }

    @Test
    void recordersWaitForAStuckDrainerOnceTheBacklogIsFullAndLoseNothing(@TempDir Path home) throws Exception {
        createStore(home);
        Path db = new HomeLayout(home).database();
        refuse(db, "b-refused");
        try (Engine e = open(home, true)) {
            e.limitJournalBacklog(4);
            List<String> ids = new java.util.ArrayList<>(List.of("b-refused"));
            for (int i = 0; i < 20; i++) {
                ids.add("b-" + i);
            }
            for (String id : ids) {
                assertFalse(e.recorder().record(event(id)).duplicate());
            }
            // The drainer holds at most its failed batch and one more gathered before it failed; every call past the
            // bound after that waited for it.
            assertTrue(e.journalBacklogWaits() >= 20 - 4 - 4, "waits: " + e.journalBacklogWaits());
            assertEquals(21 * COST_MICROS, globalSpend(e), "every call acknowledged is counted although none is stored yet");
            allow(db);
            Map<String, Long> rows = rowsByEvent(e);
            assertEquals(21, rows.size(), rows.toString());
            assertTrue(rows.values().stream().allMatch(n -> n == 1L), rows.toString());
            assertEquals(21 * COST_MICROS, storedCost(e));
        }
    }

    @Test
    void aSessionSeenOnlyThroughTheJournalIsStoredWithItsCallsAndOtherWritesFindItsRow(@TempDir Path home) {
        try (Engine e = open(home, true)) {
            e.recorder().record(new CallEvent("s-1", NOON, "sess-new", "telegram", "anthropic", "claude-sonnet-4-6", null,
                    TokenUsage.of(1000, 100), false, 10, new BigDecimal("0.000123")));
            // Written before the drainer stores the sighting: the row must be there for them.
            e.sessions().end("sess-new", "ok", NOON.plusSeconds(5), "turn done");
            assertTrue(e.recorder().recordTool(new ToolCall("t-1", NOON.plusSeconds(1), "sess-new", "terminal", "ok", null, 20)));
            e.recorder().record(new CallEvent("s-2", NOON.plusSeconds(2), "sess-new", "telegram", "openai", "gpt-4.1", null,
                    TokenUsage.of(1000, 100), false, 10, new BigDecimal("0.000123")));
            e.awaitStored();
            e.jdbc().query("SELECT platform, model, provider, status, ended_at, started_at FROM sessions WHERE session_id = 'sess-new'",
                    rs -> {
                        assertEquals("telegram", rs.getString(1));
                        assertEquals("gpt-4.1", rs.getString(2), "the latest model the calls named");
                        assertEquals("openai", rs.getString(3));
                        assertEquals("ok", rs.getString(4), "the end written directly is kept");
                        assertEquals(NOON.plusSeconds(5).toEpochMilli(), rs.getLong(5));
                        assertEquals(NOON.toEpochMilli(), rs.getLong(6));
                        return null;
                    });
            assertEquals(1L, e.jdbc().queryLong("SELECT COUNT(*) FROM sessions WHERE session_id = 'sess-new'"));
        }
    }

    @Test
    void theInMemoryDuplicateCheckKnowsEventsStoredBeforeItAndByAnotherEngine(@TempDir Path home) throws Exception {
        try (Engine cli = open(home, false)) {
            for (int i = 0; i < 50; i++) {
                cli.recorder().record(event("old-" + i));
            }
        }
        try (Engine daemon = open(home, true); Engine cli = open(home, true)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!daemon.storedIdFilterReady()) {
                assertTrue(System.nanoTime() < deadline, "the stored-id filter is built");
                Thread.sleep(10);
            }
            for (int i = 0; i < 50; i++) {
                assertTrue(daemon.recorder().record(event("old-" + i)).duplicate(), "stored before the daemon opened: old-" + i);
            }
            // Another engine stores an event; the daemon sees it before and after folding it in.
            cli.recorder().record(event("other-1"));
            cli.recorder().record(event("other-2"));
            daemon.syncLedger();
            assertTrue(daemon.recorder().record(event("other-1")).duplicate(), "folded in, then replayed to the daemon");
            cli.recorder().record(event("other-3"));
            daemon.recorder().record(event("other-3")); // not folded yet: journaled, its row skipped when folded
            assertFalse(daemon.recorder().record(event("new-1")).duplicate());
            assertTrue(daemon.recorder().record(event("new-1")).duplicate());
            daemon.awaitStored();
            daemon.syncLedger();
            Map<String, Long> rows = rowsByEvent(daemon);
            assertEquals(54, rows.size());
            assertTrue(rows.values().stream().allMatch(n -> n == 1L));
            assertEquals(54 * COST_MICROS, globalSpend(daemon), "each event counted once");
        }
    }

    private static void createStore(Path home) {
        try (Engine first = open(home, false)) {
            assertEquals(0, first.calls().count());
        }
    }

    /** Makes SQLite refuse the call with this event id, as a trigger or a constraint would. */
    private static void refuse(Path db, String eventId) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            s.execute("DROP TRIGGER IF EXISTS test_refuse");
            s.execute("CREATE TRIGGER test_refuse BEFORE INSERT ON llm_calls WHEN NEW.event_id = '" + eventId
                    + "' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
        }
    }

    private static void allow(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            s.execute("DROP TRIGGER IF EXISTS test_refuse");
        }
    }

}
