package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.LlmCall;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import dev.plutus.budget.Level;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /v1/usage and GET /metrics on a real daemon over a real SQLite file, as a remote agent calls them. */
@org.junit.jupiter.api.Tag("store")
class UsageApiTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String EXAMPLE = """
            {"provider":"anthropic","model":"claude-sonnet-4-6","input_tokens":1200,"output_tokens":800,
             "task_type":"code_review","workspace":"prod"}""";

    private static PlutusDaemon start(Path home, String plutusYaml, String budgetYaml) throws Exception {
        Files.createDirectories(home);
        if (plutusYaml != null) {
            Files.writeString(home.resolve("plutus.yaml"), plutusYaml);
        }
        if (budgetYaml != null) {
            Files.writeString(home.resolve("budget.yaml"), budgetYaml);
        }
        return PlutusDaemon.start(ServeOptions.loopback(0), TestSupport.config(home).clock(Clock.systemUTC()).build());
    }

    static HttpResponse<String> usage(String baseUrl, String key, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/usage"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> usage(PlutusDaemon d, String key, String body) throws Exception {
        return usage(d.info().baseUrl(), key, body, Map.of());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return TestSupport.JSON.readTree(r.body());
    }

    @Test
    void theSeedsExampleIsRecordedPricedAndAnsweredWithEveryQuotaField(@TempDir Path home) throws Exception {
        try (PlutusDaemon d = start(home, null, null)) {
            String key = d.apiKeys().create("prod agent").secret();
            HttpResponse<String> r = usage(d, key, EXAMPLE);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode a = json(r);
            assertEquals("org_local", a.get("org_id").asText());
            assertTrue(a.get("recorded").asBoolean());
            assertTrue(a.get("event_id").asText().startsWith("evt_"), r.body());
            assertEquals(0, new BigDecimal("0.0156").compareTo(a.get("cost_usd").decimalValue()), r.body());
            assertTrue(a.get("estimated").asBoolean(), "priced by Plutus, not reported by the sender");
            assertTrue(a.get("balance_after").isNull());
            assertFalse(a.get("over_free_limit").asBoolean());
            assertEquals(2000, a.get("tracked_tokens_mtd").asLong());
            assertTrue(a.get("tracked_limit").isNull());
            assertEquals("self-hosted", a.get("tier").asText());
            assertEquals("ok", a.get("budget").get("level").asText());

            LlmCall stored = d.plutus().calls().recent(1).get(0);
            assertEquals(a.get("event_id").asText(), stored.eventId());
            assertEquals(15_600, stored.costMicros());
            assertEquals("prod", stored.origin().workspace());
            assertEquals("code_review", stored.origin().taskType());
            assertEquals("api", stored.origin().source());
            assertEquals("api", stored.platform());

            JsonNode exact = json(usage(d, key, """
                    {"provider":"openai","model":"gpt-4.1","input_tokens":10,"cost_usd":0.123456,"source":"batch-job"}"""));
            assertEquals(0, new BigDecimal("0.123456").compareTo(exact.get("cost_usd").decimalValue()));
            assertFalse(exact.get("estimated").asBoolean());
            assertEquals(2010, exact.get("tracked_tokens_mtd").asLong());
            assertEquals("default", exact.get("workspace").asText());
        }
    }

    @Test
    void batchesAnswerPerEventAndIngestedSpendCountsTowardTheSameBudgets(@TempDir Path home) throws Exception {
        try (PlutusDaemon d = start(home, "ingest:\n  balance_usd: 10\n", """
                budgets:
                  global:
                    daily_usd: 1.00
                timezone: UTC
                """)) {
            String key = d.apiKeys().create("batch").secret();
            String event = "{\"provider\":\"anthropic\",\"model\":\"claude-sonnet-4-6\",\"cost_usd\":0.4,\"output_tokens\":5}";
            HttpResponse<String> r = usage(d, key, "[" + event + "," + event + "," + event + "]");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode a = json(r);
            assertEquals(3, a.get("results").size());
            assertEquals(3, a.get("recorded").asLong());
            assertEquals(0, a.get("blocked").asLong());
            assertEquals(0, new BigDecimal("8.8").compareTo(a.get("balance_after").decimalValue()), r.body());
            assertEquals("hard", a.get("budget").get("level").asText(), r.body());
            assertTrue(a.get("budget").get("message").asText().contains("global"), r.body());
            // A Hermes session on the same instance is now over the global budget too.
            assertEquals(Level.HARD, d.plutus().gate().checkSession("a-hermes-session").verdict().level());
        }
    }

    @Test
    void everyBadBodyIsRefusedWithItsEventAndFieldAndRecordsNothing(@TempDir Path home) throws Exception {
        String many = "[" + String.join(",", java.util.Collections.nCopies(1001, "{\"provider\":\"x\"}")) + "]";
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"provider\":\"anthropic\",\"input_tokens\":12", "malformed JSON");
        cases.put("", "empty body");
        cases.put("[]", "empty array");
        cases.put("42", "not number");
        cases.put("{\"model\":\"gpt-4.1\"}", "'provider' is required");
        cases.put("{\"provider\":7}", "'provider' must be a string");
        cases.put("{\"provider\":\"openai\",\"input_tokens\":\"12\"}", "'input_tokens' must be a whole number");
        cases.put("{\"provider\":\"openai\",\"input_tokens\":-1}", "'input_tokens' must not be negative");
        cases.put("{\"provider\":\"openai\",\"output_tokens\":1.5}", "'output_tokens' must be a whole number");
        cases.put("{\"provider\":\"openai\",\"input_tokens\":100000000000000000000000}", "'input_tokens' is too large");
        cases.put("{\"provider\":\"openai\",\"cost_usd\":-0.01}", "'cost_usd' must not be negative");
        cases.put("{\"provider\":\"openai\",\"cost_usd\":1e30}", "'cost_usd' is too large");
        cases.put("{\"provider\":\"openai\",\"input_token\":5}", "unknown field 'input_token'");
        cases.put("{\"provider\":\"openai\",\"input_tokens\":5,\"input_tokens\":500}", "Duplicate field 'input_tokens'");
        cases.put("{\"provider\":\"openai\",\"output_tokens\":5,\"reasoning_tokens\":9}", "'reasoning_tokens' (9) is part of output_tokens");
        cases.put("{\"provider\":\"openai\",\"timestamp\":\"2999-01-01T00:00:00Z\"}", "'timestamp' is in the future");
        cases.put("{\"provider\":\"openai\",\"timestamp\":\"yesterday\"}", "'timestamp' is not ISO-8601");
        cases.put("[{\"provider\":\"openai\"},{\"provider\":\"openai\",\"workspace\":[1]}]", "event 1: field 'workspace' must be a string");
        cases.put("[{\"provider\":\"openai\"},3]", "event 1: must be an object");
        cases.put("{\"provider\":\"" + "p".repeat(201) + "\"}", "longer than 200");
        cases.put(many, "batch of 1001 events");
        try (PlutusDaemon d = start(home, null, null)) {
            String key = d.apiKeys().create("fuzz").secret();
            for (Map.Entry<String, String> c : cases.entrySet()) {
                HttpResponse<String> r = usage(d, key, c.getKey());
                assertEquals(400, r.statusCode(), c.getKey() + " -> " + r.body());
                assertTrue(json(r).get("error").asText().contains(c.getValue()),
                        "expected '" + c.getValue() + "' in " + r.body());
            }
            assertEquals(0, d.plutus().calls().count(), "nothing of a refused body is recorded");
            assertEquals(200, usage(d, key, "{\"provider\":\"openai\",\"timestamp\":1700000000.5}").statusCode());
            assertEquals(1, d.plutus().calls().count());
        }
    }

    @Test
    void keysMissingInvalidOrRevokedAre401AndRevocationByTheCliTakesEffectAtOnce(@TempDir Path home) throws Exception {
        try (PlutusDaemon d = start(home, null, null)) {
            var created = d.apiKeys().create("to revoke");
            String key = created.secret();
            for (String bad : new String[] {null, "plutus_sk_wrong", "sk-ant-123"}) {
                HttpResponse<String> r = usage(d, bad, EXAMPLE);
                assertEquals(401, r.statusCode(), r.body());
                assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            }
            HttpResponse<String> basic = HTTP.send(HttpRequest.newBuilder(URI.create(d.info().baseUrl() + "/v1/usage"))
                    .header("Authorization", "Basic " + key).POST(HttpRequest.BodyPublishers.ofString(EXAMPLE)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, basic.statusCode());
            assertEquals(200, usage(d, key, EXAMPLE).statusCode());

            var out = new java.io.StringWriter();
            var cli = dev.plutus.cli.PlutusCli.commandLine(java.io.InputStream.nullInputStream());
            cli.setOut(new java.io.PrintWriter(out, true));
            assertEquals(0, cli.execute("keys", "revoke", created.key().keyId(), "--home", home.toString()), out.toString());
            HttpResponse<String> revoked = usage(d, key, EXAMPLE);
            assertEquals(401, revoked.statusCode());
            assertTrue(revoked.body().contains("revoked"), revoked.body());
            assertEquals(1, d.plutus().calls().count());
            if (Files.exists(home.resolve("plutus.db"))) {
                assertFalse(new String(Files.readAllBytes(home.resolve("plutus.db")), StandardCharsets.ISO_8859_1).contains(key),
                        "the secret itself is never stored");
            }
        }
    }

    @Test
    void pastTheFreeCapEventsAreFlaggedNotDroppedUnlessBlockingIsOn(@TempDir Path tmp) throws Exception {
        String event = "{\"provider\":\"openai\",\"model\":\"gpt-4.1\",\"input_tokens\":600,\"output_tokens\":200}";
        try (PlutusDaemon d = start(tmp.resolve("flag"), "ingest:\n  tracked_limit: 1000\n", null)) {
            String key = d.apiKeys().create("free").secret();
            JsonNode first = json(usage(d, key, event));
            assertFalse(first.get("over_free_limit").asBoolean());
            assertEquals("free", first.get("tier").asText());
            assertEquals(1000, first.get("tracked_limit").asLong());
            HttpResponse<String> second = usage(d, key, event);
            assertEquals(200, second.statusCode());
            assertTrue(json(second).get("recorded").asBoolean());
            assertTrue(json(second).get("over_free_limit").asBoolean());
            assertEquals(1600, json(second).get("tracked_tokens_mtd").asLong());
            assertEquals(2, d.plutus().calls().count());
        }
        try (PlutusDaemon d = start(tmp.resolve("block"), """
                ingest:
                  tracked_limit: 1000
                  block_over_free_limit: true
                  upgrade_url: https://billing.example/upgrade
                """, null)) {
            String key = d.apiKeys().create("free").secret();
            assertEquals(200, usage(d, key, event).statusCode());
            HttpResponse<String> refused = usage(d, key, event);
            assertEquals(402, refused.statusCode(), refused.body());
            assertEquals("https://billing.example/upgrade", json(refused).get("upgrade_url").asText());
            assertFalse(json(refused).get("recorded").asBoolean());
            HttpResponse<String> batch = usage(d, key, "[{\"provider\":\"openai\",\"input_tokens\":100}," + event + "]");
            assertEquals(200, batch.statusCode(), batch.body());
            assertEquals(1, json(batch).get("recorded").asLong());
            assertEquals(1, json(batch).get("blocked").asLong());
            assertEquals(900, json(batch).get("tracked_tokens_mtd").asLong());
            assertEquals(2, d.plutus().calls().count());
        }
    }

    @Test
    void oversizedBodiesAre413AndBurstsPastTheKeysRateAre429WithRetryAfter(@TempDir Path home) throws Exception {
        try (PlutusDaemon d = start(home, "ingest:\n  rate_limit:\n    requests_per_second: 0.5\n    burst: 2\n", null)) {
            String key = d.apiKeys().create("slow").secret();
            String other = d.apiKeys().create("other").secret();
            HttpResponse<String> huge = usage(d, key, "[" + "{\"provider\":\"x\"},".repeat(80_000) + "{\"provider\":\"x\"}]");
            assertEquals(413, huge.statusCode());
            assertEquals(200, usage(d, key, EXAMPLE).statusCode());
            HttpResponse<String> limited = usage(d, key, EXAMPLE);
            assertEquals(429, limited.statusCode(), limited.body());
            assertTrue(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()) >= 1);
            assertEquals(200, usage(d, other, EXAMPLE).statusCode(), "each key has its own bucket");
            assertEquals(2, d.plutus().calls().count());
            HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(d.info().baseUrl() + "/v1/usage")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, get.statusCode());
        }
    }

    @Test
    void anIdempotencyKeyMakesRetriesRecordNothingTwiceEvenWhenTheAnswerWasLost(@TempDir Path home) throws Exception {
        try (PlutusDaemon d = start(home, null, null)) {
            String key = d.apiKeys().create("retrying").secret();
            Map<String, String> idem = Map.of("Idempotency-Key", "req-42");
            String batch = "[" + EXAMPLE + "," + EXAMPLE + "]";
            HttpResponse<String> first = usage(d.info().baseUrl(), key, batch, idem);
            HttpResponse<String> retry = usage(d.info().baseUrl(), key, batch, idem);
            assertEquals(200, retry.statusCode());
            assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElse(""));
            assertEquals(first.body(), retry.body());
            assertEquals(2, d.plutus().calls().count());

            HttpResponse<String> reused = usage(d.info().baseUrl(), key, EXAMPLE, idem);
            assertEquals(422, reused.statusCode(), reused.body());

            // The daemon died after committing but before keeping its answer: the retry still records nothing new.
            new dev.plutus.store.IngestStore(d.plutus().jdbc()).forgetAnswersBefore(java.time.Instant.now().plusSeconds(60));
            HttpResponse<String> afterCrash = usage(d.info().baseUrl(), key, batch, idem);
            assertEquals(200, afterCrash.statusCode());
            assertTrue(json(afterCrash).get("results").get(0).get("duplicate").asBoolean(), afterCrash.body());
            assertEquals(json(first).get("results").get(1).get("event_id"), json(afterCrash).get("results").get(1).get("event_id"));
            assertEquals(2, d.plutus().calls().count());
            assertEquals(4000, json(afterCrash).get("tracked_tokens_mtd").asLong(), "a duplicate is not metered twice");
        }
    }

    @Test
    void workspacesAreCreatedUpToTheCapThenBilledToDefault(@TempDir Path home) throws Exception {
        try (PlutusDaemon d = start(home, "ingest:\n  workspace_cap: 2\n", null)) {
            String key = d.apiKeys().create("ws").secret();
            for (String ws : List.of("a", "b", "a")) {
                assertEquals(ws, json(usage(d, key, "{\"provider\":\"x\",\"workspace\":\"" + ws + "\"}")).get("workspace").asText());
            }
            JsonNode third = json(usage(d, key, "{\"provider\":\"x\",\"workspace\":\"c\"}"));
            assertEquals("default", third.get("workspace").asText());
            assertTrue(third.get("warnings").get(0).asText().contains("cap of 2"), third.toString());
            assertEquals(List.of("a", "b", "default"), new dev.plutus.store.IngestStore(d.plutus().jdbc()).workspaces());
            assertEquals(4, d.plutus().calls().count());
        }
    }

    @Test
    void metricsExposeSpendTokensVerdictsHookLatencyAndIngestion(@TempDir Path home) throws Exception {
        try (PlutusDaemon d = start(home, null, null)) {
            String key = d.apiKeys().create("m").secret();
            usage(d, key, EXAMPLE);
            usage(d, null, EXAMPLE);
            DaemonTest.post(d, "/hooks/pre_tool_call", TestSupport.hermesJson("pre_tool_call.json").toString(), DaemonTest.token(home));
            HttpResponse<String> m = HTTP.send(HttpRequest.newBuilder(URI.create(d.info().baseUrl() + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, m.statusCode());
            assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            String text = m.body();
            assertTrue(text.contains("plutus_spend_usd_total{provider=\"anthropic\",model=\"claude-sonnet-4-6\"} 0.015600\n"), text);
            assertTrue(text.contains("plutus_tokens_total{provider=\"anthropic\",model=\"claude-sonnet-4-6\",class=\"input\"} 1200\n"), text);
            assertTrue(text.contains("plutus_ingest_requests_total{code=\"200\"} 1\n"), text);
            assertTrue(text.contains("plutus_ingest_requests_total{code=\"401\"} 1\n"), text);
            assertTrue(text.contains("plutus_ingest_events_total{outcome=\"recorded\"} 1\n"), text);
            assertTrue(text.contains("plutus_verdicts_total{level=\"ok\"} "), text);
            assertTrue(text.contains("plutus_hook_latency_seconds_count 1\n"), text);
            assertTrue(text.contains("plutus_hook_latency_seconds_bucket{le=\"+Inf\"} 1\n"), text);
            assertTrue(text.contains("plutus_reservations_held_usd 0.000000\n"), text);
            assertTrue(text.contains("plutus_shared_reservations_total{decided=\"store\"} 0\n"), text);
            assertTrue(text.contains("# TYPE plutus_runway_remaining_usd gauge\n"), text);
            for (String line : text.split("\n")) {
                assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ")
                        || line.matches("[a-z_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*})? -?[0-9.eE+-]+"), "not exposition format: " + line);
            }
        }
    }

    @Test
    void nothingAcknowledgedIsLostWhenTheDaemonIsKilledRightAfterAnswering(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("plutus");
        Files.createDirectories(home);
        String key;
        try (var p = TestSupport.open(home, Clock.systemUTC())) {
            key = p.apiKeys().create("kill").secret();
        }
        int acknowledged = 0;
        try (DaemonProcess daemon = DaemonProcess.start(home, tmp.resolve("daemon.log"))) {
            for (int i = 0; i < 40; i++) {
                String body = i % 2 == 0 ? EXAMPLE : "[" + EXAMPLE + "," + EXAMPLE + "]";
                if (usage(daemon.info().baseUrl(), key, body, Map.of()).statusCode() == 200) {
                    acknowledged += i % 2 == 0 ? 1 : 2;
                }
            }
            daemon.kill();
        }
        assertEquals(60, acknowledged);
        try (var p = TestSupport.open(home, Clock.systemUTC())) {
            assertEquals(acknowledged, p.calls().count());
        }
    }
}
