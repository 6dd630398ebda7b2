package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import dev.plutus.core.HomeLayout;
import dev.plutus.hermes.HermesInstaller;
import dev.plutus.hermes.PluginManifest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hard cap holds against what a hostile or broken sender can do with numbers: timestamps that
 * would move the budget period, totals past a long, rows stored with impossible values, and a
 * verdict that cannot be computed (which must fail as the bridge's fail_mode says, never as "ok").
 */
class HardCapHoldsTest {
    private static final String ONE_DOLLAR_A_DAY = "budgets:\n  global:\n    daily_usd: 1\n";
    /** $1.20 at claude-sonnet-4-6's $3 per million input tokens. */
    private static final String COSTLY_USAGE = "\"provider\": \"anthropic\", \"model\": \"claude-sonnet-4-6\","
            + " \"usage\": {\"input_tokens\": 400000, \"output_tokens\": 0}";

    private static DaemonHarness start(Path home, Clock clock) throws Exception {
        return DaemonHarness.in(home).file("budget.yaml", ONE_DOLLAR_A_DAY).clock(clock).start();
    }

    private static HttpResponse<String> hook(DaemonHarness d, String event, String kwargs) throws Exception {
        return d.post("/hooks/" + event, kwargs, d.token());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return TestSupport.JSON.readTree(r.body());
    }

    @Test
    void hooksDatedADayAheadOrInMillisecondsNeverReopenAHardBudgetEvenAfterARestart(@TempDir Path home) throws Exception {
        Instant noon = Instant.parse("2026-11-24T12:00:00Z");
        TestSupport.MutableClock clock = new TestSupport.MutableClock(noon, ZoneOffset.UTC);
        double now = noon.getEpochSecond();
        try (DaemonHarness d = start(home, clock)) {
            for (int i = 0; i < 4; i++) {
                assertEquals(200, hook(d, "post_api_request", "{\"session_id\": \"s1\", \"api_request_id\": \"r" + i + "\", "
                        + COSTLY_USAGE + ", \"ended_at\": " + (now - 60) + "}").statusCode());
            }
            assertEquals("block", json(hook(d, "pre_tool_call", "{\"session_id\": \"s1\"}")).path("action").asText());
            // A day ahead, in milliseconds, absurdly far, a little ahead: each counts today and none reopens the day.
            for (String endedAt : List.of(Double.toString(now + 86_400), Double.toString(now * 1000), "1e300",
                    Double.toString(now + 120))) {
                assertEquals(200, hook(d, "post_api_request", "{\"session_id\": \"s1\", \"api_request_id\": \"x" + endedAt + "\", "
                        + COSTLY_USAGE + ", \"ended_at\": " + endedAt + ", \"api_duration\": 1e300}").statusCode());
                assertEquals("block", json(hook(d, "pre_tool_call", "{\"session_id\": \"s1\"}")).path("action").asText(),
                        "after a call stamped " + endedAt);
            }
            // The sender's own time is kept where it could be a real clock's; the call counts when it arrived.
            List<Long[]> kept = d.plutus().jdbc().query("SELECT ts, reported_ts FROM llm_calls WHERE event_id = ?",
                    rs -> new Long[] {rs.getLong(1), rs.getObject(2) == null ? null : rs.getLong(2)},
                    "api:x" + (now + 120));
            assertEquals(noon.toEpochMilli(), kept.get(0)[0]);
            assertEquals(noon.plusSeconds(120).toEpochMilli(), kept.get(0)[1]);
            assertEquals(200, d.get("/api/summary", d.readToken()).statusCode(), "a 1e300 duration was clamped, not stored");
            assertEquals(200, d.get("/metrics", d.readToken()).statusCode());
        }
        clock.advance(Duration.ofHours(1));
        try (DaemonHarness d = start(home, clock)) {
            assertEquals("block", json(hook(d, "pre_tool_call", "{\"session_id\": \"s1\"}")).path("action").asText(),
                    "the rebuilt totals are as hard as the live ones were");
        }
    }

    @Test
    void aUsageTimestampInsideTheSlackPastMidnightStillCountsToday(@TempDir Path home) throws Exception {
        Instant beforeMidnight = Instant.parse("2026-11-24T23:58:00Z");
        TestSupport.MutableClock clock = new TestSupport.MutableClock(beforeMidnight, ZoneOffset.UTC);
        try (DaemonHarness d = start(home, clock)) {
            String key = d.apiKeys().create("agent").secret();
            JsonNode first = json(UsageApiTest.usage(d.baseUrl(), key, "{\"provider\": \"openai\", \"model\": \"gpt-4o\", \"cost_usd\": 4}",
                    Map.of()));
            assertEquals("hard", first.path("budget").path("level").asText(), first.toString());
            HttpResponse<String> ahead = UsageApiTest.usage(d.baseUrl(), key, "{\"provider\": \"openai\", \"model\": \"gpt-4o\","
                    + " \"cost_usd\": 0.01, \"timestamp\": \"2026-11-25T00:02:00Z\"}", Map.of());
            assertEquals(200, ahead.statusCode(), ahead.body());
            assertEquals("hard", json(ahead).path("budget").path("level").asText(), ahead.body());
            HttpResponse<String> ancient = UsageApiTest.usage(d.baseUrl(), key, "[{\"provider\": \"openai\"},"
                    + " {\"provider\": \"openai\", \"timestamp\": 1}]", Map.of());
            assertEquals(400, ancient.statusCode(), ancient.body());
            assertEquals(1, json(ancient).path("event_index").asInt());
            assertEquals("timestamp", json(ancient).path("field").asText());
        }
    }

    @Test
    void poisonedRowsNeitherStopTheDaemonNorBreakAnyAnswerAndTotalsSaturate(@TempDir Path home) throws Exception {
        Instant noon = Instant.parse("2026-11-24T12:00:00Z");
        Clock clock = Clock.fixed(noon, ZoneOffset.UTC);
        try (DaemonHarness d = start(home, clock)) {
            var jdbc = d.plutus().jdbc();
            String insert = "INSERT INTO llm_calls(event_id, ts, provider, model, input_tokens, output_tokens, cache_read_tokens,"
                    + " cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, cost_micros, priced, estimated, latency_ms)"
                    + " VALUES (?, ?, 'openai', 'gpt-4o', ?, 0, 0, 0, 0, 0, ?, 1, 0, ?)";
            // What a store written before the door checked numbers may hold: a time past any calendar, totals past a long.
            jdbc.update(insert, "far", Long.MAX_VALUE, 5, 1_000_000, Long.MAX_VALUE);
            jdbc.update(insert, "big1", noon.toEpochMilli(), Long.MAX_VALUE / 2 + 10, Long.MAX_VALUE / 2 + 10, 5);
            jdbc.update(insert, "big2", noon.toEpochMilli(), Long.MAX_VALUE / 2 + 10, Long.MAX_VALUE / 2 + 10, 5);
            jdbc.update(insert, "negative", noon.toEpochMilli(), 5, -5_000_000, 5);
            jdbc.update("INSERT INTO sessions(session_id, started_at, ended_at, status) VALUES ('s-poison', ?, ?, 'ok')",
                    noon.toEpochMilli() - 1000, Long.MAX_VALUE);
        }
        try (DaemonHarness d = start(home, clock)) {
            for (String path : List.of("/api/summary", "/api/budget", "/api/daily", "/api/models", "/metrics")) {
                HttpResponse<String> r = d.get(path, d.readToken());
                assertEquals(200, r.statusCode(), path + ": " + r.body());
            }
            assertEquals(200, d.post("/commands/budget", "", d.token()).statusCode());
            assertEquals("block", json(hook(d, "pre_tool_call", "{\"session_id\": \"s2\"}")).path("action").asText());
            String key = d.apiKeys().create("agent").secret();
            HttpResponse<String> more = UsageApiTest.usage(d.baseUrl(), key, "{\"provider\": \"openai\", \"cost_usd\": 1000000}", Map.of());
            assertEquals(200, more.statusCode(), more.body());
            assertEquals("hard", json(more).path("budget").path("level").asText());
            JsonNode budget = json(d.get("/api/budget", d.readToken()));
            assertTrue(budget.toString().contains("hard"), budget.toString());
        }
    }

    @Test
    void aToolCallThatNamesNoSessionIsStillBlockedByTheGlobalCap(@TempDir Path home) throws Exception {
        try (DaemonHarness d = start(home, Clock.systemUTC())) {
            String key = d.apiKeys().create("agent").secret();
            assertEquals(200, UsageApiTest.usage(d.baseUrl(), key, "{\"provider\": \"openai\", \"cost_usd\": 5}", Map.of()).statusCode());
            for (String kwargs : List.of("{\"tool_name\": \"t\"}", "{}", "{\"session_id\": \"\"}", "{\"session_id\": null}")) {
                HttpResponse<String> r = hook(d, "pre_tool_call", kwargs);
                assertEquals(200, r.statusCode(), kwargs + " -> " + r.body());
                assertEquals("block", json(r).path("action").asText(), "$5 of $1 today, whatever the session: " + kwargs + " -> " + r.body());
            }
        }
    }

    @Test
    void ninetyThreeBatchesOfAThousandMillionDollarCallsAreAllCommittedAndEveryAnswerStaysUp(@TempDir Path home) throws Exception {
        // 93,000 calls at the largest cost_usd: $93 billion, past what "micro-dollars times 100" (a percent) holds in a long.
        String event = "{\"provider\": \"openai\", \"model\": \"gpt-4o\", \"cost_usd\": 1000000}";
        String batch = "[" + String.join(",", java.util.Collections.nCopies(1_000, event)) + "]";
        long started = System.nanoTime();
        // The key's event burst holds all 93,000, so the default rate limit (which refills by the second) never answers 429
        // however fast the batches go: this test is about totals, not about the rate limit.
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", ONE_DOLLAR_A_DAY)
                .file("plutus.yaml", "ingest:\n  rate_limit: {event_burst: 100000}\n").start()) {
            String key = d.apiKeys().create("agent").secret();
            for (int i = 0; i < 93; i++) {
                HttpResponse<String> r = UsageApiTest.usage(d.baseUrl(), key, batch, Map.of());
                assertEquals(200, r.statusCode(), "batch " + i + ": " + r.body());
                JsonNode answer = json(r);
                assertEquals(1_000, answer.path("recorded").asInt(-1), "batch " + i);
                assertEquals("hard", answer.path("budget").path("level").asText(), "batch " + i);
            }
            assertEquals(93_000, d.plutus().calls().count(), "every event once");
            for (String path : List.of("/api/budget", "/api/summary", "/api/models", "/metrics")) {
                HttpResponse<String> r = d.get(path, d.readToken());
                assertEquals(200, r.statusCode(), path + ": " + r.body());
            }
            HttpResponse<String> budget = d.post("/commands/budget", "", d.token());
            assertEquals(200, budget.statusCode(), budget.body());
            assertTrue(budget.body().contains("$93000000000.00") && budget.body().contains("█"), budget.body());
            JsonNode global = json(d.get("/api/budget", d.readToken())).path("scopes").get(0);
            assertEquals("hard", global.path("level").asText(), global.toString());
            assertEquals(0, new java.math.BigDecimal("93000000000").compareTo(global.path("spent_usd").decimalValue()), global.toString());
            assertEquals(9_300_000_000_000L, global.path("percent").asLong(), "exact, not wrapped around");
            assertEquals("block", json(hook(d, "pre_tool_call", "{\"session_id\": \"s1\"}")).path("action").asText());
        }
        // The same totals are rebuilt from the store at the next start.
        try (DaemonHarness d = start(home, Clock.systemUTC())) {
            assertEquals("block", json(hook(d, "pre_tool_call", "{\"session_id\": \"s1\"}")).path("action").asText());
            assertEquals(200, d.get("/metrics", d.readToken()).statusCode());
        }
        org.slf4j.LoggerFactory.getLogger(HardCapHoldsTest.class).info("93 x 1,000 events through /v1/usage and a restart: {} ms",
                (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void aVerdictThatCannotBeComputedIs503AndTheBridgeBlocksUnderFailModeClosed(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("plutus");
        try (DaemonHarness d = start(home, Clock.systemUTC())) {
            // The sessions table gone: no verdict can say which scopes a new session falls under.
            d.plutus().jdbc().update("ALTER TABLE sessions RENAME TO sessions_gone");
            HttpResponse<String> r = hook(d, "pre_tool_call", "{\"session_id\": \"never-seen\"}");
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(json(r).path("error").asText().contains("unknown"), r.body());

            assertTheRealBridgeBlocksUnderFailModeClosed(tmp, home, "never-seen-2");
        }
    }

    @Test
    void aFaultThatIsNoStoreErrorOnTheVerdictPathIs503AndTheBridgeBlocksUnderFailModeClosed(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("plutus");
        // The fault strikes request handling only (both connectors' threads and the hook channel's), never the daemon's upkeep.
        TestSupport.FaultyClock clock = new TestSupport.FaultyClock("plutus-http", "plutus-hooks", "plutus-hook-channel");
        try (DaemonHarness d = start(home, clock)) {
            clock.arm(true);
            HttpResponse<String> r = hook(d, "pre_tool_call", "{\"session_id\": \"s1\"}");
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("verdict unknown", r.headers().firstValue("X-Plutus-Error").orElse(""));
            assertTrue(json(r).path("error").asText().contains("an internal error") && !r.body().contains("IllegalStateException"), r.body());

            assertTheRealBridgeBlocksUnderFailModeClosed(tmp, home, "s2");

            clock.arm(false);
            HttpResponse<String> healed = hook(d, "pre_tool_call", "{\"session_id\": \"s1\"}");
            assertEquals(200, healed.statusCode(), healed.body());
            assertEquals("{}", healed.body().strip());
        }
    }

    @Test
    void aFirstStartOnARefusedBudgetFileAnswersUnknownEverywhereAVerdictIsAsked(@TempDir Path home) throws Exception {
        // The user meant a $1 budget; a key written twice refuses the file and no earlier good copy exists.
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", "budgets:\n  global:\n    daily_usd: 1\n    daily_usd: 1\n")
                .clock(Clock.systemUTC()).start()) {
            for (String event : List.of("pre_tool_call", "pre_llm_call")) {
                HttpResponse<String> r = hook(d, event, "{\"session_id\": \"s1\"}");
                assertEquals(503, r.statusCode(), event + ": " + r.body());
                assertEquals("verdict unknown", r.headers().firstValue("X-Plutus-Error").orElse(""), event);
                assertTrue(json(r).path("error").asText().contains("budget.yaml is refused and no earlier good budget is known"), r.body());
            }
            // Spend still goes in, and its answer says the verdict is unknown.
            String key = d.apiKeys().create("agent").secret();
            HttpResponse<String> usage = UsageApiTest.usage(d.baseUrl(), key, "{\"provider\": \"openai\", \"cost_usd\": 4}", Map.of());
            assertEquals(200, usage.statusCode(), usage.body());
            assertEquals("unknown", json(usage).path("budget").path("level").asText(), usage.body());
            // The places people read stay up and say so.
            HttpResponse<String> budget = d.get("/api/budget", d.readToken());
            assertEquals(200, budget.statusCode(), budget.body());
            assertEquals("unknown", json(budget).path("verdict").asText(), budget.body());
            HttpResponse<String> text = d.post("/commands/budget", "", d.token());
            assertEquals(200, text.statusCode());
            assertTrue(text.body().contains("EVERY BUDGET VERDICT IS UNKNOWN"), text.body());
            assertEquals(200, d.get("/metrics", d.readToken()).statusCode());

            // Fixed: the $4 already recorded makes the budget hard at once.
            Files.writeString(home.resolve("budget.yaml"), ONE_DOLLAR_A_DAY);
            d.plutus().budgets().reload();
            assertEquals("block", json(hook(d, "pre_tool_call", "{\"session_id\": \"s1\"}")).path("action").asText());
        }
    }

    /** The bridge as installed in Hermes, {@code fail_mode: closed}: a pre_tool_call the daemon cannot judge is blocked. */
    private static void assertTheRealBridgeBlocksUnderFailModeClosed(Path tmp, Path home, String session) throws Exception {
        Path hermes = tmp.resolve("hermes");
        Files.createDirectories(hermes);
        Files.copy(TestSupport.hermesFixture("config.example.yaml"), hermes.resolve("config.yaml"));
        HermesInstaller installer = new HermesInstaller(hermes, new HomeLayout(home), PluginManifest.bundled(), Clock.systemUTC());
        installer.install(new HermesInstaller.BridgeSettings(10_000, "closed", false, "plutus"));
        Path events = tmp.resolve("events.jsonl");
        Files.writeString(events, "{\"hook\": \"pre_tool_call\", \"kwargs\": {\"session_id\": \"" + session + "\","
                + " \"tool_name\": \"terminal\", \"args\": {}}}\n");
        List<JsonNode> out = BridgeEndToEndTest.drive(installer.pluginDir(), events, 0, 1, null);
        assertEquals("block", out.get(0).path("reply").path("action").asText(), out.toString());
    }
}
