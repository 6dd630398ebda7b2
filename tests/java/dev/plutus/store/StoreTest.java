package dev.plutus.store;

import dev.plutus.TestEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.core.CallEvent;
import dev.plutus.TestSupport;
import dev.plutus.TestSupport.MutableClock;
import dev.plutus.core.TokenUsage;
import dev.plutus.core.ToolCall;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.Window;
import dev.plutus.command.SlashCommands;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Tag("store")
class StoreTest {
    private static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");

    private static CallEvent call(String id, Instant at, String session, long micros) {
        return new CallEvent(id, at, session, "cli", "anthropic", "claude-sonnet-4-6", null, TokenUsage.of(1000, 100),
                false, 20, BigDecimal.valueOf(micros, 6));
    }

    @Test
    void aStoreWithANewerSchemaIsRefused(@TempDir Path home) {
        dev.plutus.engine.EngineConfig cfg = TestSupport.config(home, java.util.Map.of()).build();
        StoreSettings settings = StoreSettings.load(cfg.home().settingsFile());
        try (Database db = settings.open(cfg.home().database(), 2, cfg.environment())) {
            assertEquals(Schema.MIGRATIONS.size(), db.schemaVersion());
            db.jdbc().update(db.jdbc().dialect() == Dialect.SQLITE ? "PRAGMA user_version = 99" : "INSERT INTO plutus_schema(version) VALUES (99)");
        }
        var e = assertThrows(IllegalStateException.class, () -> settings.open(cfg.home().database(), 2, cfg.environment()));
        assertTrue(e.getMessage().contains("schema version 99 is newer than this Plutus"), e.getMessage());
    }

    /** Reservation holds may commit without waiting for the disk; calls never do. */
    @Test
    void onlyEphemeralTransactionsCommitWithoutWaitingForTheDisk(@TempDir Path home) {
        dev.plutus.engine.EngineConfig cfg = TestSupport.config(home, java.util.Map.of()).build();
        try (Database db = StoreSettings.load(cfg.home().settingsFile()).open(cfg.home().database(), 2, cfg.environment())) {
            Jdbc jdbc = db.jdbc();
            String show = jdbc.dialect() == Dialect.SQLITE ? "PRAGMA synchronous" : "SHOW synchronous_commit";
            String durable = jdbc.inTransaction(c -> Jdbc.query(c, show, rs -> rs.getString(1)).get(0));
            String ephemeral = jdbc.inEphemeralTransaction(c -> Jdbc.query(c, show, rs -> rs.getString(1)).get(0));
            String after = jdbc.query(show, rs -> rs.getString(1)).get(0);
            if (jdbc.dialect() == Dialect.SQLITE) {
                // WAL with synchronous=NORMAL: no commit waits for a sync, durable or not.
                assertEquals(List.of("1", "1", "1"), List.of(durable, ephemeral, after));
            } else {
                assertEquals(List.of("on", "off", "on"), List.of(durable, ephemeral, after), "the setting is the transaction's alone");
            }
        }
    }

    @Test
    @org.junit.jupiter.api.Tag("sqlite-file")
    void theSqliteFileIsInWalModeWithForeignKeysAndAVersion(@TempDir Path home) {
        try (Database db = Database.open(home.resolve("plutus.db"), 2)) {
            assertEquals(Schema.MIGRATIONS.size(), db.schemaVersion());
            assertEquals("wal", db.jdbc().query("PRAGMA journal_mode", rs -> rs.getString(1)).get(0));
            assertEquals(1L, db.jdbc().queryLong("PRAGMA foreign_keys"));
            db.jdbc().update("PRAGMA user_version = 99");
        }
        var e = assertThrows(IllegalStateException.class, () -> Database.open(home.resolve("plutus.db"), 2));
        assertTrue(e.getMessage().contains("newer than this Plutus"), e.getMessage());
    }

