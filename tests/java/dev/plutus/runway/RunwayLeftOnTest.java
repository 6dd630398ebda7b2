package dev.plutus.runway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestEngine;
import dev.plutus.TestSupport;
import dev.plutus.core.CallEvent;
import dev.plutus.core.TokenUsage;
import dev.plutus.hermes.HermesStateBackfill;
import dev.plutus.hermes.HookReply;
import dev.plutus.provider.FakeProviders;
import dev.plutus.store.RunwayStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What keeps runway and the router trustworthy when left on (issue 18, points 7-16): money counted
 * once, ranking that never picks a dry provider, one broken provider never stopping the router,
 * backfill that follows growing sessions, alerts that reach their webhook, reminders to
 * recalibrate, and the logins other tools keep in the home directory. Real SQLite, fake providers on port 0.
 */
@org.junit.jupiter.api.Tag("store")
class RunwayLeftOnTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    @TempDir Path home;
    @TempDir Path hermes;
    @TempDir Path userHome;
    FakeProviders fake;
    TestSupport.MutableClock clock;
    final AtomicInteger ids = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        fake = new FakeProviders();
        clock = new TestSupport.MutableClock(NOW, ZoneId.of("UTC"));
        Files.writeString(hermes.resolve(".env"), "DEEPSEEK_API_KEY=sk-ds-test\nGEMINI_API_KEY=gm-test\n");
        Files.copy(TestSupport.hermesFixture("config.example.yaml"), hermes.resolve("config.yaml"));
        fake.fixture("/ds/models", "deepseek-models.json").fixture("/ge/models", "gemini-models.json")
                .fixture("/an/v1/models", "anthropic-models.json");
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    TestEngine open(String runwayYaml) throws Exception {
        return open(runwayYaml, Map.of());
    }

    TestEngine open(String runwayYaml, Map<String, String> env) throws Exception {
        Files.writeString(home.resolve("runway.yaml"), runwayYaml.replace("$FAKE", fake.base("").toString()).replace("$HERMES", hermes.toString()));
        return TestEngine.open(TestSupport.config(home, env).clock(clock).build());
    }

    void spend(TestEngine p, String provider, String usd, Instant at) {
        p.record(new CallEvent("t" + ids.incrementAndGet(), at, "s-" + provider, "cli", provider, "m", null,
                new TokenUsage(10, 10, 0, 0, 0, 0), false, 0, new BigDecimal(usd)));
    }

    static ProviderRunway find(RunwayView v, String name) {
        return v.providers().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    static String balance(String usd) {
        return "{\"is_available\":true,\"balance_infos\":[{\"currency\":\"USD\",\"total_balance\":\"" + usd + "\"}]}";
    }

    // 7 -----------------------------------------------------------------------------------------

    @Test
    void aCalibratedBalanceLosesOnlySpendWhoseCallTimeIsAfterTheCalibration() throws Exception {
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  anthropic: {probe: false}\n  google: {kind: gemini, probe: false, base_url: $FAKE/ge}\n")) {
            spend(p, "anthropic", "21.83", NOW.minus(Duration.ofDays(1)));
            p.runway().calibrate(Map.of("anthropic", new BigDecimal("52.63")));
            clock.advance(Duration.ofMinutes(5));
            // A backfill (or a spool replayed late) records spend dated before the console was read: already in that balance.
            spend(p, "anthropic", "7.70", NOW.minus(Duration.ofDays(3)));
            assertEquals(52_630_000L, find(p.runway().view(false), "anthropic").remainingMicros(), "not subtracted a second time");
            spend(p, "anthropic", "2.00", NOW.plus(Duration.ofMinutes(1)));
            ProviderRunway an = find(p.runway().view(false), "anthropic");
            assertEquals(50_630_000L, an.remainingMicros(), "spend after the calibration counts");
            assertEquals(an.budgetMicros() - an.spend().allMicros(), an.remainingMicros(), "the shown budget still adds up");

            Map<String, BigDecimal> mixed = new LinkedHashMap<>();
            mixed.put("google", new BigDecimal("93.44"));
            mixed.put("nosuch", new BigDecimal("3"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.runway().calibrate(mixed));
            assertTrue(e.getMessage().contains("'nosuch'") && e.getMessage().contains("nothing calibrated"), e.getMessage());
            assertFalse(p.runway().store().latestCalibrations().containsKey("google"), "all or nothing");
        }
    }

    // 8 -----------------------------------------------------------------------------------------

    static final String TWO = """
            hermes_home: $HERMES
            providers:
              deepseek:
                base_url: $FAKE/ds
                flagship: deepseek-reasoner
                fast: deepseek-chat
              google:
                kind: gemini
                base_url: $FAKE/ge
                budget_usd: 163
                flagship: gemini-2.5-pro
                fast: gemini-2.5-flash
            """;

    @Test
    void aProviderNobodySpendsOnIsRankedByItsMoneyNotAsEndlessRunway() throws Exception {
        fake.answer("/ds/user/balance", 200, balance("0.50"));
        try (TestEngine p = open(TWO)) {
            spend(p, "gemini", "70.00", NOW.minus(Duration.ofDays(1)));   // $93 left at $10/day
            RunwayView v = p.runway().view(false);
            RouteResult r = p.runway().route(v, true);
            assertEquals("google", r.plan().primary().provider(), r.plan().reasons().toString());
            assertEquals("deepseek", r.plan().delegation().provider());
            String reasons = String.join("\n", r.plan().reasons());
            assertTrue(reasons.contains("#1 google: $93.00 estimate, 9.3 days left; ranked by days left"), reasons);
            assertTrue(reasons.contains("#2 deepseek: $0.50 live, no spend in 7 days; no spend in 7 days: ranked as 0.0 days at the busiest "
                    + "burn of $10.00/day"), reasons);
        }
    }

    @Test
    void aProviderBelowItsAlertThresholdIsNeverPromoted() throws Exception {
        fake.answer("/ds/user/balance", 200, balance("9.00"));
        try (TestEngine p = open(TWO + "alerts:\n  balance_below_usd: 10\n")) {
            spend(p, "deepseek", "0.07", NOW.minus(Duration.ofDays(1)));  // $0.01/day: 900 days on $9
            spend(p, "gemini", "70.00", NOW.minus(Duration.ofDays(1)));   // 9.3 days on $93
            RouteResult r = p.runway().route(p.runway().view(false), true);
            assertEquals("google", r.plan().primary().provider(), r.plan().reasons().toString());
            assertTrue(r.plan().reasons().get(1).contains("$9.00 left, below the alert threshold $10.00, so ranked after every provider "
                    + "above its thresholds (never promoted)"), r.plan().reasons().toString());
            // Live subagent traffic stays off the provider being warned about while google's fast model can take it.
            assertEquals("google", r.plan().delegation().provider(), r.plan().summary());
            assertEquals("deepseek", r.plan().fallbacks().get(0).provider(), "still a fallback");
        }
    }

    // 9 -----------------------------------------------------------------------------------------

    @Test
    void aProviderWhoseModelListFailsIsLeftOutOfThePlanAndTheRestIsRouted() throws Exception {
        fake.answer("/ds/user/balance", 200, balance("500"));
        fake.answer("/ge/models", 500, "{\"error\":{\"message\":\"internal\"}}");
        Path config = hermes.resolve("config.yaml");
        try (TestEngine p = open(TWO.replace("budget_usd: 163", "budget_usd: 1000"))) {
            RouteResult r = p.runway().route(p.runway().view(false), false);
            assertEquals("written", r.outcome());
            assertEquals("deepseek", r.plan().primary().provider());
            assertTrue(r.plan().fallbacks().isEmpty(), r.plan().summary());
            assertTrue(r.plan().reasons().get(0).startsWith("google: left out (cannot check gemini-2.5-pro against its live model list: "
                    + "HTTP error"), r.plan().reasons().toString());
            assertTrue(Files.readString(config).contains("  default: deepseek-reasoner"));
            fake.answer("/ds/models", 401, "{\"error\":{\"message\":\"bad key\"}}");
            clock.advance(Duration.ofMinutes(6)); // past the model lists' cache
            RoutingRefused all = assertThrows(RoutingRefused.class, () -> p.runway().route(p.runway().view(false), true));
            assertTrue(all.getMessage().startsWith("no provider can be routed to: ") && all.getMessage().contains("deepseek: left out"),
                    all.getMessage());
        }
    }

    // 10 ----------------------------------------------------------------------------------------

    @Test
    void backfillImportsTheGrowthOfASessionThatWasStillRunningDatedByHermessRows() throws Exception {
        Path stateDb = hermes.resolve("state.db");
        long start = NOW.minus(Duration.ofDays(2)).getEpochSecond();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + stateDb); Statement st = c.createStatement()) {
            st.executeUpdate("""
                    CREATE TABLE sessions (id TEXT PRIMARY KEY, source TEXT, model TEXT, started_at REAL, ended_at REAL,
                      input_tokens INTEGER, output_tokens INTEGER, cache_read_tokens INTEGER, cache_write_tokens INTEGER,
                      reasoning_tokens INTEGER, billing_provider TEXT, estimated_cost_usd REAL, actual_cost_usd REAL)""");
            st.executeUpdate("CREATE TABLE messages (id INTEGER PRIMARY KEY, session_id TEXT, role TEXT, content TEXT, timestamp REAL)");
            st.executeUpdate("INSERT INTO sessions VALUES ('long', 'cli', 'deepseek-chat', " + start + ", NULL, 1000, 100, 0, 0, 0, "
                    + "'deepseek', 0.30, NULL)");
            st.executeUpdate("INSERT INTO messages(session_id, role, timestamp) VALUES ('long', 'user', " + start + "), ('long', 'assistant', "
                    + (start + 3600) + ")");
        }
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  deepseek: {probe: false, budget_usd: 50}\n")) {
            HermesStateBackfill.Result first = HermesStateBackfill.run(p.engine().recorder(), p.calls(), clock, stateDb);
            assertEquals(1, first.imported());
            assertEquals(300_000L, first.importedMicros());
            assertEquals(List.of(Instant.ofEpochSecond(start + 3600)), callTimes(p), "dated at its newest message, not its start");

            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + stateDb); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE sessions SET ended_at = " + (start + 86_400) + ", input_tokens = 3000, output_tokens = 300, "
                        + "estimated_cost_usd = 0.90 WHERE id = 'long'");
            }
            HermesStateBackfill.Result second = HermesStateBackfill.run(p.engine().recorder(), p.calls(), clock, stateDb);
            assertEquals(1, second.imported());
            assertEquals(1, second.grown());
            assertEquals(600_000L, second.importedMicros(), "only the growth: $0.90 - $0.30");
            assertEquals(Instant.ofEpochSecond(start + 86_400), callTimes(p).get(1), "the growth is dated at the session's end");
            assertEquals(900_000L, find(p.runway().view(false), "deepseek").spend().allMicros(), "the whole session, counted once");

            HermesStateBackfill.Result third = HermesStateBackfill.run(p.engine().recorder(), p.calls(), clock, stateDb);
            assertEquals(0, third.imported(), "nothing new: nothing imported");
            assertEquals(900_000L, find(p.runway().view(false), "deepseek").spend().allMicros());
        }
    }

    private static List<Instant> callTimes(TestEngine p) {
        return p.engine().jdbc().query("SELECT ts FROM llm_calls ORDER BY id", rs -> Instant.ofEpochMilli(rs.getLong(1)));
    }

    // 11 ----------------------------------------------------------------------------------------

    @Test
    void providerAnswersAreKeptInTheStoreSoAnotherProcessUsesThem() throws Exception {
        fake.answer("/ds/user/balance", 200, balance("12.50"));
        String yaml = "hermes_home: $HERMES\nproviders:\n  deepseek: {base_url: $FAKE/ds}\n";
        try (TestEngine p = open(yaml)) {
            assertEquals(12_500_000L, find(p.runway().view(false), "deepseek").remainingMicros());
        }
        assertEquals(1, fake.hits("/ds/user/balance"));
        fake.answer("/ds/user/balance", 200, balance("1.00"));
        clock.advance(Duration.ofMinutes(2));
        try (TestEngine p = open(yaml)) {
            assertEquals(12_500_000L, find(p.runway().view(false), "deepseek").remainingMicros(), "the stored answer, from another process");
            assertEquals(1, fake.hits("/ds/user/balance"));
            assertEquals(1_000_000L, find(p.runway().view(true), "deepseek").remainingMicros(), "refresh asks again");
            assertEquals(2, fake.hits("/ds/user/balance"));
        }
        clock.advance(Duration.ofMinutes(6));
        try (TestEngine p = open(yaml)) {
            p.runway().view(false);
            assertEquals(3, fake.hits("/ds/user/balance"), "past the cache age it asks again");
        }
    }

    @Test
    void aProbeThatCostsTokensRunsOnlyWhenAskedFor() throws Exception {
        fake.answer("/an/v1/messages", FakeProviders.headerBlock("anthropic-ratelimit-headers.txt", 1, "{}"));
        String yaml = "hermes_home: $HERMES\nproviders:\n  anthropic: {base_url: $FAKE/an, key_env: TEST_AN_KEY, budget_usd: 50}\n";
        Files.writeString(hermes.resolve(".env"), "TEST_AN_KEY=sk-ant-test\n");
        try (TestEngine p = open(yaml)) {
            assertNull(find(p.runway().view(false, false), "anthropic").limits());
            assertEquals(0, fake.hits("/an/v1/messages"), "a plain `plutus runway` spends no token");
            assertEquals("ok", find(p.runway().view(true, true), "anthropic").limits().status());
            assertEquals(1, fake.hits("/an/v1/messages"));
        }
        clock.advance(Duration.ofHours(3));
        try (TestEngine p = open(yaml)) {
            assertEquals("ok", find(p.runway().view(false, false), "anthropic").limits().status(), "the last probe, however old");
            assertEquals(1, fake.hits("/an/v1/messages"));
        }
    }

    // 12 ----------------------------------------------------------------------------------------

    @Test
    void aFailedWebhookIsRetriedWithBackOffAndCarriesTheAuthHeaderFromTheEnvironment() throws Exception {
        fake.answer("/ds/user/balance", 200, balance("4.20")).answer("/hook", 500, "{}");
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  deepseek: {base_url: $FAKE/ds}\n"
                + "alerts:\n  balance_below_usd: 10\n  webhook: $FAKE/hook\n  webhook_auth_env: HOOK_TOKEN\n",
                Map.of("HOOK_TOKEN", "Bearer s3cret"))) {
            RunwayScheduler scheduler = new RunwayScheduler(p.runway(), clock);
            assertEquals(1, scheduler.tick().alerts().size());
            assertEquals(1, fake.hits("/hook"));
            assertEquals("Bearer s3cret", fake.seen.stream().filter(s -> s.path().equals("/hook")).findFirst().orElseThrow()
                    .headers().get("authorization"));
            List<RunwayStore.PendingAlert> kept = p.runway().store().undeliveredAlerts();
            assertEquals(1, kept.size());
            assertEquals("answered HTTP 500", kept.get(0).lastError());

            clock.advance(Duration.ofSeconds(30));
            scheduler.tick();
            assertEquals(1, fake.hits("/hook"), "not before the first pause (1 min)");
            clock.advance(Duration.ofSeconds(31));
            scheduler.tick();
            assertEquals(2, fake.hits("/hook"), "retried");
            fake.answer("/hook", 204, "");
            clock.advance(Duration.ofSeconds(90));
            scheduler.tick();
            assertEquals(2, fake.hits("/hook"), "the second pause is 2 min");
            clock.advance(Duration.ofSeconds(31));
            scheduler.tick();
            assertEquals(3, fake.hits("/hook"));
            assertTrue(p.runway().store().undeliveredAlerts().isEmpty(), "delivered");
            String sent = fake.seen.get(fake.seen.size() - 1).body();
            assertTrue(sent.contains("\"provider\":\"deepseek\"") && sent.contains("plutus.runway_low"), sent);
        }
        // Undelivered alerts outlive the process.
        fake.answer("/hook", 503, "{}");
        fake.answer("/ds/user/balance", 200, balance("40"));
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  deepseek: {base_url: $FAKE/ds}\n"
                + "alerts:\n  balance_below_usd: 10\n  webhook: $FAKE/hook\n")) {
            p.runway().runScheduled();
            fake.answer("/ds/user/balance", 200, balance("3"));
            p.runway().runScheduled();
            assertEquals(1, p.runway().store().undeliveredAlerts().size());
        }
        fake.answer("/hook", 200, "{}");
        clock.advance(Duration.ofMinutes(2));
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  deepseek: {base_url: $FAKE/ds}\n"
                + "alerts:\n  balance_below_usd: 10\n  webhook: $FAKE/hook\n")) {
            assertEquals(1, p.runway().retryAlerts(), "a new process delivers what the last one could not");
        }
    }

    @Test
    void twoProcessesDeliveringTheOutboxAtOnceSendEachAlertOnce() throws Exception {
        // A slow webhook keeps both senders inside the send at once; without a claim each posts every alert.
        fake.answer("/hook", new FakeProviders.Answer(204, Map.of(), "", 300));
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  deepseek: {base_url: $FAKE/ds}\n"
                + "alerts:\n  balance_below_usd: 10\n  webhook: $FAKE/hook\n")) {
            RunwayStore store = p.runway().store();
            for (int i = 0; i < 3; i++) {
                store.enqueueAlert(clock.instant(), "{\"alert\":" + i + "}");
            }
            RunwayConfig cfg = p.runway().config();
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                List<java.util.concurrent.Future<Integer>> runs = new java.util.ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    RunwayAlerts sender = new RunwayAlerts(store, clock);   // each process has its own
                    runs.add(pool.submit(() -> {
                        start.await();
                        return sender.deliverPending(cfg);
                    }));
                }
                int delivered = 0;
                for (var r : runs) {
                    delivered += r.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
                assertEquals(3, delivered, "each alert counted as delivered once");
            } finally {
                pool.shutdownNow();
            }
            assertEquals(3, fake.hits("/hook"), "one POST per alert");
            assertTrue(store.undeliveredAlerts().isEmpty());
        }
    }

    @Test
    void aProviderHoveringAtAThresholdAlertsOnceUntilClearlyAboveIt() throws Exception {
        fake.answer("/ds/user/balance", 200, balance("9.90")).answer("/hook", 204, "");
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  deepseek: {base_url: $FAKE/ds}\n"
                + "alerts:\n  balance_below_usd: 10\n  webhook: $FAKE/hook\n")) {
            p.runway().runScheduled();
            assertEquals(1, fake.hits("/hook"));
            for (String hover : List.of("10.10", "9.95", "10.90", "9.80")) {
                fake.answer("/ds/user/balance", 200, balance(hover));
                p.runway().runScheduled();
            }
            assertEquals(1, fake.hits("/hook"), "hovering within 10% of the threshold: one alert");
            fake.answer("/ds/user/balance", 200, balance("11.00"));
            p.runway().runScheduled();
            assertTrue(p.runway().activeAlertLines().isEmpty(), "10% above: re-armed");
            fake.answer("/ds/user/balance", 200, balance("9.00"));
            p.runway().runScheduled();
            assertEquals(2, fake.hits("/hook"));
        }
    }

    // 13 ----------------------------------------------------------------------------------------

    @Test
    void chatGptSubscriptionCallsAreNotChargedToTheOpenAiApiAccount() throws Exception {
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  openai: {probe: false, budget_usd: 20, key_env: TEST_OA_KEY}\n")) {
            spend(p, "openai-codex", "5.00", NOW.minus(Duration.ofHours(1)));
            spend(p, "openai", "1.00", NOW.minus(Duration.ofHours(1)));
            ProviderRunway oa = find(p.runway().view(false), "openai");
            assertEquals(1_000_000L, oa.spend().allMicros());
            assertEquals(19_000_000L, oa.remainingMicros());
        }
    }

    // 14 ----------------------------------------------------------------------------------------

    @Test
    void aStaleCalibrationOfABalanceLessProviderIsRemindedEverywhereOnce() throws Exception {
        fake.answer("/ds/user/balance", 200, balance("12.50"));
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  anthropic: {probe: false}\n  deepseek: {base_url: $FAKE/ds}\n")) {
            p.runway().calibrate(Map.of("anthropic", new BigDecimal("52.63"), "deepseek", new BigDecimal("12.50")));
            clock.advance(Duration.ofDays(2));
            assertFalse(p.commands().run("runway", "").text().contains("Recalibrate"), "two days old: fine");
            clock.advance(Duration.ofDays(2));
            String runway = p.commands().run("runway", "").text();
            assertTrue(runway.contains("Recalibrate anthropic: its balance was last read off the console 4 days ago (2026-12-01)"), runway);
            assertFalse(runway.contains("Recalibrate deepseek"), "deepseek's balance is live");
            assertTrue(p.commands().run("budget", "").text().contains("Recalibrate anthropic"));
            HookReply first = p.hooks().dispatch("pre_llm_call", TestSupport.hermesJson("pre_llm_call.json"));
            assertTrue(first.toJson().toString().contains("Recalibrate anthropic"), first.toJson().toString());
            HookReply second = p.hooks().dispatch("pre_llm_call", TestSupport.hermesJson("pre_llm_call.json"));
            assertFalse(second.toJson().toString().contains("Recalibrate"), "once in a conversation");
            p.runway().calibrate(Map.of("anthropic", new BigDecimal("50.00")));
            assertFalse(p.commands().run("budget", "").text().contains("Recalibrate"), "a fresh calibration ends it");
        }
    }

    @Test
    void aRunwayYamlWebhookHeaderWithoutItsVariableIsRefused() {
        var e = assertThrows(dev.plutus.config.ConfigException.class, () -> RunwayConfigParser.parse(
                "alerts:\n  webhook: http://127.0.0.1:9/x\n  webhook_auth_header: X-Token\n", "runway.yaml", Map.of()));
        assertTrue(e.getMessage().contains("webhook_auth_header: needs webhook_auth_env"), e.getMessage());
    }

    // 15, 16 ------------------------------------------------------------------------------------

    @Test
    void anExpiredClaudeCodeTokenIsRefreshedIntoItsOwnFileAndUsed() throws Exception {
        Path claudeDir = Files.createDirectories(userHome.resolve(".claude"));
        Path creds = claudeDir.resolve(".credentials.json");
        Files.writeString(creds, "{\"claudeAiOauth\":{\"accessToken\":\"sk-ant-oat01-old\",\"refreshToken\":\"sk-ant-ort01-old\","
                + "\"expiresAt\":" + NOW.minus(Duration.ofHours(1)).toEpochMilli() + ",\"scopes\":[\"user:inference\"],"
                + "\"subscriptionType\":\"max\"},\"other\":1}");
        Files.setPosixFilePermissions(creds, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        fake.answer("/oauth/token", 200, "{\"access_token\":\"sk-ant-oat01-new\",\"refresh_token\":\"sk-ant-ort01-new\",\"expires_in\":28800}");
        fake.answer("/an/v1/messages", FakeProviders.headerBlock("anthropic-ratelimit-headers.txt", 1, "{}"));
        Files.writeString(hermes.resolve(".env"), "");
        Map<String, String> env = Map.of("HOME", userHome.toString(), "PLUTUS_ANTHROPIC_OAUTH_TOKEN_URL", fake.base("/oauth/token").toString());
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  anthropic: {base_url: $FAKE/an, key_env: CLAUDE_CODE_OAUTH_TOKEN}\n", env)) {
            ProviderRunway an = find(p.runway().view(true), "anthropic");
            assertNull(an.error(), an.error());
            assertEquals("ok", an.limits().status());
        }
        FakeProviders.Seen refresh = fake.seen.stream().filter(s -> s.path().equals("/oauth/token")).findFirst().orElseThrow();
        var sent = TestSupport.JSON.readTree(refresh.body());
        assertEquals("refresh_token", sent.path("grant_type").asText());
        assertEquals("sk-ant-ort01-old", sent.path("refresh_token").asText());
        assertEquals("Bearer sk-ant-oat01-new", fake.seen.stream().filter(s -> s.path().equals("/an/v1/messages")).findFirst().orElseThrow()
                .headers().get("authorization"));
        var file = TestSupport.JSON.readTree(Files.readString(creds));
        assertEquals("sk-ant-oat01-new", file.path("claudeAiOauth").path("accessToken").asText());
        assertEquals("sk-ant-ort01-new", file.path("claudeAiOauth").path("refreshToken").asText(), "Claude Code's rotated refresh token is kept");
        assertEquals(NOW.plusSeconds(28800).toEpochMilli(), file.path("claudeAiOauth").path("expiresAt").asLong());
        assertEquals("max", file.path("claudeAiOauth").path("subscriptionType").asText(), "other fields untouched");
        assertEquals(1, file.path("other").asInt());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(creds)));
        assertEquals(1, fake.hits("/oauth/token"));
        try (var files = Files.walk(home)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(text.contains("sk-ant-oat01") || text.contains("sk-ant-ort01"), "a token in " + f);
            }
        }
    }

    /** Found by the independent test: a plain `plutus runway` (nothing sent) rotated Claude Code's tokens. */
    @Test
    void aPlainRunwayThatSendsNothingNeverRefreshesClaudeCodesToken() throws Exception {
        Path claudeDir = Files.createDirectories(userHome.resolve(".claude"));
        Path creds = claudeDir.resolve(".credentials.json");
        String before = "{\"claudeAiOauth\":{\"accessToken\":\"sk-ant-oat01-old\",\"refreshToken\":\"sk-ant-ort01-old\",\"expiresAt\":"
                + NOW.minus(Duration.ofHours(1)).toEpochMilli() + "}}";
        Files.writeString(creds, before);
        fake.answer("/oauth/token", 200, "{\"access_token\":\"sk-ant-oat01-new\",\"refresh_token\":\"sk-ant-ort01-new\",\"expires_in\":28800}");
        Files.writeString(hermes.resolve(".env"), "");
        Map<String, String> env = Map.of("HOME", userHome.toString(), "PLUTUS_ANTHROPIC_OAUTH_TOKEN_URL", fake.base("/oauth/token").toString());
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  anthropic: {base_url: $FAKE/an, key_env: CLAUDE_CODE_OAUTH_TOKEN}\n", env)) {
            p.runway().view(false, false); // as a plain `plutus runway`: no probe
        }
        assertEquals(0, fake.hits("/oauth/token"), "no token request without a probe");
        assertEquals(before, Files.readString(creds), "Claude Code's file untouched");
    }

    @Test
    void aFailedRefreshKeepsTheFileAndSaysTheTokenExpired() throws Exception {
        Path claudeDir = Files.createDirectories(userHome.resolve("cc"));
        Path creds = claudeDir.resolve(".credentials.json");
        String before = "{\"claudeAiOauth\":{\"accessToken\":\"sk-ant-oat01-old\",\"refreshToken\":\"sk-ant-ort01-old\",\"expiresAt\":"
                + NOW.minus(Duration.ofHours(1)).toEpochMilli() + "}}";
        Files.writeString(creds, before);
        fake.answer("/oauth/token", 400, "{\"error\":\"invalid_grant\"}");
        fake.answer("/an/v1/messages", 401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"OAuth token has expired\"}}");
        Files.writeString(hermes.resolve(".env"), "");
        Map<String, String> env = Map.of("CLAUDE_CONFIG_DIR", claudeDir.toString(), "PLUTUS_ANTHROPIC_OAUTH_TOKEN_URL",
                fake.base("/oauth/token").toString());
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  anthropic: {base_url: $FAKE/an, key_env: CLAUDE_CODE_OAUTH_TOKEN}\n", env)) {
            ProviderRunway an = find(p.runway().view(true), "anthropic");
            assertTrue(an.error().startsWith("expired token"), an.error());
            assertFalse(an.error().contains("sk-ant-"), an.error());
        }
        assertEquals(before, Files.readString(creds), "nothing written when the refresh failed");
    }

    @Test
    void theChatGptPlanOfTheCodexLoginShowsInTheOpenAiRow() throws Exception {
        Path codex = Files.createDirectories(userHome.resolve(".codex"));
        String claims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"email\":\"a@b.c\",\"https://api.openai.com/auth\":{\"chatgpt_plan_type\":\"pro\",\"chatgpt_account_id\":\"x\"}}"
                        .getBytes(StandardCharsets.UTF_8));
        Files.writeString(codex.resolve("auth.json"), "{\"OPENAI_API_KEY\":null,\"tokens\":{\"id_token\":\"eyJhbGciOiJSUzI1NiJ9." + claims
                + ".c2ln\",\"access_token\":\"at\",\"refresh_token\":\"rt\",\"account_id\":\"x\"},\"last_refresh\":\"2026-11-30T00:00:00Z\"}");
        try (TestEngine p = open("hermes_home: $HERMES\nproviders:\n  openai: {base_url: $FAKE/oa, key_env: TEST_OA_KEY}\n",
                Map.of("HOME", userHome.toString()))) {
            RunwayView v = p.runway().view(false);
            assertEquals("pro", find(v, "openai").subscription());
            var r = dev.plutus.report.RunwayReport.render(v);
            assertTrue(r.text().contains("ChatGPT pro subscription (Codex login)"), r.text());
            assertEquals("pro", r.json().path("providers").get(0).path("chatgpt_plan").asText());
        }
    }
}
