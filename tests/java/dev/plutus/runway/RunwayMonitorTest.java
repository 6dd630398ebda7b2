package dev.plutus.runway;

import dev.plutus.TestEngine;
import dev.plutus.provider.ProviderKind;
import dev.plutus.hermes.HermesStateBackfill;
import dev.plutus.provider.FakeProviders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.CallEvent;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import dev.plutus.core.TokenUsage;
import dev.plutus.hermes.HookReply;
import dev.plutus.report.Rendered;
import dev.plutus.report.RunwayReport;
import dev.plutus.command.SlashCommands;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runway end to end on a real SQLite home, a fake provider server on port 0, and a Hermes home with config.yaml and .env. */
@org.junit.jupiter.api.Tag("store")
class RunwayMonitorTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    @TempDir Path home;
    @TempDir Path hermes;
    FakeProviders fake;
    TestSupport.MutableClock clock;
    final AtomicInteger ids = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        fake = new FakeProviders();
        clock = new TestSupport.MutableClock(NOW, ZoneId.of("UTC"));
        Files.writeString(hermes.resolve(".env"), "DEEPSEEK_API_KEY=sk-ds-test\nGEMINI_API_KEY=gm-test\nANTHROPIC_API_KEY=sk-ant-test\n");
        Files.copy(TestSupport.hermesFixture("config.example.yaml"), hermes.resolve("config.yaml"));
        fake.fixture("/ds/models", "deepseek-models.json").fixture("/ge/models", "gemini-models.json")
                .fixture("/an/v1/models", "anthropic-models.json");
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    TestEngine open(String runwayYaml) throws Exception {
        Files.writeString(home.resolve("runway.yaml"), runwayYaml.replace("$FAKE", fake.base("").toString()).replace("$HERMES", hermes.toString()));
        return TestEngine.open(TestSupport.config(home, Map.of()).clock(clock).build());
    }

    void spend(TestEngine p, String provider, String usd, Instant at) {
        p.record(new CallEvent("t" + ids.incrementAndGet(), at, "s-" + provider, "cli", provider, "m", null,
                new TokenUsage(10, 10, 0, 0, 0, 0), false, 0, new BigDecimal(usd)));
    }

    static final String THREE = """
            hermes_home: $HERMES
            timeout: 2s
            providers:
              deepseek:
                base_url: $FAKE/ds
                flagship: deepseek-reasoner
                fast: deepseek-chat
              anthropic:
                base_url: $FAKE/an
                budget_usd: 74.46
              google:
                kind: gemini
                base_url: $FAKE/ge
                budget_usd: 100
                flagship: gemini-2.5-pro
                fast: gemini-2.5-flash
              openrouter:
                base_url: $FAKE/or
                key_env: OR_KEY_MISSING
            """;

    @Test
    void liveBalancesEstimatesRateLimitsAndFailuresSideBySide() throws Exception {
        fake.fixture("/ds/user/balance", "deepseek-user-balance-usd-cny.json")
                .answer("/an/v1/messages", FakeProviders.headerBlock("anthropic-ratelimit-headers.txt", 1, "{}"));
        try (TestEngine p = open(THREE)) {
            spend(p, "deepseek", "7.00", NOW.minus(Duration.ofDays(2)));
            spend(p, "anthropic", "14.00", NOW.minus(Duration.ofDays(3)));
            spend(p, "anthropic", "7.00", NOW.minus(Duration.ofDays(10)));
            spend(p, "anthropic", "0.83", NOW.minus(Duration.ofHours(1)));
            spend(p, "gemini", "3.50", NOW.minus(Duration.ofDays(1)));
            RunwayView v = p.runway().view(false);
            ProviderRunway ds = find(v, "deepseek");
            assertEquals(ProviderRunway.Source.LIVE, ds.source());
            assertEquals(12_500_000L, ds.remainingMicros());
            assertEquals(1_000_000L, ds.burnMicrosPerDay());
            assertEquals(new BigDecimal("12.5"), ds.daysLeft());
            assertEquals(LocalDate.of(2026, 12, 14), ds.exhaustsOn());

            ProviderRunway an = find(v, "anthropic");
            assertEquals(ProviderRunway.Source.ESTIMATE, an.source());
            assertEquals(74_460_000L - 21_830_000L, an.remainingMicros(), "budget minus all recorded spend");
            assertEquals(830_000L, an.spend().todayMicros());
            assertEquals(14_830_000L, an.spend().last7Micros());
            assertEquals(7_000_000L, an.spend().prev7Micros());
            assertEquals(new BigDecimal("112"), an.trendPct(), "14.83 vs 7.00 the week before");
            assertEquals("ok", an.limits().status());
            assertEquals(new BigDecimal("24.8"), an.daysLeft(), "52.63 / (14.83 / 7) cut to one place");

            ProviderRunway g = find(v, "google");
            assertEquals(3_500_000L, g.spend().allMicros(), "Hermes's 'gemini' provider id counts toward runway.yaml's google");
            assertEquals(96_500_000L, g.remainingMicros());

            ProviderRunway or = find(v, "openrouter");
            assertEquals(ProviderRunway.Source.UNKNOWN, or.source());
            assertTrue(or.error().startsWith("no key: no key in OR_KEY_MISSING"), or.error());

            Rendered r = RunwayReport.render(v);
            assertTrue(r.text().contains("deepseek") && r.text().contains("$12.50") && r.text().contains("12.5"), r.text());
            assertTrue(r.text().contains("openrouter: no key"), r.text());
            assertTrue(r.text().contains("rate limits ok: requests 999/1,000 left"), r.text());
            assertEquals("google", r.json().path("providers").get(0).path("provider").asText(), "most runway first");
            assertEquals("anthropic", r.json().path("providers").get(1).path("provider").asText());
            assertEquals(0, new BigDecimal("12.5").compareTo(r.json().path("providers").get(2).path("days_left").decimalValue()));
            assertEquals("openrouter", r.json().path("providers").get(3).path("provider").asText(), "unknown money ranks last");
            assertTrue(r.text().contains("Router: primary gemini/gemini-2.5-pro, delegation deepseek/deepseek-chat"), r.text());
            String slash = p.commands().run("runway", "").text();
            assertTrue(slash.startsWith("Runway — 2026-12-01 12:00 UTC"), slash);
            String html = RunwayReport.html(v);
            assertTrue(html.contains("<td><b>deepseek</b>") && !html.contains("http://") && !html.contains("<script"), "self-contained");
        }
    }

    static ProviderRunway find(RunwayView v, String name) {
        return v.providers().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void calibrationBackSolvesTheBudgetAndLaterSpendCountsAgainstTheConsoleBalance() throws Exception {
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  anthropic: {probe: false, budget_usd: 200}\n")) {
            spend(p, "anthropic", "21.83", NOW.minus(Duration.ofDays(1)));
            List<String> lines = p.runway().calibrate(Map.of("anthropic", new BigDecimal("52.63")));
            assertEquals(List.of("anthropic: balance $52.63 + $21.83 recorded = budget $74.46 (runway.yaml says $200.00)."), lines);
            spend(p, "anthropic", "2.00", NOW);
            ProviderRunway an = find(p.runway().view(false), "anthropic");
            assertEquals(50_630_000L, an.remainingMicros());
            assertEquals(74_460_000L, an.budgetMicros());
            assertEquals(NOW, an.calibratedAt());
            assertThrows(IllegalArgumentException.class, () -> p.runway().calibrate(Map.of("nosuch", BigDecimal.ONE)));
        }
    }

    @Test
    void lowRunwayAlertsFireOncePerCrossingEverywhere() throws Exception {
        Path dump = home.resolve("alerts.jsonl");
        fake.fixture("/ds/user/balance", "deepseek-user-balance-usd-cny.json").answer("/hook", 204, "");
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  deepseek: {base_url: $FAKE/ds}\n"
                + "alerts:\n  balance_below_usd: 10\n  webhook: $FAKE/hook\n  command: \"cat >> " + dump + "; echo >> " + dump + "\"\n")) {
            p.runway().runScheduled();
            assertEquals(0, fake.hits("/hook"), "$12.50 is above $10");
            fake.answer("/ds/user/balance", 200, "{\"is_available\":true,\"balance_infos\":[{\"currency\":\"USD\",\"total_balance\":\"4.20\"}]}");
            RunwayMonitor.ScheduledRun run = p.runway().runScheduled();
            assertEquals(1, run.alerts().size());
            assertEquals(1, fake.hits("/hook"));
            JsonNode sent = TestSupport.JSON.readTree(fake.seen.stream().filter(s -> s.path().equals("/hook")).findFirst().orElseThrow().body());
            assertEquals("plutus.runway_low", sent.path("event").asText());
            assertEquals("deepseek", sent.path("provider").asText());
            assertEquals(0, new BigDecimal("4.2").compareTo(sent.path("remaining_usd").decimalValue()));
            JsonNode fromCommand = TestSupport.JSON.readTree(Files.readAllLines(dump).get(0));
            assertEquals("balance", fromCommand.path("kind").asText());

            p.runway().runScheduled();
            assertEquals(1, fake.hits("/hook"), "still low: no second alert for the same crossing");
            String budget = p.commands().run("budget", "").text();
            assertTrue(budget.contains("⚠ Runway low: deepseek has $4.20 left (live), below $10.00."), budget);

            HookReply first = p.hooks().dispatch("pre_llm_call", TestSupport.hermesJson("pre_llm_call.json"));
            assertTrue(first.toJson().toString().contains("Runway low: deepseek"), first.toJson().toString());
            HookReply second = p.hooks().dispatch("pre_llm_call", TestSupport.hermesJson("pre_llm_call.json"));
            assertFalse(second.toJson().toString().contains("Runway low"), "the notice is shown in one turn only");

            fake.answer("/ds/user/balance", 200, "{\"is_available\":true,\"balance_infos\":[{\"currency\":\"USD\",\"total_balance\":\"40\"}]}");
            p.runway().runScheduled();
            assertTrue(p.runway().activeAlertLines().isEmpty(), "cleared once back above the threshold");
            fake.answer("/ds/user/balance", 200, "{\"is_available\":true,\"balance_infos\":[{\"currency\":\"USD\",\"total_balance\":\"3\"}]}");
            p.runway().runScheduled();
            assertEquals(2, fake.hits("/hook"), "a new crossing alerts again");
        }
    }

    static final String TWO_ROUTABLE = """
            hermes_home: $HERMES
            router: {apply: true, every: 1h}
            providers:
              deepseek:
                base_url: $FAKE/ds
                flagship: deepseek-reasoner
                fast: deepseek-chat
              google:
                kind: gemini
                base_url: $FAKE/ge
                budget_usd: 100
                flagship: gemini-2.5-pro
                fast: gemini-2.5-flash
            """;

    @Test
    void aProviderFallingBelowAnothersRunwayFlipsTheRoutingOnTheNextScheduledRun() throws Exception {
        fake.answer("/ds/user/balance", 200, "{\"is_available\":true,\"balance_infos\":[{\"currency\":\"USD\",\"total_balance\":\"500\"}]}");
        Path config = hermes.resolve("config.yaml");
        String original = Files.readString(config);
        try (TestEngine p = open(TWO_ROUTABLE)) {
            spend(p, "deepseek", "7.00", NOW.minus(Duration.ofDays(1)));   // $1/day: 500 days
            spend(p, "gemini", "14.00", NOW.minus(Duration.ofDays(1)));    // $2/day on $86 left: 43 days
            RunwayScheduler scheduler = new RunwayScheduler(p.runway(), clock);
            RunwayMonitor.ScheduledRun first = scheduler.tick();
            assertEquals("written", first.route().outcome(), String.valueOf(first.routeError()));
            String routed = Files.readString(config);
            assertTrue(routed.contains("  default: deepseek-reasoner") && routed.contains("  provider: deepseek "), routed);
            assertTrue(routed.contains("delegation:\n  provider: gemini ") && routed.contains("  model: gemini-2.5-flash "), routed);

            fake.answer("/ds/user/balance", 200, "{\"is_available\":true,\"balance_infos\":[{\"currency\":\"USD\",\"total_balance\":\"12.50\"}]}");
            clock.advance(Duration.ofMinutes(30));
            assertNull(scheduler.tick(), "not due before the hour");
            assertEquals(routed, Files.readString(config));
            clock.advance(Duration.ofMinutes(31));
            RunwayMonitor.ScheduledRun second = scheduler.tick();
            assertEquals("written", second.route().outcome());
            String flipped = Files.readString(config);
            assertTrue(flipped.contains("  default: gemini-2.5-pro") && flipped.contains("  provider: gemini "), flipped);
            assertTrue(flipped.contains("delegation:\n  provider: deepseek ") && flipped.contains("  model: deepseek-chat "), flipped);
            assertTrue(flipped.contains("  api_key: ${GEMINI_API_KEY}"), "the key reference follows the provider: " + flipped);

            clock.advance(Duration.ofHours(1));
            assertEquals("unchanged", scheduler.tick().route().outcome(), "same decision: nothing written");
            List<dev.plutus.store.RunwayStore.Decision> ds = p.runway().store().recentDecisions(10);
            assertEquals(List.of("unchanged", "written", "written"), ds.stream().map(dev.plutus.store.RunwayStore.Decision::outcome).toList());
            assertTrue(ds.get(1).reasons().contains("#1 google"), ds.get(1).reasons());

            String msg = p.runway().rollback();
            assertTrue(msg.startsWith("Restored " + config), msg);
            assertEquals(routed, Files.readString(config), "rollback puts back what the last write replaced");
            p.runway().rollback();
            assertEquals(original, Files.readString(config), "and the one before");
            assertThrows(IllegalArgumentException.class, p.runway()::rollback, "nothing left to roll back");
        }
    }

    @Test
    void aRetiredModelIsRefusedAndNothingIsWritten() throws Exception {
        fake.fixture("/ds/user/balance", "deepseek-user-balance-usd-cny.json");
        Path config = hermes.resolve("config.yaml");
        String original = Files.readString(config);
        try (TestEngine p = open(TWO_ROUTABLE.replace("flagship: gemini-2.5-pro", "flagship: gemini-3-pro-preview"))) {
            RunwayView v = p.runway().view(false);
            RoutingRefused e = assertThrows(RoutingRefused.class, () -> p.runway().route(v, false));
            assertTrue(e.getMessage().contains("google does not list model 'gemini-3-pro-preview' (retired or misspelt)"), e.getMessage());
            assertEquals(original, Files.readString(config));
            assertTrue(p.runway().store().recentDecisions(1).get(0).outcome().startsWith("refused: google does not list"));
        }
    }

    @Test
    void backfillImportsHermesHistoryOnceAndSkipsSessionsPlutusSaw() throws Exception {
        Path stateDb = hermes.resolve("state.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + stateDb); Statement st = c.createStatement()) {
            st.executeUpdate("""
                    CREATE TABLE sessions (id TEXT PRIMARY KEY, source TEXT, user_id TEXT, model TEXT, parent_session_id TEXT,
                      started_at REAL, ended_at REAL, end_reason TEXT, input_tokens INTEGER, output_tokens INTEGER,
                      cache_read_tokens INTEGER, cache_write_tokens INTEGER, reasoning_tokens INTEGER, api_call_count INTEGER,
                      billing_provider TEXT, billing_base_url TEXT, billing_mode TEXT, estimated_cost_usd REAL,
                      actual_cost_usd REAL, cost_status TEXT, cost_source TEXT, title TEXT)""");
            long t = NOW.minus(Duration.ofDays(20)).getEpochSecond();
            st.executeUpdate("INSERT INTO sessions(id, source, model, started_at, ended_at, input_tokens, output_tokens, billing_provider,"
                    + " estimated_cost_usd, actual_cost_usd) VALUES "
                    + "('20261111_100000_aaaaaa', 'cli', 'deepseek-chat', " + t + ", " + (t + 600) + ", 1000, 200, 'deepseek', 1.25, NULL),"
                    + "('20261112_100000_bbbbbb', 'telegram', 'claude-sonnet-4-6', " + t + ", NULL, 5000, 900, 'anthropic', 3.00, 2.75),"
                    + "('20261113_100000_cccccc', 'cli', 'x', " + t + ", NULL, 0, 0, 'openai', NULL, NULL),"
                    + "('seen-by-plutus', 'cli', 'm', " + t + ", NULL, 10, 10, 'deepseek', 9.99, 9.99)");
        }
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  deepseek: {base_url: $FAKE/ds}\n  anthropic: {probe: false, budget_usd: 50}\n")) {
            p.record(new CallEvent("hook-1", NOW.minus(Duration.ofDays(1)), "seen-by-plutus", "cli", "deepseek", "m", null,
                    new TokenUsage(10, 10, 0, 0, 0, 0), false, 0, new BigDecimal("0.10")));
            HermesStateBackfill.Result r = HermesStateBackfill.runAndMark(p.engine().recorder(), p.calls(), p.engine().meta(), p.engine().clock(), stateDb);
            assertEquals(4, r.seen());
            assertEquals(2, r.imported());
            assertEquals(4_000_000L, r.importedMicros(), "actual cost where Hermes has it (2.75), else its estimate (1.25)");
            assertEquals(1, r.alreadyKnown());
            assertEquals(1, r.skippedEmpty());
            HermesStateBackfill.Result again = HermesStateBackfill.runAndMark(p.engine().recorder(), p.calls(), p.engine().meta(), p.engine().clock(), stateDb);
            assertEquals(0, again.imported(), "running it again imports nothing twice");
            RunwayView v = p.runway().view(false);
            assertEquals(1_350_000L, find(v, "deepseek").spend().allMicros());
            assertEquals(47_250_000L, find(v, "anthropic").remainingMicros());
            assertTrue(HermesStateBackfill.last(p.engine().meta()).isPresent());
        }
        assertThrows(IllegalArgumentException.class, () -> {
            try (TestEngine p = open("hermes_home: $HERMES\n")) {
                HermesStateBackfill.runAndMark(p.engine().recorder(), p.calls(), p.engine().meta(), p.engine().clock(), hermes.resolve("nope.db"));
            }
        });
    }

    @Test
    void theReadmeRunwayExampleIsAValidRunwayYaml() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("# runway.yaml\n");
        String yaml = readme.substring(start, readme.indexOf("```", start));
        RunwayConfig cfg = RunwayConfigParser.parse(yaml, "README runway.yaml", Map.of());
        assertEquals(List.of("deepseek", "anthropic", "google"), cfg.providers().stream().map(ProviderConfig::name).toList());
        assertEquals(ProviderKind.GEMINI, cfg.provider("google").orElseThrow().kind());
        assertEquals(new BigDecimal("3"), cfg.provider("google").orElseThrow().daysLeftBelow());
        assertEquals(10_000_000L, cfg.alerts().balanceBelowMicros());
    }

    @Test
    void aBrokenRunwayYamlNamesFileLineAndField() throws Exception {
        try (TestEngine p = open("providers:\n  deepseek:\n    budget: 5\n")) {
            var e = assertThrows(dev.plutus.config.ConfigException.class, () -> p.runway().view(false));
            assertEquals("runway.yaml:3: providers.deepseek.budget: unknown field (expected one of kind, base_url, key_env, budget_usd, "
                    + "ledger, flagship, fast, hermes_provider, probe, probe_model, balance_below_usd, days_left_below)", e.getMessage());
            assertTrue(p.commands().run("runway", "").text().startsWith("runway.yaml:3:"));
        }
        try (TestEngine p = open("providers:\n  acme: {budget_usd: 5}\n")) {
            assertTrue(assertThrows(dev.plutus.config.ConfigException.class, () -> p.runway().config()).getMessage()
                    .contains("'acme' is not a provider Plutus knows; add kind:"));
        }
        try (TestEngine p = open("providers:\n  deepseek: {flagship: a}\n")) {
            assertTrue(assertThrows(dev.plutus.config.ConfigException.class, () -> p.runway().config()).getMessage()
                    .contains("needs both flagship and fast"));
        }
    }

    @Test
    void withoutRunwayYamlProvidersWithAKeyOrSpendShowUp() throws Exception {
        try (TestEngine p = TestEngine.open(TestSupport.config(home, Map.of("HERMES_HOME", hermes.toString())).clock(clock).build())) {
            Files.writeString(hermes.resolve(".env"), "");
            spend(p, "openrouter", "1.00", NOW);
            RunwayView v = p.runway().view(false);
            assertEquals(List.of("openrouter"), v.providers().stream().map(ProviderRunway::name).toList());
            assertTrue(v.config().autoDetected());
        }
        if (Files.exists(home.resolve("plutus.db"))) {
            assertFalse(Files.readString(home.resolve("plutus.db"), StandardCharsets.ISO_8859_1).contains("sk-ds-test"), "no key is stored");
        }
    }
}
