package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.TestSupport;
import dev.plutus.core.LlmCall;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated hostile input against one real daemon: {@code /v1/usage} bodies and hook keyword
 * arguments, most of them broken on purpose (absurd and non-finite numbers, times in the wrong
 * unit or century, deep nesting, control characters, cut JSON, replays). Afterwards every valid
 * event is in the store exactly once, nothing refused is, every stored value is inside its
 * documented range, the hard budget still blocks tools, the read side answers, and a restart
 * reads the same store. {@code -Dplutus.hostile.inputs=N} sets the count (the default run tries a
 * few thousand; the soak command in the README 20,000), {@code -Dplutus.hostile.seed=S} replays a run.
 */
class HostileInputTest {
    private static final Instant YEAR_2000 = Instant.parse("2000-01-01T00:00:00Z");
    private static final long MAX_TOKENS = 1_000_000_000_000L;
    private static final List<String> PRICED = List.of("gpt-4.1", "gpt-4.1-mini", "claude-sonnet-4-6");

    /** What the store must hold at the end. */
    private long expectedUsageEvents;
    private long expectedUsageInput;
    private final Set<String> validHookEventIds = new HashSet<>();
    private final Map<String, Integer> outcomes = new java.util.TreeMap<>();

    @Test
    void hostileBodiesAndHookArgumentsLeaveEveryValidEventOnceAndTheDaemonUp(@TempDir Path home) throws Exception {
        int inputs = Integer.getInteger("plutus.hostile.inputs", 3000);
        long seed = Long.getLong("plutus.hostile.seed", System.nanoTime());
        Random random = new Random(seed);
        String context = "seed " + seed + " (replay with -Dplutus.hostile.seed=" + seed + ")";
        String plutusYaml = "ingest:\n  rate_limit:\n    requests_per_second: 1000000\n    burst: 1000000\n";
        String budgetYaml = "budgets:\n  global:\n    daily_usd: 1.00\n";
        DaemonHarness d = DaemonHarness.in(home).file("plutus.yaml", plutusYaml).file("budget.yaml", budgetYaml).start();
        try {
            String key = d.apiKeys().create("hostile").secret();
            String token = d.token();
            long heapBefore = usedHeapAfterGc();
            long rssBefore = residentBytes();
            for (int i = 0; i < inputs; i++) {
                int pick = random.nextInt(10);
                if (pick < 5) {
                    usage(d, key, random, i, context);
                } else if (pick < 6) {
                    traces(d, key, random, i, context);
                } else {
                    hook(d, token, random, i, context);
                }
            }
            long heapAfter = usedHeapAfterGc();
            long rssAfter = residentBytes();
            System.out.printf("hostile inputs: %d (%s), outcomes %s, heap after GC %d -> %d MiB, RSS %d -> %d MiB%n", inputs,
                    context, outcomes, heapBefore >> 20, heapAfter >> 20, rssBefore >> 20, rssAfter >> 20);
            assertTrue(rssAfter - rssBefore < 512L << 20, "the process grew by " + ((rssAfter - rssBefore) >> 20) + " MiB; " + context);
            assertTrue(heapAfter - heapBefore < 256L << 20, "memory held after the run: " + (heapAfter >> 20) + " MiB; " + context);
            checkStore(d, context);
            assertReadSideAnswers(d, token, context);
            assertToolsBlocked(d, token, context);
            long count = d.plutus().calls().count();
            d.close();
            d = DaemonHarness.in(home).start();
            assertEquals(count, d.plutus().calls().count(), "a restart reads the same store; " + context);
            assertReadSideAnswers(d, d.token(), context);
            assertToolsBlocked(d, d.token(), context);
        } finally {
            d.close();
        }
    }

    // ---- /v1/usage ----

