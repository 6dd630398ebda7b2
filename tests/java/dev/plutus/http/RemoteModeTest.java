package dev.plutus.http;

import dev.plutus.TestEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import dev.plutus.budget.Level;
import dev.plutus.hermes.HookReply;
import dev.plutus.remote.RemoteLink;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote mode end to end: an edge Plutus sends its hook calls to a central daemon through a proxy
 * that can be down or lose answers; nothing is lost, nothing is counted twice, and the central
 * verdict is enforced on the edge.
 */
@org.junit.jupiter.api.Tag("store")
class RemoteModeTest {
    enum Mode { UP, DOWN, LOSE_ANSWER }

    @Test
    void edgeCallsReachTheCentralInstanceOnceWhateverTheNetworkDoes(@TempDir Path central, @TempDir Path edge) throws Exception {
        Files.writeString(central.resolve("budget.yaml"), "budgets:\n  global:\n    daily_usd: 0.000001\n");
        AtomicReference<Mode> mode = new AtomicReference<>(Mode.DOWN);
        try (DaemonHarness a = DaemonHarness.start(central)) {
            String key = a.apiKeys().create("edge-1").secret();
            HttpServer proxy = proxy(a.info().baseUrl(), mode);
            try {
                Map<String, String> env = Map.of("PLUTUS_REMOTE_URL", "http://127.0.0.1:" + proxy.getAddress().getPort(),
                        "PLUTUS_API_KEY", key, "PLUTUS_REMOTE_WORKSPACE", "edge-1");
                EngineConfig edgeConfig = EngineConfig.builder(new HomeLayout(edge)).clock(Clock.systemUTC()).environment(env).build();
                try (TestEngine b = TestEngine.open(edgeConfig)) {
                    for (int i = 0; i < 3; i++) {
                        ObjectNode call = DaemonTest.freshCall("post_api_request-anthropic-cache.json");
                        call.put("api_request_id", "edge-call-" + i);
                        b.hooks().dispatch("post_api_request", call);
                    }
                    b.hooks().dispatch("post_api_request", DaemonTest.freshCall("post_api_request-anthropic-cache.json")
                            .put("api_request_id", "edge-call-0"));
                    RemoteLink link = b.remote().orElseThrow();
                    assertEquals(3, link.counts().pending(), "queued once each, a replayed hook included");
                    assertEquals(0, b.calls().count(), "nothing goes into the edge's own store");
                    assertEquals(RemoteLink.Outcome.RETRY_LATER, link.sendOnce(), "central down");
                }
                try (TestEngine b = TestEngine.open(edgeConfig)) {
                    RemoteLink link = b.remote().orElseThrow();
                    assertEquals(3, link.counts().pending(), "the outbox survives a restart");
                    mode.set(Mode.LOSE_ANSWER);
                    assertEquals(RemoteLink.Outcome.RETRY_LATER, link.sendOnce());
                    assertEquals(3, a.plutus().calls().count(), "the central instance committed it; the answer was lost on the way");
                    mode.set(Mode.UP);
                    assertEquals(RemoteLink.Outcome.SENT, link.sendOnce());
                    assertEquals(3, a.plutus().calls().count(), "the retry carried the same Idempotency-Key: recorded once");
                    assertEquals(0, link.counts().pending());
                    assertEquals(Level.HARD, link.verdict().level(), "the central daily budget of $0.000001 is spent");
                    HookReply blocked = b.hooks().dispatch("pre_tool_call", TestSupport.hermesJson("pre_tool_call.json"));
                    assertTrue(blocked.toJson().toString().contains("budget exhausted"), blocked.toJson().toString());
                    HookReply notice = b.hooks().dispatch("pre_llm_call", TestSupport.hermesJson("pre_llm_call.json"));
                    assertTrue(notice.toJson().toString().contains("[Plutus]"), notice.toJson().toString());

                    String workspace = a.plutus().calls().recent(3).get(0).origin().workspace();
                    assertEquals("edge-1", workspace);

                    // A row the central instance cannot take is set aside with the reason; the rest go through.
                    b.hooks().dispatch("post_api_request", DaemonTest.freshCall("post_api_request-anthropic-cache.json").put("api_request_id", "x1"));
                    b.remote().get().enqueue(a.plutus().calls().recent(1).get(0).withEventId("bad"), null);
                    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + edge.resolve("plutus.db"));
                         var st = c.createStatement()) {
                        st.executeUpdate("UPDATE remote_outbox SET body = '{\"provider\":\"anthropic\",\"input_tokens\":-5}' WHERE event_id = 'bad'");
                    }
                    b.hooks().dispatch("post_api_request", DaemonTest.freshCall("post_api_request-anthropic-cache.json").put("api_request_id", "x2"));
                    assertEquals(RemoteLink.Outcome.REJECTED_ONE, link.sendOnce());
                    assertEquals(RemoteLink.Outcome.SENT, link.sendOnce());
                    assertEquals(5, a.plutus().calls().count());
                    assertEquals(1, link.rejected().size());
                    assertTrue(link.rejected().get(0).reason().contains("input_tokens"), link.rejected().get(0).reason());
                }
                HttpResponse<String> verdict = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(a.info().baseUrl()
                        + "/v1/budget")).header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals("hard", TestSupport.JSON.readTree(verdict.body()).path("budget").path("level").asText());
                assertEquals(401, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(a.info().baseUrl() + "/v1/budget")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            } finally {
                proxy.stop(0);
            }
        }
    }

    /**
     * The central instance enforces session and cron job budgets for a remote edge: the edge sends who
     * made each call, and enforces each session's own central verdict. A cron job over its cap is stopped
     * (its subagent too); an interactive session of the same host goes on.
     */
    @Test
    void theCentralInstanceEnforcesCronAndSessionBudgetsOfAnEdge(@TempDir Path central, @TempDir Path edge) throws Exception {
        Files.writeString(central.resolve("budget.yaml"), "budgets:\n  per_cron_job:\n    default:\n      daily_usd: 0.000001\n");
        try (DaemonHarness a = DaemonHarness.start(central)) {
            String key = a.apiKeys().create("edge-1").secret();
            Map<String, String> env = Map.of("PLUTUS_REMOTE_URL", a.info().baseUrl(), "PLUTUS_API_KEY", key);
            try (TestEngine b = TestEngine.open(EngineConfig.builder(new HomeLayout(edge)).clock(Clock.systemUTC()).environment(env)
                    .cronSessionIds(new dev.plutus.hermes.HermesSessionIds()).build())) {
                String cron = "cron_d200f53be09d_20261124_030000";
                b.hooks().dispatch("on_session_start", TestSupport.hermesJson("on_session_start-cron.json"));
                b.hooks().dispatch("subagent_start", TestSupport.JSON.createObjectNode().put("parent_session_id", cron)
                        .put("child_session_id", "sub-1").put("session_id", cron));
                b.hooks().dispatch("post_api_request", DaemonTest.freshCall("post_api_request-anthropic-cache.json")
                        .put("session_id", cron).put("api_request_id", "cron-call-1").put("platform", "cron"));
                RemoteLink link = b.remote().orElseThrow();
                assertEquals(RemoteLink.Outcome.SENT, link.sendOnce());

                var recorded = a.plutus().calls().recent(1).get(0);
                assertEquals(cron, recorded.sessionId(), "the central instance knows which session made the call");
                assertEquals("d200f53be09d", recorded.cronJobId(), "and which cron job");
                assertEquals(Level.OK, link.verdict().level(), "no global budget: the host-wide verdict is ok");

                HookReply cronTool = b.hooks().dispatch("pre_tool_call", ((ObjectNode) TestSupport.hermesJson("pre_tool_call.json"))
                        .put("session_id", cron).put("task_id", cron));
                assertTrue(cronTool.toJson().toString().contains("budget exhausted"), cronTool.toJson().toString());
                HookReply subTool = b.hooks().dispatch("pre_tool_call", ((ObjectNode) TestSupport.hermesJson("pre_tool_call.json"))
                        .put("session_id", "sub-1").put("task_id", "sub-1"));
                assertTrue(subTool.toJson().toString().contains("budget exhausted"),
                        "a subagent of the cron job spends into the job's budget: " + subTool.toJson());
                HookReply cliTool = b.hooks().dispatch("pre_tool_call", TestSupport.hermesJson("pre_tool_call.json"));
                assertTrue(!cliTool.toJson().toString().contains("budget exhausted"),
                        "another session of the host goes on: " + cliTool.toJson());

                HttpResponse<String> asked = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(a.info().baseUrl()
                        + "/v1/budget?session_id=" + cron)).header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals("hard", TestSupport.JSON.readTree(asked.body()).path("budget").path("level").asText(), asked.body());
                HttpResponse<String> tooLong = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(a.info().baseUrl()
                        + "/v1/budget?session_id=" + "s".repeat(201))).header("Authorization", "Bearer " + key).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(400, tooLong.statusCode(), tooLong.body());
            }
        }
    }

    /** An edge upgraded before its central instance: the session members are dropped, nothing is set aside. */
    @Test
    void anOlderCentralThatRefusesSessionMembersStillGetsEveryCall(@TempDir Path central, @TempDir Path edge) throws Exception {
        try (DaemonHarness a = DaemonHarness.start(central)) {
            String key = a.apiKeys().create("edge-1").secret();
            HttpServer old = olderCentral(a.info().baseUrl());
            try {
                Map<String, String> env = Map.of("PLUTUS_REMOTE_URL", "http://127.0.0.1:" + old.getAddress().getPort(), "PLUTUS_API_KEY", key);
                try (TestEngine b = TestEngine.open(EngineConfig.builder(new HomeLayout(edge)).clock(Clock.systemUTC()).environment(env).build())) {
                    b.hooks().dispatch("post_api_request", DaemonTest.freshCall("post_api_request-anthropic-cache.json"));
                    RemoteLink link = b.remote().orElseThrow();
                    assertEquals(RemoteLink.Outcome.REJECTED_ONE, link.sendOnce(), "refused once for the unknown member");
                    assertEquals(RemoteLink.Outcome.SENT, link.sendOnce());
                    assertEquals(0, link.rejected().size(), "nothing set aside");
                    assertEquals(1, a.plutus().calls().count());
                }
            } finally {
                old.stop(0);
            }
        }
    }

    /** A central instance from before the session members: refuses them as unknown fields, as it did. */
    private static HttpServer olderCentral(String target) throws Exception {
        byte[] refusal = "{\"error\":\"event 0: unknown field 'session_id' (known: provider, model)\",\"event_index\":0,\"field\":\"session_id\"}"
                .getBytes(StandardCharsets.UTF_8);
        return forwarder(target, body -> new String(body, StandardCharsets.UTF_8).contains("\"session_id\"") ? new Refusal(400, refusal) : null,
                () -> false);
    }

    @Test
    void withNoCentralVerdictToBeHadAVerdictHookIsUnknownNeverOk(@TempDir Path edge) throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        Map<String, String> env = Map.of("PLUTUS_REMOTE_URL", "http://127.0.0.1:" + dead, "PLUTUS_API_KEY", "plutus_sk_x");
        try (TestEngine b = TestEngine.open(EngineConfig.builder(new HomeLayout(edge)).clock(Clock.systemUTC()).environment(env).build())) {
            for (String event : java.util.List.of("pre_tool_call", "pre_llm_call")) {
                dev.plutus.engine.VerdictUnknown e = org.junit.jupiter.api.Assertions.assertThrows(dev.plutus.engine.VerdictUnknown.class,
                        () -> b.hooks().dispatch(event, TestSupport.hermesJson(event + ".json")), event);
                assertTrue(e.getMessage().contains("no budget verdict from the central Plutus yet"), e.getMessage());
            }
            // Recording is not a verdict: the call still goes into the outbox.
            b.hooks().dispatch("post_api_request", DaemonTest.freshCall("post_api_request-anthropic-cache.json"));
            assertEquals(1, b.remote().orElseThrow().counts().pending());
        }
    }

    @Test
    void halfAConfigurationIsAnError(@TempDir Path edge) {
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.plutus.config.ConfigException.class, () -> TestEngine.open(
                EngineConfig.builder(new HomeLayout(edge)).environment(Map.of("PLUTUS_REMOTE_URL", "https://central.example.com")).build()));
        assertEquals("remote mode needs both PLUTUS_REMOTE_URL and PLUTUS_API_KEY; PLUTUS_API_KEY is not set", e.getMessage());
    }

    /** Forwards to the central daemon when up; answers 503 when down; forwards but answers 502 when losing answers. */
    private static HttpServer proxy(String target, AtomicReference<Mode> mode) throws Exception {
        return forwarder(target, body -> mode.get() == Mode.DOWN ? new Refusal(503, new byte[0]) : null,
                () -> mode.get() == Mode.LOSE_ANSWER);
    }

    /** An answer given instead of forwarding. */
    private record Refusal(int status, byte[] body) {}

    /**
     * Forwards each request to {@code target}, unless {@code refuse} answers it; when {@code loseAnswer}
     * says so, the forwarded request's answer is replaced by a 502.
     */
    private static HttpServer forwarder(String target, java.util.function.Function<byte[], Refusal> refuse,
            java.util.function.BooleanSupplier loseAnswer) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        HttpClient http = HttpClient.newHttpClient();
        s.createContext("/", ex -> {
            try (ex) {
                byte[] body = ex.getRequestBody().readAllBytes();
                Refusal refused = refuse.apply(body);
                if (refused != null) {
                    ex.sendResponseHeaders(refused.status(), refused.body().length == 0 ? -1 : refused.body().length);
                    if (refused.body().length > 0) {
                        ex.getResponseBody().write(refused.body());
                    }
                    return;
                }
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
                        .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
                for (String h : new String[] {"Authorization", "Idempotency-Key", "Content-Type"}) {
                    String v = ex.getRequestHeaders().getFirst(h);
                    if (v != null) {
                        b.header(h, v);
                    }
                }
                HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                if (loseAnswer.getAsBoolean()) {
                    ex.sendResponseHeaders(502, -1);
                    return;
                }
                ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                if (r.body().length > 0) {
                    ex.getResponseBody().write(r.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        s.start();
        return s;
    }
}
