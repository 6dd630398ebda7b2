package dev.plutus.store;

import dev.plutus.TestEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.plutus.core.CallEvent;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import dev.plutus.TestSupport.HookEvent;
import dev.plutus.TestSupport.MutableClock;
import dev.plutus.core.TokenUsage;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.Window;
import dev.plutus.bench.ReservationRace;
import dev.plutus.command.SlashCommands;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same work on SQLite and on PostgreSQL must give the same answers: a Hermes session replayed
 * through the hooks, its /stats and /budget, keys, runway records; and on PostgreSQL, two hosts
 * sharing one database keep exact totals and one hard cap.
 */
class BothStoresTest {
    static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");

    private static TestEngine open(Path home, Map<String, String> env, java.time.Clock clock) {
        return TestEngine.open(EngineConfig.builder(new HomeLayout(home)).clock(clock).environment(env).build());
    }

    private static Map<String, String> pg(Path home) throws Exception {
        Optional<Map<String, String>> env = TestSupport.postgresHome(home);
        assumeTrue(env.isPresent(), "no PostgreSQL test server (PLUTUS_TEST_PG_URL): .ci/postgres starts one");
        return env.get();
    }

    /** Everything a user sees after one Hermes session (and a cron run), as JSON. */
    private static List<String> replaySession(TestEngine p) throws Exception {
        for (String f : List.of("session-sequence.jsonl", "session-sequence-cron.jsonl")) {
            for (HookEvent e : TestSupport.sequence(f)) {
                p.hooks().dispatch(e.hook(), e.kwargs());
            }
        }
        SlashCommands cmd = p.commands();
        List<String> out = new ArrayList<>();
        for (String args : List.of("month", "providers month", "models month", "tools month", "cron month", "sessions month", "daily month")) {
            out.add(cmd.run("stats", args).json().toString());
        }
        out.add(cmd.run("budget", "").text());
        out.add(cmd.run("stats", "raw 50").json().toString());
        return out;
    }