    private void usage(DaemonHarness d, String key, Random r, int i, String context) throws Exception {
        int kind = r.nextInt(8);
        String idem = "idem-" + i;
        if (kind == 0) {
            String body = brokenBody(r);
            HttpResponse<String> res = d.send("POST", "/v1/usage", body, key, "Content-Type", "application/json");
            tally("usage broken body " + res.statusCode());
            assertRefusedPlainly(res, body, context);
            return;
        }
        int events = 1 + r.nextInt(4);
        StringBuilder body = new StringBuilder(events > 1 || r.nextBoolean() ? "[" : "");
        boolean array = body.length() == 1;
        if (!array) {
            events = 1;
        }
        boolean poisoned = false;
        long input = 0;
        for (int e = 0; e < events; e++) {
            ObjectNode event = validEvent(r);
            boolean poison = kind == 1 || (kind == 2 && e == events - 1);
            if (poison) {
                poison(event, r);
                poisoned = true;
            }
            input += event.path("input_tokens").asLong(0);
            if (e > 0) {
                body.append(',');
            }
            body.append(poison ? poisonText(event, r) : event.toString());
        }
        if (array) {
            body.append(']');
        }
        String text = body.toString();
        HttpResponse<String> res = d.send("POST", "/v1/usage", text, key, "Content-Type", "application/json",
                "Idempotency-Key", idem);
        tally("usage " + (poisoned ? "poisoned " : "valid ") + res.statusCode());
        if (poisoned) {
            assertRefusedPlainly(res, text, context);
            return;
        }
        if (res.statusCode() == 429 || res.statusCode() == 503) {
            assertTrue(res.headers().firstValue("Retry-After").isPresent(), "a refusal to retry says when; " + context);
            return;
        }
        assertEquals(200, res.statusCode(), text + " -> " + res.body() + "; " + context);
        expectedUsageEvents += events;
        expectedUsageInput += input;
        if (r.nextInt(5) == 0) {
            // The client did not see the answer and sends it again: kept answer, nothing counted twice.
            HttpResponse<String> again = d.send("POST", "/v1/usage", text, key, "Content-Type", "application/json",
                    "Idempotency-Key", idem);
            assertEquals(res.body(), again.body(), "a replay gets the kept answer; " + context);
        }
    }

    private static ObjectNode validEvent(Random r) {
        ObjectNode e = TestSupport.JSON.createObjectNode();
        String model = PRICED.get(r.nextInt(PRICED.size()));
        e.put("provider", model.startsWith("claude") ? "anthropic" : "openai").put("model", model);
        e.put("input_tokens", r.nextInt(20_000)).put("output_tokens", r.nextInt(2_000));
        if (r.nextInt(4) == 0) {
            e.put("timestamp", Instant.now().minusSeconds(r.nextInt(3_600)).toString());
        }
        if (r.nextInt(6) == 0) {
            e.put("workspace", "ws-" + r.nextInt(3));
        }
        if (r.nextInt(4) == 0) {
            e.put("latency_ms", r.nextInt(86_400_001));
        }
        if (r.nextInt(4) == 0) {
            e.put("session_id", "us-" + r.nextInt(20));
            if (r.nextBoolean()) {
                e.put("root_session_id", "us-root-" + r.nextInt(3)).put("cron_job_id", "job" + r.nextInt(4)).put("sender", "u" + r.nextInt(9));
            }
        }
        if (r.nextInt(5) == 0) {
            e.put("task_type", List.of("chat", "coding", "summarise").get(r.nextInt(3)));
        }
        if (r.nextInt(5) == 0) {
            e.put("reasoning_tokens", r.nextInt(e.path("output_tokens").asInt() + 1));
        }
        return e;
    }

    /** One field made hostile; the event must then be refused whole, with the body it came in. */
    private static void poison(ObjectNode e, Random r) {
        switch (r.nextInt(19)) {
            case 12 -> e.put("latency_ms", -1 - r.nextInt(1000));
            case 13 -> e.put("latency_ms", 2.5);
            case 14 -> e.put("latency_ms", 86_400_001L + r.nextInt(1_000_000));
            case 15 -> {
                e.remove("session_id"); // facts about a session need the session
                e.put("cron_job_id", "job1");
            }
            case 16 -> e.put("root_session_id", "r".repeat(201)).put("session_id", "us-1");
            case 17 -> e.put("reasoning_tokens", e.path("output_tokens").asLong() + 1 + r.nextInt(100));
            case 18 -> e.put("task_type", 7);
            case 0 -> e.put("input_tokens", -1 - r.nextInt(1000));
            case 1 -> e.put("output_tokens", 1.5);
            case 2 -> e.put("input_tokens", MAX_TOKENS + 1 + r.nextInt(1000));
            case 3 -> e.put("input_tokens", "12");
            case 4 -> e.put("cost_usd", -0.01);
            case 5 -> e.put("cost_usd", new java.math.BigDecimal("1000000.000001"));
            case 6 -> e.put("timestamp", Instant.now().plus(Duration.ofDays(1 + r.nextInt(400))).getEpochSecond());
            case 7 -> e.put("timestamp", Instant.now().toEpochMilli());
            case 8 -> e.put("timestamp", -1 - r.nextInt(1_000_000));
            case 9 -> e.put("timestamp", "2026-13-45T99:00:00Z");
            case 10 -> e.put("favourite_colour", "blue");
            default -> e.remove("provider");
        }
    }

