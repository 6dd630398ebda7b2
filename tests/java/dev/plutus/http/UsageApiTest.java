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
    private static final HttpClient HTTP = DaemonHarness.HTTP;
    private static final String EXAMPLE = """
            {"provider":"anthropic","model":"claude-sonnet-4-6","input_tokens":1200,"output_tokens":800,
             "task_type":"code_review","workspace":"prod"}""";

    private static DaemonHarness start(Path home, String plutusYaml, String budgetYaml) throws Exception {
        DaemonHarness.Builder b = DaemonHarness.in(home);
        if (plutusYaml != null) {
            b.file("plutus.yaml", plutusYaml);
        }
        if (budgetYaml != null) {
            b.file("budget.yaml", budgetYaml);
        }
        return b.start();
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

    private static HttpResponse<String> usage(DaemonHarness d, String key, String body) throws Exception {
        return usage(d.info().baseUrl(), key, body, Map.of());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return TestSupport.JSON.readTree(r.body());
    }

    /**
     * A call priced at the model maker's list price (the host it went through has none of its own) is
     * stored flagged; the answer says so too, in the words /stats uses, and says nothing for an exact price.
     */
    @Test
    void theAnswerCarriesTheFlagTheStoredCallsPriceCarries(@TempDir Path home) throws Exception {
        try (DaemonHarness d = start(home, null, null)) {
            String key = d.apiKeys().create("flags").secret();
            JsonNode maker = json(usage(d, key, """
                    {"provider":"fireworks","model":"claude-opus-4-7","input_tokens":1000,"output_tokens":100}"""));
            LlmCall stored = d.plutus().calls().recent(1).get(0);
            assertEquals(maker.get("event_id").asText(), stored.eventId());
            assertTrue(stored.priceEntry().endsWith(" (maker price)"), stored.priceEntry());
            assertEquals("price from maker: the host it went through has no price of its own", maker.path("price_flag").asText(null),
                    maker.toString());

            JsonNode exact = json(usage(d, key, """
                    {"provider":"anthropic","model":"claude-opus-4-7","input_tokens":1000,"output_tokens":100}"""));
            assertFalse(d.plutus().calls().recent(1).get(0).priceEntry().contains("("));
            assertFalse(exact.has("price_flag"), "an exact price carries no flag: " + exact);

            JsonNode batch = json(usage(d, key, """
                    [{"provider":"fireworks","model":"claude-opus-4-7","input_tokens":10},
                     {"provider":"anthropic","model":"claude-opus-4-7","input_tokens":10},
                     {"provider":"openai","model":"gpt-4.1","input_tokens":10,"cost_usd":0.01}]"""));
            JsonNode results = batch.get("results");
            assertEquals(maker.get("price_flag"), results.get(0).get("price_flag"), batch.toString());
            assertFalse(results.get(1).has("price_flag"), batch.toString());
            assertFalse(results.get(2).has("price_flag"), "a cost the sender reported is no price of Plutus's: " + batch);
        }
    }

    @Test
    void theSeedsExampleIsRecordedPricedAndAnsweredWithEveryQuotaField(@TempDir Path home) throws Exception {
        try (DaemonHarness d = start(home, null, null)) {
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
        try (DaemonHarness d = start(home, "ingest:\n  balance_usd: 10\n", """
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
    void eventsPricedAtAStandInAreMarkedProvisionalEachAndInTheBatchTotal(@TempDir Path home) throws Exception {
        try (DaemonHarness d = start(home, null, null)) {
            String key = d.apiKeys().create("agent").secret();
            HttpResponse<String> r = usage(d, key, "["
                    + "{\"provider\":\"anthropic\",\"model\":\"claude-sonnet-4-6\",\"output_tokens\":1000},"
                    + "{\"provider\":\"anthropic\",\"model\":\"claude-nobody-priced\",\"output_tokens\":1000000},"
                    + "{\"provider\":\"anthropic\",\"model\":\"claude-nobody-priced\",\"output_tokens\":1000,\"cost_usd\":0.5},"
                    + "{\"provider\":\"anthropic\",\"model\":\"claude-also-unpriced\",\"input_tokens\":1000000}]");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode a = json(r);
            JsonNode results = a.path("results");
            assertTrue(results.get(0).path("provisional").isMissingNode(), "a priced model: " + results.get(0));
            assertTrue(results.get(1).path("provisional").asBoolean(), results.get(1).toString());
            assertFalse(results.get(1).path("priced").asBoolean(true), "a stand-in is not a price");
            assertTrue(results.get(1).path("cost_usd").decimalValue().signum() > 0, "counted, not $0: " + results.get(1));
            assertTrue(results.get(2).path("provisional").isMissingNode(), "the sender's own cost: " + results.get(2));
            assertTrue(results.get(3).path("provisional").asBoolean(), results.get(3).toString());
            assertEquals(2, a.path("provisional_calls").asInt(), r.body());
            assertEquals(0, results.get(1).path("cost_usd").decimalValue().add(results.get(3).path("cost_usd").decimalValue())
                    .compareTo(a.path("provisional_usd").decimalValue()), r.body());

            JsonNode one = json(usage(d, key, "{\"provider\":\"anthropic\",\"model\":\"claude-nobody-priced\",\"output_tokens\":10}"));
            assertTrue(one.path("provisional").asBoolean(), one.toString());
            JsonNode priced = json(usage(d, key, EXAMPLE));
            assertTrue(priced.path("provisional").isMissingNode(), priced.toString());
            JsonNode plain = json(usage(d, key, "[" + EXAMPLE + "]"));
            assertTrue(plain.path("provisional_calls").isMissingNode() && plain.path("provisional_usd").isMissingNode(), plain.toString());
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
        cases.put("{\"provider\":\"openai\",\"input_tokens\":5,\"input_tokens\":500}", "field 'input_tokens' appears twice");
        cases.put("{\"provider\":\"openai\",\"output_tokens\":5,\"reasoning_tokens\":9}", "'reasoning_tokens' (9) is part of output_tokens");
        cases.put("{\"provider\":\"openai\",\"timestamp\":\"2999-01-01T00:00:00Z\"}", "'timestamp' is in the future");
        cases.put("{\"provider\":\"openai\",\"timestamp\":\"yesterday\"}", "'timestamp' is not ISO-8601");
        cases.put("[{\"provider\":\"openai\"},{\"provider\":\"openai\",\"workspace\":[1]}]", "event 1: field 'workspace' must be a string");
        cases.put("[{\"provider\":\"openai\"},3]", "event 1: must be an object");
        cases.put("{\"provider\":\"" + "p".repeat(201) + "\"}", "longer than 200");
        cases.put(many, "batch of 1001 events");
        try (DaemonHarness d = start(home, null, null)) {
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
        try (DaemonHarness d = start(home, null, null)) {
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
        try (DaemonHarness d = start(tmp.resolve("flag"), "ingest:\n  tracked_limit: 1000\n", null)) {
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
        try (DaemonHarness d = start(tmp.resolve("block"), """
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
        try (DaemonHarness d = start(home, "ingest:\n  rate_limit:\n    requests_per_second: 0.5\n    burst: 2\n", null)) {
            String key = d.apiKeys().create("slow").secret();
            String other = d.apiKeys().create("other").secret();
            String huge = d.announceOnly("/v1/usage", HttpLimits.DEFAULTS.maxBodyBytes() + 1L, key);
            assertTrue(huge.startsWith("HTTP/1.1 413 "), huge);
            // Jetty refuses a body over the limit before the key is looked at: it costs the key none of its rate.
            assertEquals(200, usage(d, key, EXAMPLE).statusCode());
            assertEquals(200, usage(d, key, EXAMPLE).statusCode());
            HttpResponse<String> limited = usage(d, key, EXAMPLE);
            assertEquals(429, limited.statusCode(), limited.body());
            assertTrue(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()) >= 1);
            assertEquals(200, usage(d, other, EXAMPLE).statusCode(), "each key has its own bucket");
            assertEquals(3, d.plutus().calls().count());
            HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(d.info().baseUrl() + "/v1/usage")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, get.statusCode());
        }
    }

    @Test
    void anIdempotencyKeyMakesRetriesRecordNothingTwiceEvenWhenTheAnswerWasLost(@TempDir Path home) throws Exception {
        try (DaemonHarness d = start(home, null, null)) {
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
    @org.junit.jupiter.api.Tag("sqlite-file")
    void aFailedStoreWriteLeavesTheMonthsTokensAsTheyWereAndTheRetryCountsOnce(@TempDir Path home) throws Exception {
        // The cap sits exactly at two events: a failed attempt that stayed counted would push the retry over it.
        try (DaemonHarness d = start(home, "ingest:\n  tracked_limit: 4000\n  block_over_free_limit: true\n", null)) {
            String key = d.apiKeys().create("flaky store").secret();
            assertEquals(2000, json(usage(d, key, EXAMPLE)).get("tracked_tokens_mtd").asLong());
            Map<String, String> idem = Map.of("Idempotency-Key", "after-outage");
            HttpResponse<String> failed;
            try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + home.resolve("plutus.db"));
                 var st = c.createStatement()) {
                st.executeUpdate("CREATE TRIGGER refuse_calls BEFORE INSERT ON llm_calls BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
                failed = usage(d.info().baseUrl(), key, EXAMPLE, idem);
                assertEquals(1, d.plutus().calls().count());
                st.executeUpdate("DROP TRIGGER refuse_calls");
            }
            HttpResponse<String> retry = usage(d.info().baseUrl(), key, EXAMPLE, idem);
            assertEquals(200, retry.statusCode(), "the failed attempt's tokens must not count against the cap: " + retry.body());
            assertTrue(json(retry).get("recorded").asBoolean(), retry.body());
            assertFalse(json(retry).has("duplicate"), retry.body());
            assertEquals(4000, json(retry).get("tracked_tokens_mtd").asLong(), retry.body());
            assertFalse(json(retry).get("over_free_limit").asBoolean(), retry.body());
            assertEquals(2, d.plutus().calls().count());

            HttpResponse<String> replay = usage(d.info().baseUrl(), key, EXAMPLE, idem);
            assertEquals(retry.body(), replay.body(), "the retry's answer is the one kept");
            HttpResponse<String> past = usage(d, key, EXAMPLE);
            assertEquals(402, past.statusCode(), "the cap still holds once the month really is full: " + past.body());
            assertEquals(4000, json(past).get("tracked_tokens_mtd").asLong(), past.body());
            assertEquals(2, d.plutus().calls().count());
            assertEquals(503, failed.statusCode(), failed.body());
            assertTrue(json(failed).get("error").asText().contains("store unavailable"), failed.body());
        }
    }

    @Test
    @org.junit.jupiter.api.Tag("sqlite-file")
    void aWriteThatFailsHalfwayCountsTheEventsItDidCommitOnce(@TempDir Path home) throws Exception {
        try (DaemonHarness d = start(home, null, null)) {
            String key = d.apiKeys().create("half").secret();
            Map<String, String> idem = Map.of("Idempotency-Key", "half-done");
            String batch = "[" + openAi(100) + "," + openAi(7) + "]";
            HttpResponse<String> failed;
            try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + home.resolve("plutus.db"));
                 var st = c.createStatement()) {
                // Only the second event fails: the writer retries the failed batch row by row, so the first commits.
                st.executeUpdate("CREATE TRIGGER refuse_seven BEFORE INSERT ON llm_calls WHEN NEW.input_tokens = 7"
                        + " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
                failed = usage(d.info().baseUrl(), key, batch, idem);
                st.executeUpdate("DROP TRIGGER refuse_seven");
            }
            assertEquals(503, failed.statusCode(), failed.body());
            assertEquals(1, d.plutus().calls().count(), "the first event was committed before the second failed");
            HttpResponse<String> retry = usage(d.info().baseUrl(), key, batch, idem);
            assertEquals(200, retry.statusCode(), retry.body());
            JsonNode results = json(retry).get("results");
            assertTrue(results.get(0).path("duplicate").asBoolean(), retry.body());
            assertFalse(results.get(1).has("duplicate"), retry.body());
            assertEquals(107, json(retry).get("tracked_tokens_mtd").asLong(), "each committed event counted once: " + retry.body());
            assertEquals(2, d.plutus().calls().count());
        }
    }

    @Test
    void oneIdempotencyKeyWithADifferentBodyIs422AndRecordsNothing(@TempDir Path home) throws Exception {
        try (DaemonHarness d = start(home, null, null)) {
            String key = d.apiKeys().create("reuser").secret();
            Map<String, String> idem = Map.of("Idempotency-Key", "req-7");
            String batch = "[" + EXAMPLE + "," + EXAMPLE + "]";
            HttpResponse<String> first = usage(d.info().baseUrl(), key, batch, idem);
            assertEquals(200, first.statusCode(), first.body());

            String other = "[{\"provider\":\"openai\",\"model\":\"gpt-4.1\",\"input_tokens\":5}]";
            HttpResponse<String> reused = usage(d.info().baseUrl(), key, other, idem);
            assertEquals(422, reused.statusCode(), reused.body());
            JsonNode conflict = json(reused);
            assertTrue(conflict.get("error").asText().contains("different body"), reused.body());
            assertEquals("req-7", conflict.get("idempotency_key").asText(), reused.body());
            assertEquals(2, d.plutus().calls().count(), "nothing of the second body is recorded");

            // The same events with other spacing and key order are the same body: the kept answer, not a 422.
            String respaced = "[ " + batch.substring(1).replace("\"provider\":\"anthropic\",\"model\":\"claude-sonnet-4-6\"",
                    "\"model\": \"claude-sonnet-4-6\", \"provider\": \"anthropic\"");
            assertTrue(!respaced.equals(batch) && respaced.contains("\"model\": \"claude"), respaced);
            HttpResponse<String> same = usage(d.info().baseUrl(), key, respaced, idem);
            assertEquals(200, same.statusCode(), same.body());
            assertEquals("true", same.headers().firstValue("Idempotent-Replayed").orElse(""));
            assertEquals(first.body(), same.body());
            assertEquals(2, d.plutus().calls().count());
        }
    }

    @Test
    @org.junit.jupiter.api.Tag("sqlite-file")
    void twoBodiesInFlightAtOnceUnderOneKeyGetOne200AndOne422(@TempDir Path home) throws Exception {
        // Deterministic: an outside writer holds the database, so both requests are in flight when it lets go.
        try (DaemonHarness d = start(home, null, null)) {
            String key = d.apiKeys().create("racer").secret();
            assertEquals(200, usage(d, key, openAi(1)).statusCode()); // its workspace exists: only the request's own rows are left to write
            Map<String, String> idem = Map.of("Idempotency-Key", "held");
            List<String> bodies = List.of(openAi(11), openAi(22));
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> answers = new java.util.ArrayList<>();
            try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + home.resolve("plutus.db"));
                 var st = c.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
                for (String body : bodies) {
                    answers.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return usage(d.info().baseUrl(), key, body, idem);
                        } catch (Exception e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    }));
                }
                Thread.sleep(1500);
                assertFalse(answers.stream().anyMatch(java.util.concurrent.CompletableFuture::isDone), "both wait for the database");
                st.execute("COMMIT");
            }
            assertOne200AndOne422(d, bodies, answers.get(0).get(), answers.get(1).get());
            assertEquals(2, d.plutus().calls().count(), "the first call and the winning body's");
        }
    }

    @Test
    void twoBodiesRacingUnderOneKeyNeverGetADuplicateAnswer(@TempDir Path home) throws Exception {
        int rounds = 40;
        try (DaemonHarness d = start(home, null, null)) {
            String key = d.apiKeys().create("racer").secret();
            var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < rounds; round++) {
                    Map<String, String> idem = Map.of("Idempotency-Key", "race-" + round);
                    List<String> bodies = List.of(openAi(1000 + round), openAi(2000 + round));
                    var go = new java.util.concurrent.CountDownLatch(1);
                    List<java.util.concurrent.Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
                    for (String body : bodies) {
                        answers.add(pool.submit(() -> {
                            go.await();
                            return usage(d.info().baseUrl(), key, body, idem);
                        }));
                    }
                    go.countDown();
                    assertOne200AndOne422(d, bodies, answers.get(0).get(), answers.get(1).get());
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(rounds, d.plutus().calls().count(), "one body of each round is recorded, once");
        }
    }

    private static String openAi(int inputTokens) {
        return "{\"provider\":\"openai\",\"model\":\"gpt-4.1\",\"input_tokens\":" + inputTokens + "}";
    }

    /** One body won the key and is recorded as sent; the other is refused, not told its events are duplicates. */
    private static void assertOne200AndOne422(DaemonHarness d, List<String> bodies, HttpResponse<String> a, HttpResponse<String> b)
            throws Exception {
        List<Integer> codes = List.of(a.statusCode(), b.statusCode());
        assertTrue(codes.contains(200) && codes.contains(422), a.body() + " / " + b.body());
        HttpResponse<String> won = a.statusCode() == 200 ? a : b;
        String winner = won == a ? bodies.get(0) : bodies.get(1);
        assertFalse(json(won).has("duplicate"), won.body());
        assertTrue(json(won == a ? b : a).get("error").asText().contains("different body"), (won == a ? b : a).body());
        LlmCall stored = d.plutus().calls().recent(1).get(0);
        assertEquals(json(won).get("event_id").asText(), stored.eventId());
        assertEquals(TestSupport.JSON.readTree(winner).get("input_tokens").asLong(), stored.usage().input());
    }

    @Test
    void a400NamesTheEventAndTheFieldInItsOwnMembers(@TempDir Path home) throws Exception {
        String ok = "{\"provider\":\"openai\",\"input_tokens\":1}";
        String badThird = "[" + ok + "," + ok + "," + ok + ",{\"provider\":\"openai\",\"input_tokens\":\"12\"}," + ok + "]";
        try (DaemonHarness d = start(home, null, null)) {
            String key = d.apiKeys().create("shapes").secret();
            assertError(usage(d, key, badThird), 3, "input_tokens", "event 3: field 'input_tokens' must be a whole number");
            assertError(usage(d, key, "[" + ok + ",{\"model\":\"gpt-4.1\"}]"), 1, "provider", "event 1: field 'provider' is required");
            assertError(usage(d, key, "[" + ok + "," + ok + ",{\"provider\":\"x\",\"input_token\":5}]"), 2, "input_token",
                    "unknown field 'input_token'");
            assertError(usage(d, key, "[" + ok + ",{\"provider\":\"x\",\"timestamp\":\"2999-01-01T00:00:00Z\"}]"), 1, "timestamp",
                    "is in the future");
            assertError(usage(d, key, "[" + ok + ",7]"), 1, null, "event 1: must be an object");
            assertError(usage(d, key, "{\"provider\":\"openai\",\"cost_usd\":-1}"), 0, "cost_usd", "must not be negative");
            assertError(usage(d, key, "42"), null, null, "must be an event object or an array of events");
            assertError(usage(d, key, "{\"provider\":"), null, null, "malformed JSON");
            assertError(usage(d.info().baseUrl(), key, ok, Map.of("Idempotency-Key", "has space")), null, null, "Idempotency-Key must be");
            assertEquals(0, d.plutus().calls().count());
        }
    }

    private static void assertError(HttpResponse<String> r, Integer eventIndex, String field, String message) throws Exception {
        assertEquals(400, r.statusCode(), r.body());
        JsonNode e = json(r);
        assertTrue(e.get("error").asText().contains(message), r.body());
        assertEquals(eventIndex == null ? null : eventIndex.longValue(), e.path("event_index").isIntegralNumber()
                ? Long.valueOf(e.get("event_index").asLong()) : null, r.body());
        assertTrue(eventIndex != null || e.has("event_index") && e.get("event_index").isNull(), "event_index is null, not left out: " + r.body());
        assertEquals(field, e.path("field").isTextual() ? e.get("field").asText() : null, r.body());
        assertTrue(field != null || e.has("field") && e.get("field").isNull(), "field is null, not left out: " + r.body());
        List<String> members = iterable(e.fieldNames());
        java.util.Collections.sort(members);
        assertEquals(List.of("error", "event_index", "field"), members, r.body());
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void workspacesAreCreatedUpToTheCapThenBilledToDefault(@TempDir Path home) throws Exception {
        try (DaemonHarness d = start(home, "ingest:\n  workspace_cap: 2\n", null)) {
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
        try (DaemonHarness d = start(home, null, null)) {
            String key = d.apiKeys().create("m").secret();
            usage(d, key, EXAMPLE);
            usage(d, null, EXAMPLE);
            DaemonTest.post(d, "/hooks/pre_tool_call", TestSupport.hermesJson("pre_tool_call.json").toString(), DaemonTest.token(home));
            HttpResponse<String> m = HTTP.send(HttpRequest.newBuilder(URI.create(d.info().baseUrl() + "/metrics"))
                            .header("Authorization", "Bearer " + d.readToken()).GET().build(),
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
