package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as the bridge sees it: a real HTTP server on a free loopback port over a real SQLite file. */
@org.junit.jupiter.api.Tag("store")
class DaemonTest {
    private static final HttpClient HTTP = DaemonHarness.HTTP;

    static DaemonHarness start(Path home) throws Exception {
        return DaemonHarness.start(home);
    }

    static HttpResponse<String> post(DaemonHarness d, String path, String body, String token) throws Exception {
        return d.post(path, body, token);
    }

    static String token(Path home) throws Exception {
        return Files.readString(home.resolve("daemon.token")).strip();
    }

    static ObjectNode freshCall(String fixture) throws Exception {
        ObjectNode k = (ObjectNode) TestSupport.hermesJson(fixture);
        double now = System.currentTimeMillis() / 1000.0;
        return k.put("started_at", now - 2).put("ended_at", now);
    }

    @Test
    void hooksCommandsAndStatusOverHttp(@TempDir Path home) throws Exception {
        try (DaemonHarness d = start(home)) {
            String token = token(home);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("daemon.token"))));
            assertEquals(64, token.length());

            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(d.info().baseUrl() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertTrue(health.body().contains("\"status\":\"ok\""));

            assertEquals(401, post(d, "/hooks/post_api_request", "{}", null).statusCode());
            assertEquals(401, post(d, "/hooks/post_api_request", "{}", "wrong").statusCode());

            HttpResponse<String> r = post(d, "/hooks/post_api_request", freshCall("post_api_request-anthropic-cache.json").toString(), token);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("{}", r.body());
            assertEquals(1, d.plutus().calls().count());

            HttpResponse<String> bad = post(d, "/hooks/post_api_request", "{not json", token);
            assertEquals(400, bad.statusCode());
            assertEquals(1, d.plutus().calls().count());

            String huge = d.announceOnly("/hooks/post_api_request", HttpLimits.DEFAULTS.maxBodyBytes() + 10L, token);
            assertTrue(huge.startsWith("HTTP/1.1 413 "), huge);

            HttpResponse<String> stats = post(d, "/commands/stats", "models today", token);
            assertEquals(200, stats.statusCode());
            assertTrue(stats.body().contains("claude-sonnet-4-6"), stats.body());
            assertEquals(404, post(d, "/commands/rm", "-rf", token).statusCode());

            HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(d.info().baseUrl() + "/hooks/x"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, get.statusCode());

            JsonNode status = StatusCommandAccess.fetch(d.info(), AccessToken.read(home.resolve("daemon.token")));
            assertEquals(1, status.path("requests").path("hook.post_api_request").asLong());
            assertEquals(2, status.path("unauthorized").asLong());
            assertTrue(status.path("hook_latency_us").path("p99_at_most").asLong() > 0);

            DaemonInfo info = DaemonInfo.read(home.resolve("daemon.json")).orElseThrow();
            assertEquals(ProcessHandle.current().pid(), info.pid());
            assertEquals(d.info().port(), info.port());

            InstanceLock.AlreadyRunning second = assertThrows(InstanceLock.AlreadyRunning.class, () -> start(home));
            assertTrue(second.getMessage().contains("daemon.lock"));
        }
        assertFalse(Files.exists(home.resolve("daemon.json")), "a clean stop removes daemon.json");
        try (DaemonHarness again = start(home)) {
            assertEquals(1, again.plutus().calls().count(), "the call survived the restart");
        }
    }

    @Test
    void statusCommandTellsWhetherTheDaemonRuns(@TempDir Path home) throws Exception {
        try (DaemonHarness d = start(home)) {
            var out = new java.io.StringWriter();
            var cli = dev.plutus.cli.PlutusCli.commandLine(java.io.InputStream.nullInputStream());
            cli.setOut(new java.io.PrintWriter(out, true));
            assertEquals(0, cli.execute("status", "--home", home.toString()));
            assertTrue(out.toString().contains("running, pid " + ProcessHandle.current().pid()), out.toString());
            assertTrue(out.toString().contains(d.info().baseUrl()), out.toString());
            assertTrue(out.toString().contains("hook requests: 0\n"), "no latency figures before any request: " + out);
        }
        var out = new java.io.StringWriter();
        var cli = dev.plutus.cli.PlutusCli.commandLine(java.io.InputStream.nullInputStream());
        cli.setOut(new java.io.PrintWriter(out, true));
        assertEquals(3, cli.execute("status", "--home", home.toString()));
        assertTrue(out.toString().contains("not running"), out.toString());
    }

    @Test
    void spooledEventsAreReplayedOnceAndBadLinesSetAside(@TempDir Path home) throws Exception {
        Path spool = home.resolve("spool");
        Files.createDirectories(spool);
        ObjectNode call = freshCall("post_api_request-anthropic-cache.json");
        ObjectNode tool = (ObjectNode) TestSupport.hermesJson("post_tool_call.json");
        tool.put("_plutus_ts", System.currentTimeMillis() / 1000.0);
        String lines = TestSupport.JSON.createObjectNode().put("event", "post_api_request").set("kwargs", call) + "\n"
                + TestSupport.JSON.createObjectNode().put("event", "post_api_request").set("kwargs", call) + "\n"
                + "{\"event\": \"post_tool_call\", \"kwargs\": " + tool + "}\n"
                + "{\"event\": \"post_api_requ";   // a bridge killed mid-write
        Files.writeString(spool.resolve("host-123.jsonl"), lines, StandardCharsets.UTF_8);
        try (DaemonHarness d = start(home)) {
            assertEquals(1, d.plutus().calls().count(), "the duplicate carries the same api_request_id");
            assertEquals(1, d.plutus().stats().tools(java.time.Instant.EPOCH, 10).size());
            try (var files = Files.list(spool)) {
                assertEquals(java.util.List.of("rejected.jsonl"), files.map(p -> p.getFileName().toString()).toList());
            }
            String rejected = Files.readString(spool.resolve("rejected.jsonl"));
            assertTrue(rejected.contains("\"line\":4") && rejected.contains("not JSON"), rejected);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(spool.resolve("rejected.jsonl"))), "set-aside usage lines are owner-only");

            // Spooled while running: claimed on one pass, replayed on the next.
            ObjectNode later = freshCall("post_api_request-openrouter.json");
            Files.writeString(spool.resolve("host-456.jsonl"),
                    TestSupport.JSON.createObjectNode().put("event", "post_api_request").set("kwargs", later) + "\n");
            d.daemon().replaySpoolNow();
            assertEquals(2, d.plutus().calls().count());
        }
    }

    private static String spoolLine(ObjectNode kwargs) {
        return TestSupport.JSON.createObjectNode().put("event", "post_api_request").set("kwargs", kwargs) + "\n";
    }

    private static ObjectNode callWithId(String id) throws Exception {
        return freshCall("post_api_request-anthropic-cache.json").put("api_request_id", id);
    }

    private static long callsWithId(DaemonHarness d, String id) {
        return d.plutus().calls().recent(1000).stream().filter(c -> ("api:" + id).equals(c.eventId())).count();
    }

    @Test
    void aSpoolFileWithBytesThatAreNotUtf8CostsOnlyItsBadLinesAndNeverStopsTheOtherFiles(@TempDir Path home) throws Exception {
        Path spool = home.resolve("spool");
        try (DaemonHarness d = start(home)) {
            Files.createDirectories(spool);
            Files.writeString(spool.resolve("agood-0.jsonl"), spoolLine(callWithId("req_a")));
            Files.writeString(spool.resolve("zgood-2.jsonl"), spoolLine(callWithId("req_z")));
            byte[] noise = new byte[100];
            new java.util.Random(15).nextBytes(noise);
            noise[0] = (byte) 0xC3;   // a lead byte with no continuation: never valid UTF-8
            noise[1] = (byte) 0x28;
            var evil = new java.io.ByteArrayOutputStream();
            evil.write(spoolLine(callWithId("req_e1")).getBytes(StandardCharsets.UTF_8));
            evil.write(spoolLine(callWithId("req_e2")).getBytes(StandardCharsets.UTF_8));
            evil.write("{\"event\": \"post_api_request\", \"kwargs\": {\"api_duration\": NaN}}\n".getBytes(StandardCharsets.UTF_8));
            evil.write(noise);
            evil.write('\n');
            evil.write(spoolLine(callWithId("req_e3")).getBytes(StandardCharsets.UTF_8));
            Files.write(spool.resolve("evil-1.jsonl"), evil.toByteArray());

            d.daemon().replaySpoolNow();
            d.daemon().replaySpoolNow();

            for (String id : java.util.List.of("req_a", "req_z", "req_e1", "req_e2", "req_e3")) {
                assertEquals(1, callsWithId(d, id), id + " recorded exactly once");
            }
            try (var files = Files.list(spool)) {
                assertEquals(java.util.List.of("rejected.jsonl"), files.map(p -> p.getFileName().toString()).toList());
            }
            java.util.List<JsonNode> rejected = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(spool.resolve("rejected.jsonl"))) {
                rejected.add(TestSupport.JSON.readTree(line));
            }
            assertTrue(rejected.size() >= 2, rejected.toString());
            JsonNode nan = rejected.stream().filter(r -> r.path("raw").asText().contains("NaN")).findFirst().orElseThrow();
            String reason = nan.path("problem").asText();
            assertTrue(reason.contains("'NaN' is not a number JSON allows"), reason);
            assertFalse(reason.contains("JsonReadFeature") || reason.contains("ALLOW_"), "no Jackson text: " + reason);
            var bytesKept = new java.io.ByteArrayOutputStream();
            for (JsonNode r : rejected) {
                if (r.has("raw_base64")) {
                    assertTrue(r.path("problem").asText().startsWith("not UTF-8"), r.toString());
                    if (bytesKept.size() > 0) {
                        bytesKept.write('\n');
                    }
                    bytesKept.write(java.util.Base64.getDecoder().decode(r.path("raw_base64").asText()));
                }
            }
            // The noise may hold newlines of its own: whatever was not decodable is kept byte for byte.
            String noiseText = new String(noise, StandardCharsets.ISO_8859_1);
            String keptText = new String(bytesKept.toByteArray(), StandardCharsets.ISO_8859_1);
            for (String piece : noiseText.split("\n")) {
                if (StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(piece.getBytes(StandardCharsets.ISO_8859_1)),
                        java.nio.CharBuffer.allocate(1000), true).isError()) {
                    assertTrue(keptText.contains(piece), "undecodable line kept exactly");
                }
            }
            assertTrue(keptText.startsWith(new String(new byte[] {(byte) 0xC3, 0x28}, StandardCharsets.ISO_8859_1)), keptText);
        }
    }

    @Test
    void aDirectoryOrDanglingLinkNamedLikeASpoolFileIsSkippedAndLoggedOnce(@TempDir Path home) throws Exception {
        Path spool = home.resolve("spool");
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(SpoolReplayer.class);
        var seen = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        seen.start();
        logger.addAppender(seen);
        try (DaemonHarness d = start(home)) {
            Files.createDirectories(spool.resolve("dir-1.jsonl"));
            Files.createSymbolicLink(spool.resolve("link-3.jsonl"), spool.resolve("nowhere"));
            Files.writeString(spool.resolve("agood-0.jsonl"), spoolLine(callWithId("req_a")));
            Files.writeString(spool.resolve("zgood-2.jsonl"), spoolLine(callWithId("req_z")));
            for (int i = 0; i < 4; i++) {
                d.daemon().replaySpoolNow();
            }
            assertEquals(1, callsWithId(d, "req_a"));
            assertEquals(1, callsWithId(d, "req_z"));
            assertTrue(Files.isDirectory(spool.resolve("dir-1.jsonl")), "left where it is");
            assertTrue(Files.isSymbolicLink(spool.resolve("link-3.jsonl")), "left where it is");
            var warnings = seen.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
            assertEquals(1, warnings.stream().filter(w -> w.contains("dir-1.jsonl") && w.contains("directory")).count(), warnings.toString());
            assertEquals(1, warnings.stream().filter(w -> w.contains("link-3.jsonl")).count(), warnings.toString());
            assertTrue(seen.list.stream().allMatch(e -> e.getThrowableProxy() == null), "no stack traces");
        } finally {
            logger.detachAppender(seen);
        }
    }
}