    @Test
    void aReplayedHermesSessionReadsTheSameOnBothStores(@TempDir Path sqlite, @TempDir Path postgres) throws Exception {
        Map<String, String> env = pg(postgres);
        String budget = "budgets:\n  global:\n    daily_usd: 0.05\n  per_cron_job:\n    default:\n      daily_usd: 0.01\n";
        Files.writeString(sqlite.resolve("budget.yaml"), budget);
        Files.writeString(postgres.resolve("budget.yaml"), budget);
        List<String> a;
        List<String> b;
        try (TestEngine p = open(sqlite, Map.of(), new MutableClock(NOON, ZoneId.of("UTC")))) {
            a = replaySession(p);
        }
        try (TestEngine p = open(postgres, env, new MutableClock(NOON, ZoneId.of("UTC")))) {
            b = replaySession(p);
            assertTrue(p.calls().count() > 0);
        }
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i), b.get(i), "report " + i + " differs between SQLite and PostgreSQL");
        }
        // Reopening rebuilds the running totals from the database. The calls cut short lately are the process's own
        // (docs/reservations.md): a new process starts with none, and the rest reads the same.
        try (TestEngine p = open(postgres, env, new MutableClock(NOON, ZoneId.of("UTC")))) {
            String before = a.get(a.size() - 2);
            assertTrue(before.contains("Model calls cut short lately"), before);
            assertEquals(before.replaceAll("(?s)\nModel calls cut short lately.*?\n\n", "\n"), p.commands().run("budget", "").text());
        }
    }

    @Test
    void keysIdempotencyRunwayAndOutboxRecordsWorkOnPostgres(@TempDir Path home) throws Exception {
        Map<String, String> env = pg(home);
        try (TestEngine p = open(home, env, new MutableClock(NOON, ZoneId.of("UTC")))) {
            var created = p.apiKeys().create("agent");
            assertTrue(p.apiKeys().authenticate("Bearer " + created.secret()) instanceof dev.plutus.ingest.ApiKeys.Authentication.Accepted);
            p.apiKeys().revoke(created.key().keyId());
            assertTrue(p.apiKeys().authenticate("Bearer " + created.secret()) instanceof dev.plutus.ingest.ApiKeys.Authentication.Refused);
            // A minute before the calibration below, so it is among the spend the balance already reflects.
            Instant before = NOON.minusSeconds(60);
            p.record(new CallEvent("e1", before, "s1", "cli", "anthropic", "claude-sonnet-4-6", null, TokenUsage.of(1000, 100), false, 5,
                    new BigDecimal("1.25")));
            assertTrue(p.record(new CallEvent("e1", before, "s1", "cli", "anthropic", "claude-sonnet-4-6", null, TokenUsage.of(1000, 100),
                    false, 5, new BigDecimal("1.25"))).duplicate(), "an event id is stored once");
            Files.writeString(home.resolve("runway.yaml"), "providers:\n  anthropic: {probe: false, budget_usd: 10}\n");
            assertEquals(List.of("anthropic: balance $5.00 + $1.25 recorded = budget $6.25 (runway.yaml says $10.00)."),
                    p.runway().calibrate(Map.of("anthropic", new BigDecimal("5"))));
            var v = p.runway().view(false);
            p.runway().snapshot(v);
            assertEquals(5_000_000L, v.providers().get(0).remainingMicros());
            assertEquals(1, p.runway().store().recentSnapshots(5).get("anthropic").size());
            assertTrue(p.runway().store().raiseAlert("anthropic", "balance", NOON, "low"));
            assertTrue(!p.runway().store().raiseAlert("anthropic", "balance", NOON, "low"), "once per crossing");
            assertEquals(List.of("low"), p.runway().store().claimUnannounced());
            try (Database db = StoreSettings.load(home.resolve("plutus.yaml")).open(home.resolve("unused.db"), 1, env)) {
                assertEquals(Dialect.POSTGRES, db.dialect());
                RemoteOutbox outbox = new RemoteOutbox(db.jdbc());
                assertTrue(outbox.add("x1", "{}", NOON));
                assertEquals(1, outbox.next(10).ids().size());
                assertEquals(1, outbox.counts().pending());
            }
            p.engine().meta().put("k", "v1");
            p.engine().meta().put("k", "v2");
            assertEquals("v2", p.engine().meta().get("k").orElseThrow());
            p.rollups().catchUp();
            p.purgeIfDue();
        }
    }

    @Test
    void twoHostsOnOnePostgresKeepExactTotals(@TempDir Path hostA, @TempDir Path hostB) throws Exception {
        Map<String, String> env = pg(hostA);
        Files.copy(hostA.resolve("plutus.yaml"), hostB.resolve("plutus.yaml"));
        try (TestEngine a = open(hostA, env, new MutableClock(NOON, ZoneId.of("UTC")));
             TestEngine b = open(hostB, env, new MutableClock(NOON, ZoneId.of("UTC")))) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> f = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                TestEngine host = t % 2 == 0 ? a : b;
                int thread = t;
                f.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        host.record(new CallEvent("h" + thread + "-" + i, NOON, "s" + thread, "cli", "anthropic", "claude-sonnet-4-6", null,
                                TokenUsage.of(10, 10), false, 1, new BigDecimal("0.000123")));
                    }
                    return null;
                }));
            }
            for (Future<?> x : f) {
                x.get();
            }
            pool.shutdown();
            a.syncLedger();
            b.syncLedger();
            assertEquals(2000, a.calls().count());
            assertEquals(2000L * 123, a.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).spentMicros(), "host A counted every row once");
            assertEquals(2000L * 123, b.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).spentMicros(), "host B too");
        }
    }

    @Test
    void twoHostsOnOnePostgresHoldOneHardCap(@TempDir Path hostA, @TempDir Path hostB) throws Exception {
        Map<String, String> env = pg(hostA);
        Files.copy(hostA.resolve("plutus.yaml"), hostB.resolve("plutus.yaml"));
        String budget = "budgets:\n  global:\n    daily_usd: 20\nreservations:\n  shared: true\n";
        Files.writeString(hostA.resolve("budget.yaml"), budget);
        Files.writeString(hostB.resolve("budget.yaml"), budget);
        java.time.Clock fixed = java.time.Clock.fixed(ReservationRace.NOON, java.time.ZoneOffset.UTC);
        try (TestEngine a = open(hostA, env, fixed); TestEngine b = open(hostB, env, fixed)) {
            ExecutorService two = Executors.newFixedThreadPool(2);
            Future<List<ReservationRace.SessionResult>> ra = two.submit(() -> ReservationRace.race(a.engine(), "a", 4, 1000, 1));
            Future<List<ReservationRace.SessionResult>> rb = two.submit(() -> ReservationRace.race(b.engine(), "b", 4, 1000, 2));
            List<ReservationRace.SessionResult> all = new ArrayList<>(ra.get());
            all.addAll(rb.get());
            two.shutdown();
            a.syncLedger();
            long spent = a.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, ReservationRace.NOON).spentMicros();
            long bound = all.stream().mapToLong(ReservationRace.SessionResult::largestMicros).sum();
            System.out.printf("postgres, 2 hosts × 4 sessions: spend $%s of $20, overshoot $%s (bound $%s)%n", dev.plutus.core.Money.microsToUsd(spent),
                    dev.plutus.core.Money.microsToUsd(Math.max(0, spent - 20_000_000)), dev.plutus.core.Money.microsToUsd(bound));
            assertTrue(spent <= 20_000_000 + bound, spent + " over the bound");
            assertTrue(spent >= 18_000_000, "the cap was reached: " + spent);
        }
    }

    @Test
    void aBrokenStoreSectionNamesTheField(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("plutus.yaml"), "store:\n  url: jdbc:postgresql://db/plutus?password=x\n");
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.plutus.config.ConfigException.class,
                () -> open(home, Map.of(), java.time.Clock.systemUTC()));
        assertTrue(e.getMessage().startsWith("plutus.yaml:2: store.url: keep the password out of the URL"), e.getMessage());
        Files.writeString(home.resolve("plutus.yaml"), "store:\n  url: mysql://db\n");
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(dev.plutus.config.ConfigException.class,
                () -> open(home, Map.of(), java.time.Clock.systemUTC())).getMessage().contains("unsupported store URL"));
    }
}