    @Test
    void aBatchStoresEachEventOnceWithIdsInOrderAcrossStatements(@TempDir Path home) {
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            assertFalse(p.record(call("old", NOON, "s", 5)).duplicate());
            List<CallEvent> batch = new ArrayList<>();
            for (int i = 0; i < 450; i++) {
                // Three statements' worth; repeats of earlier rows (in this batch, and stored before) among them.
                batch.add(i % 7 == 3 ? call("e1", NOON, "s" + (i % 5), 5) : i % 50 == 10 ? call("old", NOON, "s", 5)
                        : call(i % 11 == 0 ? null : "e" + i, NOON, "s" + (i % 5), 1_000 + i));
            }
            List<dev.plutus.core.RecordedCall> out = p.recordAll(batch);
            long fresh = out.stream().filter(r -> !r.duplicate()).count();
            long expected = 0;
            long micros = 5;
            for (int i = 0; i < 450; i++) {
                if (i % 7 != 3 && i % 50 != 10) {
                    expected++;
                    micros += 1_000 + i;
                }
                assertEquals(i % 7 == 3 || i % 50 == 10, out.get(i).duplicate(), "row " + i);
            }
            assertEquals(expected, fresh);
            assertEquals(expected + 1, p.calls().count());
            assertEquals(micros, p.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).spentMicros());
            // Each stored row holds what its own event said: ids were matched to rows in order.
            for (dev.plutus.core.LlmCall c : p.calls().recent(500)) {
                if (c.eventId() != null && c.eventId().startsWith("e")) {
                    assertEquals(1_000 + Integer.parseInt(c.eventId().substring(1)), c.costMicros(), c.eventId());
                }
            }
        }
    }

    @Test
    void concurrentThreadsKeepExactTotals(@TempDir Path home) throws Exception {
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        p.record(call("t" + thread + "-" + i, NOON, "s" + thread, 1_234));
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(2000, p.calls().count());
            assertEquals(2000L * 1_234, p.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).spentMicros());
            assertEquals(2000L * 1_234, p.stats().total(NOON.minus(Duration.ofDays(1))).costMicros());
        }
    }

    @Test
    void twoProcessesOnOneDatabaseKeepExactTotals(@TempDir Path home) throws Exception {
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), RecorderProcess.class.getName(),
                    home.toString(), "other-", "1500", NOON.toString()).inheritIO().start();
            for (int i = 0; i < 1500; i++) {
                p.record(call("mine-" + i, NOON, "mine", 123));
            }
            assertTrue(other.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, other.exitValue());
            p.syncLedger();
            assertEquals(3000, p.calls().count());
            assertEquals(3000L * 123, p.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).spentMicros());
            // A freshly opened instance rebuilds the same totals from the database.
            try (TestEngine again = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
                assertEquals(3000L * 123, again.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).spentMicros());
            }
        }
    }

    @Test
    void retentionPurgesRawRowsButRollupsKeepEverything(@TempDir Path home) throws Exception {
        MutableClock clock = new MutableClock(NOON, ZoneId.of("UTC"));
        try (TestEngine p = TestSupport.open(home, clock)) {
            Instant old = NOON.minus(Duration.ofDays(500));
            p.record(call("old", old, "old-session", 5_000));
            p.recordTool(new ToolCall("tool-old", old, "old-session", "terminal", "ok", null, 5));
            p.record(call("new", NOON.minus(Duration.ofHours(2)), "new-session", 7_000));
            p.purgeIfDue();
            assertEquals(1, p.calls().count());
            assertEquals(12_000, p.stats().total(NOON.minus(Duration.ofDays(600))).costMicros(), "rollups keep purged spend");
            assertEquals(7_000, p.stats().total(NOON.minus(Duration.ofDays(1))).costMicros());
            assertTrue(p.stats().recentSessions(NOON.minus(Duration.ofDays(600)), 10).stream()
                    .noneMatch(r -> r.sessionId().equals("old-session")), "sessions with no rows left go too");
            String month = p.commands().run("stats", "month").text();
            assertTrue(month.contains("$0.0070"), month);
        }
    }

    @Test
    void statsWindowsCountPartialHoursFromRawRowsAndFullHoursFromRollups(@TempDir Path home) throws Exception {
        try (TestEngine p = TestSupport.open(home, new MutableClock(NOON, ZoneId.of("UTC")))) {
            Instant since = NOON.minus(Duration.ofHours(24));
            p.record(call("before", since.minusSeconds(60), "s", 1));
            p.record(call("edge", since.plusSeconds(60), "s", 10));
            p.rollups().catchUp();
            p.record(call("late", NOON.minusSeconds(10), "s", 100));
            p.record(call("inside", NOON.minus(Duration.ofHours(5)), "s", 1000));
            assertEquals(1110, p.stats().total(since).costMicros());
            p.rollups().catchUp();
            assertEquals(1110, p.stats().total(since).costMicros());
        }
    }
}
