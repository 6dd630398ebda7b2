package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents that describe their model calls as OpenTelemetry GenAI spans: the real SDK's OTLP/HTTP
 * exporter sends them to a daemon on port 0, and they become priced, budgeted calls, once each.
 */
@org.junit.jupiter.api.Tag("store")
class OtlpReceiverTest {
    /** A child ends before its parent: the children built here end a second before the test started, their parents after. */
    private static final long STARTED = System.currentTimeMillis() * 1_000_000L;
    private static final long CHILD_END = STARTED - 1_000_000_000L;
    @Test
    void theSdksExporterDeliversGenAiSpansAsCallsOnceEach(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            String key = d.apiKeys().create("otel agent").secret();
            Keeping kept = new Keeping(OtlpHttpSpanExporter.builder().setEndpoint(d.baseUrl() + "/v1/traces")
                    .addHeader("Authorization", "Bearer " + key).setCompression("gzip").build());
            SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(kept))
                    .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "support-bot"))).build();
            Tracer tracer = tracing.get("agent");

            Span agent = tracer.spanBuilder("invoke_agent support").startSpan();
            agent.setAttribute("gen_ai.operation.name", "invoke_agent");
            agent.setAttribute("gen_ai.provider.name", "anthropic");
            agent.setAttribute("gen_ai.usage.input_tokens", 999_999L); // the sum of the calls inside: not counted again
            chat(tracer, "anthropic", "claude-sonnet-4-6", 1200, 300, 200, "conv-1");
            chat(tracer, "openai", "gpt-4.1", 5000, 800, 0, "conv-1");
            tracer.spanBuilder("SELECT customers").startSpan().end(); // not a GenAI span
            agent.end();
            assertTrue(tracing.forceFlush().join(10, TimeUnit.SECONDS).isSuccess(), "every export was answered 2xx");

            List<LlmCall> calls = d.plutus().calls().recent(10);
            assertEquals(2, calls.size(), calls.toString());
            LlmCall claude = calls.stream().filter(c -> c.provider().equals("anthropic")).findFirst().orElseThrow();
            assertEquals(new TokenUsage(1000, 300, 200, 0, 0, 0), claude.usage(),
                    "input_tokens includes cache reads in the conventions; Plutus keeps them apart");
            assertEquals(d.plutus().pricing().price("anthropic", "claude-sonnet-4-6", null, claude.usage()).micros(), claude.costMicros());
            assertEquals("conv-1", claude.sessionId());
            assertEquals("otlp:support-bot", claude.origin().source());
            assertTrue(claude.eventId().startsWith("otlp_"), claude.eventId());

            // An exporter that retries after a lost answer sends the same spans again: nothing is counted twice.
            assertTrue(kept.delegate.export(kept.sent).join(10, TimeUnit.SECONDS).isSuccess());
            assertEquals(2, d.plutus().calls().count());
            tracing.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSpanThatNamesNoOperationButWrapsCallsIsNotCountedBesideThem(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            String key = d.apiKeys().create("otel agent").secret();
            // Each span is exported on its own as it ends: the children reach the daemon before their parent.
            SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(
                    OtlpHttpSpanExporter.builder().setEndpoint(d.baseUrl() + "/v1/traces").addHeader("Authorization", "Bearer " + key)
                            .build())).build();
            Tracer tracer = tracing.get("agent");
            Span agent = tracer.spanBuilder("support agent").startSpan();
            agent.setAttribute("gen_ai.provider.name", "anthropic"); // no operation name, and the children's usage summed
            agent.setAttribute("gen_ai.usage.input_tokens", 6200L);
            agent.setAttribute("gen_ai.usage.output_tokens", 1100L);
            try (io.opentelemetry.context.Scope inside = agent.makeCurrent()) {
                chat(tracer, "anthropic", "claude-sonnet-4-6", 1200, 300, 0, "conv-2");
                chat(tracer, "anthropic", "claude-sonnet-4-6", 5000, 800, 0, "conv-2");
            }
            agent.end();
            Span lone = tracer.spanBuilder("chat claude-sonnet-4-6").startSpan(); // no operation name, wraps nothing: a call
            lone.setAttribute("gen_ai.provider.name", "anthropic");
            lone.setAttribute("gen_ai.request.model", "claude-sonnet-4-6");
            lone.setAttribute("gen_ai.usage.output_tokens", 40L);
            lone.end();
            assertTrue(tracing.forceFlush().join(10, TimeUnit.SECONDS).isSuccess());
            tracing.shutdown().join(10, TimeUnit.SECONDS);

            List<LlmCall> calls = d.plutus().calls().recent(10);
            assertEquals(3, calls.size(), calls.toString());
            assertEquals(1200 + 5000, calls.stream().mapToLong(c -> c.usage().input()).sum(), "the agent's sum is not counted again");
            assertEquals(300 + 800 + 40, calls.stream().mapToLong(c -> c.usage().output()).sum());

            // Parent and child in one export, the parent first: the parent is still known to wrap the child.
            long now = System.currentTimeMillis() * 1_000_000L;
            String body = """
                    {"resourceSpans":[{"scopeSpans":[{"spans":[
                      {"traceId":"6b8efff798038103d269b633813fc60c","spanId":"aaa19b7ec3c1b170","endTimeUnixNano":"%d","attributes":[
                        {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
                        {"key":"gen_ai.usage.output_tokens","value":{"intValue":"900"}}]},
                      {"traceId":"6b8efff798038103d269b633813fc60c","spanId":"aaa19b7ec3c1b171","parentSpanId":"aaa19b7ec3c1b170",
                       "endTimeUnixNano":"%d","attributes":[
                        {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                        {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
                        {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4.1"}},
                        {"key":"gen_ai.usage.output_tokens","value":{"intValue":"900"}}]}]}]}]}""".formatted(now, now);
            assertEquals(200, post(d, key, "application/json", null, body.getBytes(StandardCharsets.UTF_8)).statusCode());
            assertEquals(4, d.plutus().calls().count(), "one call for the pair, not two");
        }
    }

    /**
     * The flake this replaces: the wrapper's export, sent after its children's, reached the daemon first.
     * Here it is sent first by hand and waits; the children's export, from another thread, ends the wait.
     */
    @Test
    void aWrapperWhoseExportArrivesBeforeItsChildrenIsNotCounted(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("plutus.yaml", "ingest:\n  otlp: {wrapper_grace: 5s}\n").start()) {
            String key = d.apiKeys().create("otel agent").secret();
            String trace = "7b8efff798038103d269b633813fc60c";
            ExecutorService senders = Executors.newSingleThreadExecutor();
            try {
                Future<HttpResponse<String>> parent = senders.submit(() -> postJson(d, key, export(
                        span(trace, "a000000000000001", "", Map.of("gen_ai.provider.name", "anthropic",
                                "gen_ai.usage.input_tokens", 6200L, "gen_ai.usage.output_tokens", 1100L)))));
                awaitWaiting(d, 1);
                assertEquals(0, d.plutus().calls().count(), "the parent is not recorded while its children could still come");
                HttpResponse<String> children = postJson(d, key, export(
                        chatSpan(trace, "a000000000000002", "a000000000000001", 1200, 300),
                        chatSpan(trace, "a000000000000003", "a000000000000001", 5000, 800)));
                assertEquals(200, children.statusCode(), children.body());
                HttpResponse<String> answered = parent.get(30, TimeUnit.SECONDS);
                assertEquals(200, answered.statusCode(), answered.body());
                assertEquals("{}", answered.body(), "nothing of the parent's export was refused");
            } finally {
                senders.shutdownNow();
            }
            List<LlmCall> calls = d.plutus().calls().recent(10);
            assertEquals(List.of("otlp_" + trace + "_a000000000000002", "otlp_" + trace + "_a000000000000003"),
                    calls.stream().map(LlmCall::eventId).sorted().toList(), "exactly the children are counted");
            // claude-sonnet-4-6: $3 in, $15 out per million tokens.
            assertEquals(List.of(1200 * 3L + 300 * 15L, 5000 * 3L + 800 * 15L),
                    calls.stream().sorted(java.util.Comparator.comparing(LlmCall::eventId)).map(LlmCall::costMicros).toList());
            assertEquals(8_100 + 27_000, calls.stream().mapToLong(LlmCall::costMicros).sum());
            assertEquals(1L, undecided(d, "wrapper"));
            assertEquals(0L, undecided(d, "call") + undecided(d, "call_without_grace") + undecided(d, "counted_in_parent"));
            assertEquals(0L, metric(d, "plutus_otlp_exports_waiting"));
        }
    }

    @Test
    void anAmbiguousSpanWhoseChildNeverComesIsCountedOnceAfterItsGraceAndALateChildIsCountedInIt(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("plutus.yaml", "ingest:\n  otlp: {wrapper_grace: 300ms}\n").start()) {
            String key = d.apiKeys().create("otel agent").secret();
            String trace = "8b8efff798038103d269b633813fc60c";
            String lone = export(span(trace, "b000000000000001", "", Map.of("gen_ai.provider.name", "anthropic",
                    "gen_ai.request.model", "claude-sonnet-4-6", "gen_ai.usage.input_tokens", 1000L, "gen_ai.usage.output_tokens", 100L)),
                    // a child that is no GenAI span (the HTTP request under the call) does not make it a wrapper
                    span(trace, "b000000000000009", "b000000000000001", Map.of("http.request.method", "POST")));
            HttpResponse<String> first = postJson(d, key, lone);
            assertEquals(200, first.statusCode(), first.body());
            assertEquals(1, d.plutus().calls().count(), "counted once its grace passed with no GenAI child");
            assertEquals(1000 * 3L + 100 * 15L, d.plutus().calls().recent(1).get(0).costMicros());
            assertEquals(1L, undecided(d, "call"));

            assertEquals(200, postJson(d, key, lone).statusCode(), "sent again");
            assertEquals(1, d.plutus().calls().count(), "the same span is not counted twice");

            // A child after the grace: its usage is in the parent already counted.
            HttpResponse<String> late = postJson(d, key, export(chatSpan(trace, "b000000000000002", "b000000000000001", 1000, 100)));
            assertEquals(200, late.statusCode(), late.body());
            assertEquals(1, d.plutus().calls().count(), "the late child is counted in its parent, not beside it");
            assertEquals(1L, undecided(d, "counted_in_parent"));
            assertEquals(List.of("otlp_" + trace + "_b000000000000001"), d.plutus().calls().recent(10).stream().map(LlmCall::eventId).toList());

            // One that could not count as a call anyway (no tokens) is refused at once, and its child, later, is counted.
            HttpResponse<String> broken = postJson(d, key, export(span(trace, "b000000000000003", "", Map.of("gen_ai.provider.name", "anthropic"))));
            assertEquals(200, broken.statusCode(), broken.body());
            assertEquals("1", TestSupport.JSON.readTree(broken.body()).path("partialSuccess").path("rejectedSpans").asText(), broken.body());
            assertEquals(200, postJson(d, key, export(chatSpan(trace, "b000000000000004", "b000000000000003", 10, 1))).statusCode());
            assertEquals(2, d.plutus().calls().count(), "the refused parent counts nowhere: its child is the call");
        }
    }

    /**
     * Found by the hostile test: once an ambiguous parent was counted after its grace, every later child of it was
     * taken as counted in it, whatever its usage: a parent of 1 token counted, then 50 children of 500,000 + 100,000
     * tokens each stored nothing. A late child is counted in its parent only if it fits what is left of the parent's usage.
     */
    @Test
    void lateChildrenAreCountedInTheirCountedParentOnlyUpToItsUsage(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("plutus.yaml", "ingest:\n  otlp: {wrapper_grace: 200ms}\n").start()) {
            String key = d.apiKeys().create("otel agent").secret();
            String tiny = "8c8efff798038103d269b633813fc60c";
            assertEquals(200, postJson(d, key, export(span(tiny, "d000000000000001", "", Map.of("gen_ai.provider.name", "anthropic",
                    "gen_ai.request.model", "claude-sonnet-4-6", "gen_ai.usage.input_tokens", 1L)))).statusCode());
            assertEquals(1, d.plutus().calls().count(), "the parent, counted once its grace passed");
            String[] children = new String[50];
            for (int c = 0; c < children.length; c++) {
                children[c] = chatSpan(tiny, String.format("d1%014x", c), "d000000000000001", 500_000, 100_000);
            }
            HttpResponse<String> late = postJson(d, key, export(children));
            assertEquals(200, late.statusCode(), late.body());
            assertEquals(51, d.plutus().calls().count(), "none of the children fits in the parent's 1 token: each is counted");
            assertEquals(1 + 50 * 500_000L, d.plutus().calls().recent(100).stream().mapToLong(c -> c.usage().input()).sum());
            assertEquals(50L, undecided(d, "beyond_parent"));

            // A parent of 3,000 + 300 tokens: late children are counted in it while they fit, beside it once they do not.
            String sum = "8d8efff798038103d269b633813fc60c";
            String parent = "e000000000000001";
            assertEquals(200, postJson(d, key, export(span(sum, parent, "", Map.of("gen_ai.provider.name", "anthropic",
                    "gen_ai.request.model", "claude-sonnet-4-6", "gen_ai.usage.input_tokens", 3000L, "gen_ai.usage.output_tokens", 300L)))).statusCode());
            assertEquals(52, d.plutus().calls().count());
            List<String> counted = new ArrayList<>();
            for (Object[] child : new Object[][] {{"e000000000000002", 1000L, 100L, true}, {"e000000000000003", 1000L, 100L, true},
                    {"e000000000000004", 1500L, 50L, false}, {"e000000000000005", 1000L, 100L, true}, {"e000000000000006", 1L, 1L, false}}) {
                HttpResponse<String> r = postJson(d, key, export(chatSpan(sum, (String) child[0], parent, (Long) child[1], (Long) child[2])));
                assertEquals(200, r.statusCode(), r.body());
                if (!(Boolean) child[3]) {
                    counted.add("otlp_" + sum + "_" + child[0]);
                }
            }
            // Inside the parent's tokens, but ended after it: not inside it.
            assertEquals(200, postJson(d, key, export(span(sum, "e000000000000008", parent, Map.of("gen_ai.operation.name", "chat",
                    "gen_ai.provider.name", "anthropic", "gen_ai.request.model", "claude-sonnet-4-6", "gen_ai.usage.input_tokens", 1L),
                    System.currentTimeMillis() * 1_000_000L + 5_000_000_000L))).statusCode());
            counted.add("otlp_" + sum + "_e000000000000008");
            List<String> ids = d.plutus().calls().recent(100).stream().map(LlmCall::eventId).filter(id -> id.contains(sum))
                    .filter(id -> !id.endsWith(parent)).sorted().toList();
            assertEquals(counted, ids, "exactly the children that do not fit what is left of the parent's usage, or lie outside its time");
            assertEquals(3L, undecided(d, "counted_in_parent"));

            // Sent again, nothing changes: a child counted in its parent stays so, one counted beside it is not counted twice.
            for (String id : List.of("e000000000000002", "e000000000000004")) {
                assertEquals(200, postJson(d, key, export(chatSpan(sum, id, parent, id.endsWith("2") ? 1000 : 1500, id.endsWith("2") ? 100 : 50)))
                        .statusCode());
            }
            assertEquals(52 + counted.size(), d.plutus().calls().count());
            assertEquals(3L, undecided(d, "counted_in_parent"));
        }
    }

    /**
     * Found by the hostile test: a child refused as breaking a rule (no usage, a token count sent as text) still made
     * a wrapper of its parent, so the parent was passed over and nothing counted, though its export was answered 200.
     */
    @Test
    void aChildRefusedAsBreakingARuleMakesNoWrapperOfItsParent(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("plutus.yaml", "ingest:\n  otlp: {wrapper_grace: 200ms}\n").start()) {
            String key = d.apiKeys().create("otel agent").secret();
            Map<String, Object> parentUsage = Map.of("gen_ai.provider.name", "anthropic", "gen_ai.request.model", "claude-sonnet-4-6",
                    "gen_ai.usage.input_tokens", 90_000L, "gen_ai.usage.output_tokens", 9_000L);
            // No usage at all; a token count as text. Each is refused, in its own export before its parent's.
            String[] traces = {"8e8efff798038103d269b633813fc60c", "8e8efff798038103d269b633813fc60d"};
            List<Map<String, Object>> refusedChildren = List.of(
                    Map.of("gen_ai.operation.name", "chat", "gen_ai.provider.name", "anthropic", "gen_ai.request.model", "claude-sonnet-4-6"),
                    Map.of("gen_ai.operation.name", "chat", "gen_ai.provider.name", "anthropic", "gen_ai.request.model", "claude-sonnet-4-6",
                            "gen_ai.usage.input_tokens", "1000"));
            for (int t = 0; t < traces.length; t++) {
                HttpResponse<String> child = postJson(d, key, export(span(traces[t], "f000000000000002", "f000000000000001",
                        refusedChildren.get(t), CHILD_END)));
                assertEquals(200, child.statusCode(), child.body());
                assertEquals("1", TestSupport.JSON.readTree(child.body()).path("partialSuccess").path("rejectedSpans").asText(), child.body());
                HttpResponse<String> parent = postJson(d, key, export(span(traces[t], "f000000000000001", "", parentUsage)));
                assertEquals(200, parent.statusCode(), parent.body());
                assertEquals("{}", parent.body());
            }
            // Parent and refused child in one export.
            String together = "8e8efff798038103d269b633813fc60e";
            HttpResponse<String> both = postJson(d, key, export(span(together, "f000000000000001", "", parentUsage),
                    span(together, "f000000000000002", "f000000000000001", refusedChildren.get(0), CHILD_END)));
            assertEquals(200, both.statusCode(), both.body());
            assertEquals(List.of("otlp_" + traces[0] + "_f000000000000001", "otlp_" + traces[1] + "_f000000000000001",
                    "otlp_" + together + "_f000000000000001"), d.plutus().calls().recent(10).stream().map(LlmCall::eventId).sorted().toList(),
                    "each parent whose only child was refused counts itself");
            assertEquals(3L, undecided(d, "call"));
            assertEquals(0L, undecided(d, "wrapper"));
        }
    }

    /**
     * More ambiguous exports than may wait: the first ones wait, the rest are decided at once. Then
     * every parent's child comes: each trace is counted exactly once, by its children or by its parent.
     */
    @Test
    void exportsBeyondTheWaitingBoundAreDecidedAtOnceAndNothingIsCountedTwice(@TempDir Path home) throws Exception {
        int room = 3;
        int beyond = 4;
        try (DaemonHarness d = DaemonHarness.in(home)
                .file("plutus.yaml", "ingest:\n  otlp: {wrapper_grace: 5s, waiting_exports: " + room + "}\n").start()) {
            String key = d.apiKeys().create("otel agent").secret();
            ExecutorService senders = Executors.newFixedThreadPool(room);
            try {
                List<Future<HttpResponse<String>>> waiting = new ArrayList<>();
                for (int t = 0; t < room; t++) {
                    String body = export(agentSpan(trace(t)));
                    waiting.add(senders.submit(() -> postJson(d, key, body)));
                }
                awaitWaiting(d, room);
                for (int t = room; t < room + beyond; t++) {
                    HttpResponse<String> atOnce = postJson(d, key, export(agentSpan(trace(t))));
                    assertEquals(200, atOnce.statusCode(), atOnce.body());
                }
                assertEquals(beyond, d.plutus().calls().count(), "the exports beyond the bound are counted without waiting");
                assertEquals((long) beyond, undecided(d, "call_without_grace"));
                // A span that names its operation never waits, even with every waiting place taken.
                HttpResponse<String> chat = postJson(d, key, export(chatSpan("9c8efff798038103d269b633813fc60c", "c000000000000002", "", 10, 1)));
                assertEquals(200, chat.statusCode(), chat.body());
                assertEquals(beyond + 1, d.plutus().calls().count());
                assertTrue(waiting.stream().noneMatch(Future::isDone), "the first exports still wait for their children");
                assertEquals((long) room, metric(d, "plutus_otlp_exports_waiting"));

                for (int t = 0; t < room + beyond; t++) {
                    HttpResponse<String> child = postJson(d, key, export(chatSpan(trace(t), "c000000000000002", "c000000000000001", 1000, 100)));
                    assertEquals(200, child.statusCode(), child.body());
                }
                for (Future<HttpResponse<String>> f : waiting) {
                    assertEquals(200, f.get(30, TimeUnit.SECONDS).statusCode());
                }
            } finally {
                senders.shutdownNow();
            }
            List<LlmCall> calls = d.plutus().calls().recent(100);
            for (int t = 0; t < room + beyond; t++) {
                String prefix = "otlp_" + trace(t) + "_";
                List<String> ids = calls.stream().map(LlmCall::eventId).filter(id -> id.startsWith(prefix)).toList();
                assertEquals(List.of(prefix + (t < room ? "c000000000000002" : "c000000000000001")), ids,
                        "trace " + t + ": the waiting ones by their child, the others by their parent");
            }
            assertEquals(room + beyond + 1, calls.size());
            assertEquals((long) room, undecided(d, "wrapper"));
            assertEquals((long) beyond, undecided(d, "counted_in_parent"));
            assertEquals(0L, metric(d, "plutus_otlp_exports_waiting"));
        }
    }

    /**
     * Found by the hostile test: each waiting export holds a handler thread, and 64 could wait with 16 threads, so a
     * flood of ambiguous exports stalled /healthz and spans that name their operation for seconds. Now at most a
     * quarter of the threads wait: with the default 16, 4. The grace is 5 s; what is asked during the flood is
     * answered long before any grace could pass (a bound of 3 s, where a few milliseconds is usual).
     */
    @Test
    void aFloodOfAmbiguousExportsLeavesMostThreadsFree(@TempDir Path home) throws Exception {
        int flood = 40; // more connections than the 16 handler threads
        try (DaemonHarness d = DaemonHarness.in(home).file("plutus.yaml", "ingest:\n  otlp: {wrapper_grace: 5s}\n").start()) {
            String key = d.apiKeys().create("otel agent").secret();
            ExecutorService senders = Executors.newFixedThreadPool(flood);
            try {
                List<Future<HttpResponse<String>>> sent = new ArrayList<>();
                for (int t = 0; t < flood; t++) {
                    String body = export(agentSpan(String.format("9d8efff798038103d269b633813f%04x", t)));
                    sent.add(senders.submit(() -> postJson(d, key, body)));
                }
                Thread.sleep(1_000); // the flood reaches the daemon
                long asked = System.nanoTime();
                HttpResponse<String> health = d.get("/healthz", null);
                HttpResponse<String> chat = postJson(d, key, export(chatSpan("9e8efff798038103d269b633813fc60c", "c000000000000002", "", 10, 1)));
                long tookMillis = (System.nanoTime() - asked) / 1_000_000;
                assertEquals(200, health.statusCode(), health.body());
                assertEquals(200, chat.statusCode(), chat.body());
                assertTrue(tookMillis < 3_000, "answered in " + tookMillis + " ms while the flood waits");
                assertTrue(metric(d, "plutus_otlp_exports_waiting") <= 4, "at most a quarter of the 16 threads wait");
                assertTrue(sent.stream().anyMatch(f -> !f.isDone()), "the flood was still waiting");
                for (Future<HttpResponse<String>> f : sent) {
                    assertEquals(200, f.get(60, TimeUnit.SECONDS).statusCode());
                }
            } finally {
                senders.shutdownNow();
            }
            assertEquals(flood + 1, d.plutus().calls().count(), "each ambiguous span counted once, and the chat span");
            assertEquals(4L, undecided(d, "call"), "4 waited their grace");
            assertEquals((long) flood - 4, undecided(d, "call_without_grace"));
        }
    }

    /**
     * Found by the hostile test: the memory of which spans have GenAI children was shared by all keys, so one key's
     * tool spans (which only register as children, and were charged nothing) pushed out another key's, whose wrapper
     * then counted beside its children. Each key now has its own memory.
     */
    @Test
    void oneKeysSpansNeverPushAnothersOutOfMemory(@TempDir Path home) throws Exception {
        // 210,000 events a key, hardly refilled: the spans charged stop the flood at its 22nd export or so, whatever the machine's
        // pace, past the 100,000 spans a key's memory keeps (and past the 200,000 all keys shared before).
        try (DaemonHarness d = DaemonHarness.in(home).file("plutus.yaml", "ingest:\n  otlp: {wrapper_grace: 200ms}\n"
                + "  rate_limit: {events_per_second: 1, event_burst: 210000}\n").start()) {
            String victim = d.apiKeys().create("agent").secret();
            String flooder = d.apiKeys().create("other").secret();
            String trace = "9f8efff798038103d269b633813fc60c";
            assertEquals(200, postJson(d, victim, export(chatSpan(trace, "a100000000000002", "a100000000000001", 1000, 100),
                    chatSpan(trace, "a100000000000003", "a100000000000001", 1000, 100))).statusCode());
            java.util.Random random = new java.util.Random(7);
            java.util.Set<Integer> statuses = new java.util.TreeSet<>();
            int accepted = 0;
            for (int n = 0; n < 24; n++) {
                String[] tools = new String[10_000];
                for (int t = 0; t < tools.length; t++) {
                    tools[t] = span(String.format("%016x%016x", random.nextLong(), random.nextLong() | 1), String.format("%016x", random.nextLong() | 1),
                            String.format("%016x", random.nextLong() | 1), Map.of("gen_ai.operation.name", "execute_tool", "gen_ai.provider.name", "anthropic"));
                }
                ByteArrayOutputStream gz = new ByteArrayOutputStream();
                try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
                    z.write(export(tools).getBytes(StandardCharsets.UTF_8));
                }
                HttpResponse<String> r = post(d, flooder, "application/json", "gzip", gz.toByteArray());
                statuses.add(r.statusCode());
                accepted += r.statusCode() == 200 ? 1 : 0;
                assertTrue(r.statusCode() == 200 || r.statusCode() == 429, r.statusCode() + " " + r.body());
            }
            assertTrue(statuses.contains(429), "remembered spans count against the flooder's event rate: " + statuses);
            assertTrue(accepted >= 21 && accepted <= 22, accepted + " exports of 10,000 remembered spans accepted with a burst of 210,000 events");
            HttpResponse<String> parent = postJson(d, victim, export(span(trace, "a100000000000001", "", Map.of("gen_ai.provider.name", "anthropic",
                    "gen_ai.request.model", "claude-sonnet-4-6", "gen_ai.usage.input_tokens", 2000L, "gen_ai.usage.output_tokens", 200L))));
            assertEquals(200, parent.statusCode(), parent.body());
            assertEquals(List.of("otlp_" + trace + "_a100000000000002", "otlp_" + trace + "_a100000000000003"),
                    d.plutus().calls().recent(10).stream().map(LlmCall::eventId).sorted().toList(), "the wrapper is still known as one");
        }
    }

    private static String trace(int t) {
        return String.format("9b8efff798038103d269b633813f%04x", t);
    }

    private static String agentSpan(String trace) {
        return span(trace, "c000000000000001", "", Map.of("gen_ai.provider.name", "anthropic",
                "gen_ai.request.model", "claude-sonnet-4-6", "gen_ai.usage.input_tokens", 1000L, "gen_ai.usage.output_tokens", 100L));
    }

    private static String chatSpan(String trace, String id, String parent, long input, long output) {
        return chatSpan(trace, id, parent, input, output, parent.isEmpty() ? System.currentTimeMillis() * 1_000_000L : CHILD_END);
    }

    private static String chatSpan(String trace, String id, String parent, long input, long output, long endNanos) {
        return span(trace, id, parent, Map.of("gen_ai.operation.name", "chat", "gen_ai.provider.name", "anthropic",
                "gen_ai.request.model", "claude-sonnet-4-6", "gen_ai.usage.input_tokens", input, "gen_ai.usage.output_tokens", output), endNanos);
    }

    /** One span in OTLP/JSON, ended now; attribute values are strings or whole numbers. */
    private static String span(String trace, String id, String parent, Map<String, Object> attributes) {
        return span(trace, id, parent, attributes, System.currentTimeMillis() * 1_000_000L);
    }

    private static String span(String trace, String id, String parent, Map<String, Object> attributes, long endNanos) {
        StringBuilder attrs = new StringBuilder();
        new java.util.TreeMap<>(attributes).forEach((k, v) -> attrs.append(attrs.length() == 0 ? "" : ",")
                .append("{\"key\":\"").append(k).append("\",\"value\":")
                .append(v instanceof Long n ? "{\"intValue\":\"" + n + "\"}" : "{\"stringValue\":\"" + v + "\"}").append('}'));
        return "{\"traceId\":\"" + trace + "\",\"spanId\":\"" + id + "\"" + (parent.isEmpty() ? "" : ",\"parentSpanId\":\"" + parent + "\"")
                + ",\"endTimeUnixNano\":\"" + endNanos + "\",\"attributes\":[" + attrs + "]}";
    }

    private static String export(String... spans) {
        return "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + String.join(",", spans) + "]}]}]}";
    }

    private static HttpResponse<String> postJson(DaemonHarness d, String key, String body) throws Exception {
        return post(d, key, "application/json", null, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Until {@code n} exports wait for their spans' children (they are then past recording what needed no wait). */
    private static void awaitWaiting(DaemonHarness d, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (metric(d, "plutus_otlp_exports_waiting") != n) {
            assertTrue(System.nanoTime() < deadline, "never " + n + " exports waiting");
            Thread.sleep(5);
        }
    }

    private static long undecided(DaemonHarness d, String outcome) throws Exception {
        return metric(d, "plutus_otlp_undecided_spans_total{outcome=\"" + outcome + "\"}");
    }

    /** A sample of /metrics, by its name and labels as written. */
    private static long metric(DaemonHarness d, String sample) throws Exception {
        HttpResponse<String> r = d.get("/metrics", d.readToken());
        assertEquals(200, r.statusCode(), r.body());
        return r.body().lines().filter(l -> l.startsWith(sample + " ")).map(l -> Long.parseLong(l.substring(sample.length() + 1).strip()))
                .findFirst().orElseThrow(() -> new AssertionError(sample + " not in /metrics"));
    }

    @Test
    void aBadSpanIsRejectedByCountWhileTheRestAreRecorded(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            String key = d.apiKeys().create("json agent").secret();
            long now = System.currentTimeMillis() * 1_000_000L;
            String body = """
                    {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"py-agent"}}]},
                     "scopeSpans":[{"spans":[
                      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"chat gpt-4.1",
                       "startTimeUnixNano":"%d","endTimeUnixNano":"%d","attributes":[
                        {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                        {"key":"gen_ai.system","value":{"stringValue":"openai"}},
                        {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4.1"}},
                        {"key":"gen_ai.usage.input_tokens","value":{"intValue":"100"}},
                        {"key":"gen_ai.usage.output_tokens","value":{"intValue":20}}]},
                      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","name":"chat gpt-4.1",
                       "startTimeUnixNano":"%d","endTimeUnixNano":"%d","attributes":[
                        {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
                        {"key":"gen_ai.usage.input_tokens","value":{"intValue":"-5"}}]},
                      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b176","name":"chat",
                       "startTimeUnixNano":"1","endTimeUnixNano":"%d","attributes":[
                        {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
                        {"key":"gen_ai.usage.output_tokens","value":{"intValue":"5"}}]}]}]}]}"""
                    .formatted(now, now, now, now, now + 3_600_000_000_000L);
            HttpResponse<String> r = post(d, key, "application/json", null, body.getBytes(StandardCharsets.UTF_8));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode partial = TestSupport.JSON.readTree(r.body()).path("partialSuccess");
            assertEquals("2", partial.path("rejectedSpans").asText(), r.body());
            String why = partial.path("errorMessage").asText();
            assertTrue(why.contains("gen_ai.usage.input_tokens must not be negative"), why);
            assertTrue(why.contains("and 1 more"), why);
            assertEquals(1, d.plutus().calls().count(), "the good span of the export is recorded");
            LlmCall call = d.plutus().calls().recent(1).get(0);
            assertEquals(TokenUsage.of(100, 20), call.usage());
            assertEquals("otlp_5b8efff798038103d269b633813fc60c_eee19b7ec3c1b174", call.eventId());
        }
    }

    /** Found by the independent test: snake_case values were dropped, a 2^64+1000 count wrapped to 1000. */
    @Test
    void protoNamesAreReadAndNoNumberWrapsOrIdIsTooShort(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            String key = d.apiKeys().create("k").secret();
            long now = System.currentTimeMillis() * 1_000_000L;
            String snake = """
                    {"resource_spans":[{"scope_spans":[{"spans":[
                      {"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"aaa19b7ec3c1b174",
                       "end_time_unix_nano":"%d","attributes":[
                        {"key":"gen_ai.operation.name","value":{"string_value":"Chat "}},
                        {"key":"gen_ai.provider.name","value":{"string_value":"openai"}},
                        {"key":"gen_ai.request.model","value":{"string_value":"gpt-4.1"}},
                        {"key":"gen_ai.usage.input_tokens","value":{"int_value":"70"}},
                        {"key":"gen_ai.usage.output_tokens","value":{"int_value":7}}]},
                      {"trace_id":"5b8e","span_id":"1","end_time_unix_nano":"%d","attributes":[
                        {"key":"gen_ai.provider.name","value":{"string_value":"openai"}},
                        {"key":"gen_ai.usage.output_tokens","value":{"int_value":7}}]}]}]}]}""".formatted(now, now);
            HttpResponse<String> r = post(d, key, "application/json", null, snake.getBytes(StandardCharsets.UTF_8));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("1", TestSupport.JSON.readTree(r.body()).path("partialSuccess").path("rejectedSpans").asText(), r.body());
            assertEquals(1, d.plutus().calls().count());
            assertEquals(TokenUsage.of(70, 7), d.plutus().calls().recent(1).get(0).usage());

            String wraps = """
                    {"resourceSpans":[{"scopeSpans":[{"spans":[
                      {"traceId":"5b8efff798038103d269b633813fc60d","spanId":"bbb19b7ec3c1b174","endTimeUnixNano":"%d","attributes":[
                        {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
                        {"key":"gen_ai.usage.input_tokens","value":{"intValue":18446744073709552616}}]}]}]}]}""".formatted(now);
            HttpResponse<String> big = post(d, key, "application/json", null, wraps.getBytes(StandardCharsets.UTF_8));
            assertEquals(400, big.statusCode(), big.body());
            assertTrue(big.body().contains("does not fit 64 bits"), big.body());
            assertEquals(1, d.plutus().calls().count(), "nothing of the refused export is recorded");
        }
    }

    @Test
    void whatIsNotAnExportIsRefusedAndNothingIsRecorded(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            String key = d.apiKeys().create("k").secret();
            assertEquals(401, post(d, null, "application/x-protobuf", null, new byte[0]).statusCode());
            assertEquals(415, post(d, key, "text/plain", null, new byte[] {1}).statusCode());
            assertEquals(415, post(d, key, "application/x-protobuf", "br", new byte[] {1}).statusCode());
            HttpResponse<String> garbage = post(d, key, "application/x-protobuf", null, new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
            assertEquals(400, garbage.statusCode(), garbage.body());
            assertTrue(garbage.body().contains("not an OTLP ExportTraceServiceRequest"), garbage.body());
            // OTLP/HTTP: a protobuf export's refusal is a google.rpc.Status in protobuf, code INVALID_ARGUMENT.
            assertEquals("application/x-protobuf", garbage.headers().firstValue("Content-Type").orElse("").split(";")[0]);
            Map.Entry<Integer, String> status = rpcStatus(d, key, new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
            assertEquals(3, status.getKey());
            assertTrue(status.getValue().startsWith("the body is not an OTLP ExportTraceServiceRequest"), status.getValue());
            assertEquals(16, rpcStatus(d, null, new byte[0]).getKey(), "401 is UNAUTHENTICATED");
            // 64 MiB of zeros in well under 1 MiB of gzip: refused while it expands, never held whole.
            ByteArrayOutputStream bomb = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(bomb)) {
                byte[] zeros = new byte[1 << 20];
                for (int i = 0; i < 64; i++) {
                    z.write(zeros);
                }
            }
            HttpResponse<String> expanded = post(d, key, "application/x-protobuf", "gzip", bomb.toByteArray());
            assertEquals(400, expanded.statusCode(), expanded.body());
            assertTrue(expanded.body().contains("expands to more than 8 MiB"), expanded.body());
            HttpResponse<String> notJson = post(d, key, "application/json", null, "{\"resourceSpans\": [".getBytes(StandardCharsets.UTF_8));
            assertEquals(400, notJson.statusCode(), notJson.body());
            assertEquals(0, d.plutus().calls().count());
        }
    }

    private static void chat(Tracer tracer, String provider, String model, long input, long output, long cacheRead, String conversation) {
        Span s = tracer.spanBuilder("chat " + model).startSpan();
        s.setAttribute("gen_ai.operation.name", "chat");
        s.setAttribute("gen_ai.provider.name", provider);
        s.setAttribute("gen_ai.request.model", model);
        s.setAttribute("gen_ai.usage.input_tokens", input);
        s.setAttribute("gen_ai.usage.output_tokens", output);
        if (cacheRead > 0) {
            s.setAttribute("gen_ai.usage.cache_read.input_tokens", cacheRead);
        }
        s.setAttribute("gen_ai.conversation.id", conversation);
        s.end();
    }

    /** (code, message) of the google.rpc.Status in a refusal's body, read field by field with protobuf's decoder. */
    private static Map.Entry<Integer, String> rpcStatus(DaemonHarness d, String key, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.baseUrl() + "/v1/traces"))
                .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        HttpResponse<byte[]> r = DaemonHarness.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(r.body());
        int code = -1;
        String message = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case 8 -> code = in.readInt32();
                case 18 -> message = in.readString();
                default -> in.skipField(tag);
            }
        }
        return Map.entry(code, message);
    }

    private static HttpResponse<String> post(DaemonHarness d, String key, String type, String encoding, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.baseUrl() + "/v1/traces")).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return DaemonHarness.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends through the real exporter and keeps what it sent, to send it again. */
    private static final class Keeping implements SpanExporter {
        final SpanExporter delegate;
        final List<SpanData> sent = new ArrayList<>();

        Keeping(SpanExporter delegate) {
            this.delegate = delegate;
        }

        @Override
        public synchronized CompletableResultCode export(Collection<SpanData> spans) {
            sent.addAll(spans);
            return delegate.export(spans);
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }
    }
}