    /** Numbers JSON allows but no Java type holds, as raw text; otherwise the event as it is. */
    private static String poisonText(ObjectNode e, Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> e.toString().replaceFirst("\"input_tokens\":[^,}]+", "\"input_tokens\":1e400");
            case 1 -> e.toString().replaceFirst("\"input_tokens\":[^,}]+", "\"input_tokens\":" + "9".repeat(1_200));
            case 2 -> e.toString().replaceFirst("\\}$", ",\"cost_usd\":-1e400}");
            default -> e.toString();
        };
    }

    private static String brokenBody(Random r) {
        return switch (r.nextInt(9)) {
            case 0 -> "[".repeat(5_000) + "]".repeat(5_000);
            case 1 -> "{\"provider\":\"openai\",\"input_tokens\":";
            case 2 -> "";
            case 3 -> "[]";
            case 4 -> "{\"provider\":\"openai\",\"model\":\"" + "x".repeat(100_000) + "\"}";
            case 5 -> "[" + "{\"provider\":\"openai\",\"input_tokens\":1},".repeat(1_000) + "{\"provider\":\"openai\"}]";
            case 6 -> "{\"provider\":\"openai\",\"input_tokens\":-99999999999999999999999999999999}";
            case 7 -> "\u0000\u0001\u00ff garbage";
            default -> "{\"provider\":\"openai\",\"provider\":\"anthropic\",\"input_tokens\":3}";
        };
    }

    /** A refusal is a 4xx with a plain message: nothing of Java's insides, nothing echoed at length. */
    private static void assertRefusedPlainly(HttpResponse<String> res, String body, String context) {
        int status = res.statusCode();
        assertTrue(status >= 400 && status < 500, "refused, not " + status + ": " + abbreviate(body) + " -> "
                + abbreviate(res.body()) + "; " + context);
        String answer = res.body();
        for (String inside : List.of("com.fasterxml", "java.", "Exception", "jackson", "at [Source")) {
            assertFalse(answer.contains(inside), "the answer shows '" + inside + "': " + abbreviate(answer) + "; " + context);
        }
        assertTrue(answer.length() < 2_000, "the answer echoes the input: " + abbreviate(answer) + "; " + context);
    }

    // ---- /v1/traces (OTLP/JSON and protobuf) ----

    /**
     * An export of a few GenAI spans, some made hostile. A span that breaks a rule is rejected on its
     * own (200 with a partial success) and the rest are recorded; a body that is no export at all is
     * refused whole (400) and nothing of it is recorded. A re-sent export counts nothing twice.
     */
    private void traces(DaemonHarness d, String key, Random r, int i, String context) throws Exception {
        if (r.nextInt(6) == 0) {
            String[] broken = {"{\"resourceSpans\": [", "[]", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"zz\"}]}]}]}",
                    "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + "a".repeat(32) + "\",\"spanId\":\""
                            + "b".repeat(16) + "\",\"attributes\":[{\"key\":\"gen_ai.provider.name\",\"value\":{\"stringValue\":\"openai\"}},"
                            + "{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":99999999999999999999999}}]}]}]}]}"};
            boolean protobuf = r.nextBoolean();
            String body = protobuf ? "\u0000\u0001" : broken[r.nextInt(broken.length)];
            HttpResponse<String> res = d.send("POST", "/v1/traces", body, key, "Content-Type",
                    protobuf ? "application/x-protobuf" : "application/json");
            tally("traces broken " + res.statusCode());
            assertEquals(400, res.statusCode(), body + " -> " + res.body() + "; " + context);
            return;
        }
        int spans = 1 + r.nextInt(4);
        long now = Instant.now().toEpochMilli() * 1_000_000L;
        String trace = String.format("%032x", 0x1000L + i);
        StringBuilder body = new StringBuilder("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[");
        int rejected = 0;
        long input = 0;
        for (int s = 0; s < spans; s++) {
            long in = r.nextInt(20_000);
            long out = r.nextInt(2_000);
            String reasoning = "";
            String spanId = String.format("%016x", 0x100L + s);
            switch (r.nextInt(5)) {
                case 0 -> {
                    in = -1 - r.nextInt(100);
                    rejected++;
                }
                case 1 -> {
                    reasoning = ",{\"key\":\"gen_ai.usage.reasoning.output_tokens\",\"value\":{\"intValue\":\"" + (out + 1) + "\"}}";
                    rejected++;
                }
                case 2 -> {
                    spanId = "0".repeat(16);
                    rejected++;
                }
                default -> input += in;
            }
            body.append(s > 0 ? "," : "").append("{\"traceId\":\"").append(trace).append("\",\"spanId\":\"").append(spanId)
                    .append("\",\"endTimeUnixNano\":\"").append(now).append("\",\"attributes\":[")
                    .append("{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}},")
                    .append("{\"key\":\"gen_ai.provider.name\",\"value\":{\"stringValue\":\"openai\"}},")
                    .append("{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"gpt-4.1\"}},")
                    .append("{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"").append(in).append("\"}},")
                    .append("{\"key\":\"gen_ai.usage.output_tokens\",\"value\":{\"intValue\":").append(out).append("}}")
                    .append(reasoning).append("]}");
        }
        body.append("]}]}]}");
        String text = body.toString();
        HttpResponse<String> res = d.send("POST", "/v1/traces", text, key, "Content-Type", "application/json");
        tally("traces " + (rejected > 0 ? "partly hostile " : "valid ") + res.statusCode());
        if (res.statusCode() == 429 || res.statusCode() == 503) {
            assertTrue(res.headers().firstValue("Retry-After").isPresent(), "a refusal to retry says when; " + context);
            return;
        }
        assertEquals(200, res.statusCode(), text + " -> " + res.body() + "; " + context);
        String rejectedSpans = TestSupport.JSON.readTree(res.body()).path("partialSuccess").path("rejectedSpans").asText("0");
        assertEquals(Integer.toString(rejected), rejectedSpans, text + " -> " + res.body() + "; " + context);
        expectedUsageEvents += spans - rejected;
        expectedUsageInput += input;
        if (r.nextInt(4) == 0) {
            assertEquals(200, d.send("POST", "/v1/traces", text, key, "Content-Type", "application/json").statusCode(),
                    "a re-sent export; " + context);
        }
    }

    // ---- hooks ----

    private void hook(DaemonHarness d, String token, Random r, int i, String context) throws Exception {
        String session = "hostile-" + (i % 7);
        ObjectNode k = TestSupport.JSON.createObjectNode();
        String event;
        boolean valid = false;
        String eventId = "ev-" + i;
        switch (r.nextInt(4)) {
            case 0, 1 -> {
                event = "post_api_request";
                k.put("session_id", session).put("platform", "cli").put("provider", "openai").put("model", "gpt-4.1")
                        .put("api_request_id", "req-" + i).put("_plutus_event_id", eventId)
                        .put("ended_at", Instant.now().getEpochSecond() - r.nextInt(60)).put("api_duration", r.nextDouble() * 5);
                k.putObject("usage").put("input_tokens", r.nextInt(5_000)).put("output_tokens", r.nextInt(500));
                valid = r.nextInt(3) != 0;
                if (!valid) {
                    poisonHook(k, r);
                }
            }
            case 2 -> {
                event = List.of("pre_tool_call", "pre_llm_call", "on_session_start", "post_tool_call", "api_request_error")
                        .get(r.nextInt(5));
                k.put("session_id", session).put("platform", "cli").put("model", "gpt-4.1");
                if (r.nextBoolean()) {
                    poisonHook(k, r);
                }
            }
            default -> {
                event = "post_api_request";
                k = null;
            }
        }
        String body = k != null ? k.toString() : List.of("[1,2]", "\"text\"", "{\"usage\":", "null", "{\"_plutus_ts\":1e400}")
                .get(r.nextInt(5));
        HttpResponse<String> res = d.send("POST", "/hooks/" + event, body, token, "Content-Type", "application/json");
        tally("hook " + event + (valid ? " valid " : " hostile ") + res.statusCode());
        assertTrue(res.statusCode() == 200 || res.statusCode() == 400,
                "a hook never fails Hermes: " + event + " " + abbreviate(body) + " -> " + res.statusCode() + " " + abbreviate(res.body())
                        + "; " + context);
        if (valid) {
            assertEquals(200, res.statusCode(), body + " -> " + res.body() + "; " + context);
            validHookEventIds.add("api:req-" + i); // a call with a Hermes request id is stored under it
            if (r.nextInt(5) == 0) {
                assertEquals(200, d.send("POST", "/hooks/" + event, body, token).statusCode(), "a replayed hook; " + context);
            }
        }
    }

    private static void poisonHook(ObjectNode k, Random r) {
        switch (r.nextInt(10)) {
            case 0 -> k.put("ended_at", 1e300);
            case 1 -> k.put("ended_at", Instant.now().toEpochMilli());
            case 2 -> k.put("ended_at", Instant.now().getEpochSecond() + 86_400 * (1 + r.nextInt(30)));
            case 3 -> k.put("api_duration", 1e300);
            case 4 -> k.put("_plutus_ts", -999_999_999_999L);
            case 5 -> k.putObject("usage").put("input_tokens", -5).put("output_tokens", 1e300);
            case 6 -> k.putObject("usage").put("input_tokens", Long.MAX_VALUE).put("output_tokens", Long.MAX_VALUE);
            case 7 -> k.put("model", "gpt\u001b[31m-evil\u0007\r\n");
            case 8 -> k.put("duration_ms", Long.MIN_VALUE);
            default -> k.put("ended_at", "yesterday");
        }
    }

    // ---- the end state ----

    private void checkStore(DaemonHarness d, String context) {
        List<LlmCall> calls = d.plutus().calls().recent(Integer.MAX_VALUE);
        Instant latest = Instant.now().plus(Duration.ofMinutes(5));
        long usageEvents = 0;
        long usageInput = 0;
        Set<String> seenHooks = new HashSet<>();
        for (LlmCall c : calls) {
            String what = c + "; " + context;
            assertFalse(c.timestamp().isBefore(YEAR_2000) || c.timestamp().isAfter(latest), "time out of range: " + what);
            assertTrue(c.usage().input() >= 0 && c.usage().input() <= MAX_TOKENS, "tokens out of range: " + what);
            assertTrue(c.usage().output() >= 0 && c.usage().output() <= MAX_TOKENS, "tokens out of range: " + what);
            if (c.sessionId() != null && c.sessionId().startsWith("hostile-")) {
                if (c.eventId() != null && validHookEventIds.contains(c.eventId())) {
                    assertTrue(seenHooks.add(c.eventId()), "a hook counted twice: " + what);
                }
            } else {
                usageEvents++;
                usageInput += c.usage().input();
            }
        }
        Set<String> missing = new HashSet<>(validHookEventIds);
        missing.removeAll(seenHooks);
        assertTrue(missing.isEmpty(), missing.size() + " valid hook calls missing, e.g. " + missing.stream().limit(3).toList()
                + "; " + context);
        assertEquals(expectedUsageEvents, usageEvents, "valid /v1/usage events, each once; " + context);
        assertEquals(expectedUsageInput, usageInput, "their input tokens; " + context);
    }

    private static void assertReadSideAnswers(DaemonHarness d, String token, String context) throws Exception {
        String readOnly = java.nio.file.Files.readString(d.home().resolve("dashboard.token")).strip();
        for (String path : List.of("/healthz", "/status", "/metrics", "/api/summary", "/api/budget")) {
            HttpResponse<String> res = d.get(path, path.startsWith("/status") ? token : readOnly);
            assertEquals(200, res.statusCode(), path + " -> " + abbreviate(res.body()) + "; " + context);
        }
        // The stored name keeps what the sender sent; what reaches a terminal or chat shows it escaped.
        for (String command : List.of("budget", "stats models today", "stats raw today")) {
            String[] words = command.split(" ", 2);
            HttpResponse<String> res = d.post("/commands/" + words[0], words.length > 1 ? words[1] : "", token);
            assertEquals(200, res.statusCode(), "/" + command + " -> " + abbreviate(res.body()) + "; " + context);
            assertTrue(res.body().chars().noneMatch(ch -> ch == 0x1b || ch == 0x07), "control characters reach the terminal: "
                    + abbreviate(res.body()) + "; " + context);
            if (command.equals("stats models today") && d.plutus().calls().recent(Integer.MAX_VALUE).stream()
                    .anyMatch(c -> c.model().indexOf(0x1b) >= 0)) {
                assertTrue(res.body().contains("-evil"), "the model with control characters is listed, escaped: "
                        + abbreviate(res.body()) + "; " + context);
            }
        }
    }

    private static void assertToolsBlocked(DaemonHarness d, String token, String context) throws Exception {
        HttpResponse<String> res = d.post("/hooks/pre_tool_call",
                "{\"session_id\":\"after-the-storm\",\"platform\":\"cli\",\"model\":\"gpt-4.1\"}", token);
        assertEquals(200, res.statusCode(), res.body());
        JsonNode answer = TestSupport.JSON.readTree(res.body());
        assertEquals("block", answer.path("action").asText(), "spend far past $1 today: tools are blocked; " + res.body() + "; " + context);
    }

    private void tally(String outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The test JVM's resident set (the daemon runs in it), from /proc. */
    private static long residentBytes() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…(" + s.length() + " chars)";
    }
}
