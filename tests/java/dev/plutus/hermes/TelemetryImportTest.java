package dev.plutus.hermes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestEngine;
import dev.plutus.TestSupport;
import dev.plutus.budget.ScopeKind;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.Window;
import dev.plutus.core.CallEvent;
import dev.plutus.core.TokenUsage;
import dev.plutus.store.PeerImportStore;
import dev.plutus.store.SessionRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hermes-telemetry's database (a real SQLite file of its schema 16) imported into a real Plutus store. */
@Tag("store")
class TelemetryImportTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final Instant YESTERDAY = NOW.minus(Duration.ofDays(1));
    @TempDir Path home;
    @TempDir Path peer;

    TestEngine open() {
        return TestSupport.open(home, new TestSupport.MutableClock(NOW, ZoneId.of("UTC")));
    }

    Path db() {
        return peer.resolve("telemetry.db");
    }

    /** A chat session with a sender, a cron run and a subagent it delegated to, each with calls and tools. */
    TelemetryFixture sample() throws Exception {
        return TelemetryFixture.create(db(), 16)
                .run("chat-1", "telegram", null, "telegram:42", null, YESTERDAY, YESTERDAY.plusSeconds(60), "ok")
                .run("cron_nightly_20261201", "cron", "nightly", null, null, NOW.minusSeconds(3600), null, "running")
                .run("child-1", "subagent", null, null, null, NOW.minusSeconds(3500), NOW.minusSeconds(3400), "interrupted")
                .edge("child-1", "cron_nightly_20261201", NOW.minusSeconds(3500))
                // Plutus prices this at 1000×$3 + 500×$15 + 2000×$0.30 per million = $0.0111; the peer said $0.02
                .call("chat-1", YESTERDAY.plusSeconds(10), "anthropic", "claude-sonnet-4", 1000, 500, 2000, 0, 0, 0.02)
                .call("cron_nightly_20261201", NOW.minusSeconds(3000), "deepseek", "deepseek-chat", 100_000, 10_000, 0, 0, 0, 0.0322)
                .call("child-1", NOW.minusSeconds(3450), "deepseek", "deepseek-chat", 50_000, 0, 0, 0, 0, 0.014)
                .tool("chat-1", YESTERDAY.plusSeconds(20), "web_search", true)
                .tool("child-1", NOW.minusSeconds(3440), "terminal", false);
    }

    @Test
    void callsArePricedByPlutusWithThePeersCostKeptBesideThem() throws Exception {
        try (TelemetryFixture f = sample(); TestEngine p = open()) {
            TelemetryImport.Result r = TelemetryImport.run(p.engine(), db());
            assertEquals(3, r.callsImported());
            assertEquals(2, r.toolsImported());
            assertEquals(3, r.sessions());
            assertEquals(List.of(), r.setAside());

            TokenUsage sonnet = new TokenUsage(1000, 500, 2000, 0, 0, 0);
            assertEquals(11_100L, p.pricing().price("anthropic", "claude-sonnet-4", null, sonnet).micros());
            PeerImportStore store = new PeerImportStore(p.engine().jdbc());
            PeerImportStore.ModelCosts s = cost(r, "claude-sonnet-4");
            assertEquals(11_100L, s.plutusMicros(), "re-priced by Plutus's table, not the peer's cost");
            assertEquals(20_000L, s.peerMicros(), "the peer's $0.02 kept");
            PeerImportStore.ModelCosts ds = cost(r, "deepseek-chat");
            assertEquals(p.pricing().price("deepseek", "deepseek-chat", null, TokenUsage.of(100_000, 10_000)).micros()
                    + p.pricing().price("deepseek", "deepseek-chat", null, TokenUsage.of(50_000, 0)).micros(), ds.plutusMicros());
            assertEquals(32_200L + 14_000L, ds.peerMicros());
            assertEquals(r.importedMicros(), s.plutusMicros() + ds.plutusMicros());
            String text = String.join("\n", TelemetryImport.describe(r));
            assertTrue(text.contains("anthropic claude-sonnet-4: 1 calls, hermes-telemetry said $0.020, Plutus prices $0.011"), text);

            SessionRecord chat = p.sessions().find("chat-1").orElseThrow();
            assertEquals("telegram:42", chat.senderId());
            assertEquals("telegram", chat.platform());
            assertEquals("ok", chat.status());
            SessionRecord cron = p.sessions().find("cron_nightly_20261201").orElseThrow();
            assertEquals("nightly", cron.cronJobId());
            SessionRecord child = p.sessions().find("child-1").orElseThrow();
            assertEquals("cron_nightly_20261201", child.parentSessionId());
            assertEquals("cron_nightly_20261201", child.rootSessionId());
            assertEquals("nightly", child.cronJobId(), "delegated work counts toward the cron job, as in Plutus");
            assertEquals("interrupted", child.status());

            long nightly = p.ledger().spend(ScopeRef.of(ScopeKind.CRON_JOB, "nightly"), Window.DAILY, NOW).spentMicros();
            assertEquals(ds.plutusMicros(), nightly, "the cron job's budget holds its run's and its subagent's calls");
            // NOW is Tuesday 1 December: yesterday is in this week (from Monday), not in this month.
            long sender = p.ledger().spend(ScopeRef.of(ScopeKind.SENDER, "telegram:42"), Window.WEEKLY, NOW).spentMicros();
            assertEquals(11_100L, sender);
            for (Window w : List.of(Window.DAILY, Window.MONTHLY)) {
                assertEquals(0, p.ledger().spend(ScopeRef.of(ScopeKind.SENDER, "telegram:42"), w, NOW).spentMicros(),
                        "yesterday's call counts yesterday, in November: an import moves no budget period");
            }

            List<String> tools = p.engine().jdbc().query("SELECT tool_name || ':' || status || ':' || session_id FROM tool_calls"
                    + " WHERE event_id LIKE 'hermes-telemetry:%' ORDER BY ts", rs -> rs.getString(1));
            assertEquals(List.of("web_search:ok:chat-1", "terminal:error:child-1"), tools);
            String firstId = p.engine().jdbc().query("SELECT event_id FROM llm_calls ORDER BY ts LIMIT 1", rs -> rs.getString(1)).get(0);
            assertTrue(firstId.startsWith("hermes-telemetry:llm:1-"), firstId);
            assertEquals(20_000L, store.peerCost(firstId));
        }
    }

    @Test
    void aSecondRunImportsNothingAndALaterOneOnlyWhatThePeerAddedMeanwhile() throws Exception {
        sample().close();
        try (TestEngine p = open()) {
            TelemetryImport.Result first = TelemetryImport.run(p.engine(), db());
            long spent = p.ledger().spend(ScopeRef.GLOBAL, Window.WEEKLY, NOW).spentMicros();
            long rows = p.calls().count();

            TelemetryImport.Result again = TelemetryImport.run(p.engine(), db());
            assertEquals(0, again.callsImported());
            assertEquals(0, again.toolsImported());
            assertEquals(3, again.callsAlreadyImported());
            assertEquals(2, again.toolsAlreadyImported());
            assertEquals(0, again.newSessions());
            assertEquals(rows, p.calls().count());
            assertEquals(spent, p.ledger().spend(ScopeRef.GLOBAL, Window.WEEKLY, NOW).spentMicros());
            assertEquals(first.byModel(), again.byModel());

            try (TelemetryFixture f = TelemetryFixture.reopen(db())) {
                f.call("chat-1", NOW.minusSeconds(60), "deepseek", "deepseek-chat", 10_000, 1_000, 0, 0, 0, 0.00322)
                        .tool("chat-1", NOW.minusSeconds(50), "read_file", true);
            }
            TelemetryImport.Result later = TelemetryImport.run(p.engine(), db());
            assertEquals(1, later.callsImported());
            assertEquals(1, later.toolsImported());
            assertEquals(3, later.callsAlreadyImported());
            assertEquals(rows + 1, p.calls().count());
            long added = p.pricing().price("deepseek", "deepseek-chat", null, TokenUsage.of(10_000, 1_000)).micros();
            assertEquals(added, later.importedMicros());
            assertEquals(spent + added, p.ledger().spend(ScopeRef.GLOBAL, Window.WEEKLY, NOW).spentMicros());
        }
    }

    @Test
    void aPeerDatabaseStartedAfreshIsNotTakenForTheOldOne() throws Exception {
        try (TelemetryFixture f = TelemetryFixture.create(db(), 16)) {
            f.call("a", NOW.minusSeconds(600), "deepseek", "deepseek-chat", 1000, 100, 0, 0, 0, 0.001);
        }
        try (TestEngine p = open()) {
            assertEquals(1, TelemetryImport.run(p.engine(), db()).callsImported());
            Files.delete(db());
            try (TelemetryFixture f = TelemetryFixture.create(db(), 16)) {
                f.call("b", NOW.minusSeconds(60), "deepseek", "deepseek-chat", 1000, 100, 0, 0, 0, 0.001);
            }
            assertEquals(1, TelemetryImport.run(p.engine(), db()).callsImported(), "row id 1 again, but another call");
        }
    }

    @Test
    void sessionsPlutusRecordedItselfAreNotCountedTwice() throws Exception {
        sample().close();
        try (TestEngine p = open()) {
            p.record(new CallEvent("hook-1", YESTERDAY.plusSeconds(10), "chat-1", "telegram", "anthropic", "claude-sonnet-4", null,
                    new TokenUsage(1000, 500, 2000, 0, 0, 0), false, 0, null));
            TelemetryImport.Result r = TelemetryImport.run(p.engine(), db());
            assertEquals(2, r.callsImported());
            assertEquals(1, r.callsInPlutusSessions());
            assertEquals(1, r.toolsImported(), "chat-1's tool call came through Plutus's own hooks too");
        }
    }

    @Test
    void rowsWithAbsurdValuesAreSetAsideNamedAndNeverCounted() throws Exception {
        try (TelemetryFixture f = TelemetryFixture.create(db(), 16)) {
            f.run("s", "cli", null, null, null, NOW.minusSeconds(600), null, "running")
                    .call("s", NOW.minusSeconds(500), "deepseek", "deepseek-chat", 1000, 100, 0, 0, 0, 0.001)
                    .call("s", NOW.plus(Duration.ofDays(400)), "deepseek", "deepseek-chat", 1000, 100, 0, 0, 0, 0.001)
                    .call("s", "1970-01-01T00:00:00+00:00", "deepseek", "deepseek-chat", 1000, 100, 0, 0, 0, 0.001)
                    .call("s", "yesterday-ish", "deepseek", "deepseek-chat", 1000, 100, 0, 0, 0, 0.001)
                    .call("s", NOW.minusSeconds(400), "deepseek", "deepseek-chat", -5, 100, 0, 0, 0, 0.001)
                    .call("s", NOW.minusSeconds(300), "deepseek", "deepseek-chat", 1000, 5_000_000_000_000L, 0, 0, 0, 0.001)
                    .call("s", NOW.minusSeconds(200), "deepseek", "deepseek-chat", 1000, 100, 0, 0, 0, 2_000_000.0)
                    .call("s", NOW.minusSeconds(100), "deepseek", "deepseek-chat", 1000, 100, 0, 0, 0, -0.5)
                    .call("s", NOW.minusSeconds(90), "deepseek", "deepseek-chat", "lots", 100, 0, 0, 0, 0.001);
        }
        try (TestEngine p = open()) {
            TelemetryImport.Result r = TelemetryImport.run(p.engine(), db());
            assertEquals(1, r.callsImported());
            List<String> problems = r.setAside().stream().map(TelemetryImport.SetAside::toString).toList();
            assertEquals(8, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("llm_calls id 2: time is in the future by more than 5 minutes"), problems.get(0));
            assertTrue(problems.get(1).startsWith("llm_calls id 3: time is before 2000-01-01"), problems.get(1));
            assertEquals("llm_calls id 4: time 'yesterday-ish' is not an ISO-8601 time", problems.get(2));
            assertEquals("llm_calls id 5: tokens_in is negative: -5", problems.get(3));
            assertEquals("llm_calls id 6: tokens_out of 5000000000000 is over 1000000000000", problems.get(4));
            assertEquals("llm_calls id 7: cost_usd of $2000000.0 is over $1000000", problems.get(5));
            assertEquals("llm_calls id 8: cost_usd is negative: -0.5", problems.get(6));
            assertEquals("llm_calls id 9: tokens_in is not a whole number: lots", problems.get(7));
            long one = p.pricing().price("deepseek", "deepseek-chat", null, TokenUsage.of(1000, 100)).micros();
            assertEquals(one, p.ledger().spend(ScopeRef.GLOBAL, Window.MONTHLY, NOW).spentMicros());
            assertEquals(1, p.calls().count());
            assertTrue(String.join("\n", TelemetryImport.describe(r)).contains("set aside (not imported, not counted): 8"));
            assertEquals(0, TelemetryImport.run(p.engine(), db()).callsImported(), "set aside again, not imported later");
        }
    }

    @Test
    void rowsOlderThanRetentionAreLeftOutSoAPurgeCannotBringThemBack() throws Exception {
        try (TelemetryFixture f = TelemetryFixture.create(db(), 16)) {
            f.call("old", NOW.minus(Duration.ofDays(500)), "deepseek", "deepseek-chat", 1000, 100, 0, 0, 0, 0.001)
                    .call("new", NOW.minusSeconds(60), "deepseek", "deepseek-chat", 1000, 100, 0, 0, 0, 0.001);
        }
        try (TestEngine p = open()) {
            TelemetryImport.Result r = TelemetryImport.run(p.engine(), db());
            assertEquals(1, r.callsImported());
            assertEquals(1, r.olderThanRetention());
        }
    }

    @Test
    void aDatabaseOfAnotherSchemaOrNoneIsRefusedNamingFileAndProblem() throws Exception {
        try (TelemetryFixture f = TelemetryFixture.create(db(), 15)) {
            f.call("a", NOW.minusSeconds(60), "deepseek", "deepseek-chat", 1, 1, 0, 0, 0, 0.0);
        }
        Path other = peer.resolve("not-a-db.db");
        Files.writeString(other, "this is not SQLite, only long enough to look like a file header to nobody at all.......");
        Path empty = peer.resolve("empty.db");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + empty); var st = c.createStatement()) {
            st.execute("CREATE TABLE t (x)");
        }
        try (TestEngine p = open()) {
            var old = assertThrows(IllegalArgumentException.class, () -> TelemetryImport.run(p.engine(), db()));
            assertEquals(db() + ": hermes-telemetry schema version 15 is not one this import understands (16); start Hermes once"
                    + " with an up-to-date hermes-telemetry so it migrates its database", old.getMessage());
            var missing = assertThrows(IllegalArgumentException.class, () -> TelemetryImport.run(p.engine(), peer.resolve("nope.db")));
            assertTrue(missing.getMessage().startsWith(peer.resolve("nope.db") + ": no such file"), missing.getMessage());
            var junk = assertThrows(IllegalArgumentException.class, () -> TelemetryImport.run(p.engine(), other));
            assertTrue(junk.getMessage().startsWith(other + ": cannot be read as an SQLite database"), junk.getMessage());
            var foreign = assertThrows(IllegalArgumentException.class, () -> TelemetryImport.run(p.engine(), empty));
            assertEquals(empty + ": not a hermes-telemetry database (it has no schema_version table)", foreign.getMessage());
            assertEquals(0, p.calls().count());
        }
        assertFalse(Files.exists(peer.resolve("nope.db")), "a read-only import creates no file");
    }

    private static PeerImportStore.ModelCosts cost(TelemetryImport.Result r, String model) {
        return r.byModel().stream().filter(m -> m.model().equals(model)).findFirst().orElseThrow();
    }
}
