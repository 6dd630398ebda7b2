package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP front itself: one router's 404 and 405, one error shape, Jetty's limits, and the hooks' own socket. */
@org.junit.jupiter.api.Tag("store")
class HttpFrontTest {

    /** Every refusal is a JSON object with one field, the message: nothing of the daemon's insides. */
    private static JsonNode error(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonNode body = TestSupport.JSON.readTree(r.body());
        assertTrue(body.isObject() && body.path("error").isTextual(), r.body());
        assertEquals(List.of("error"), iterable(body.fieldNames()), r.body());
        return body;
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new java.util.ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    @Test
    void aWrongMethodIs405FromTheRouterWithAllowAndAnUnknownPathIs404(@TempDir Path home) throws Exception {
        try (DaemonHarness h = DaemonHarness.start(home)) {
            String token = h.token();
            HttpResponse<String> get = h.get("/hooks/pre_tool_call", token);
            assertEquals("/hooks/pre_tool_call takes POST", error(get, 405).get("error").asText());
            assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
            assertEquals("GET", h.send("POST", "/status", "", token).headers().firstValue("Allow").orElse(""));
            assertEquals("GET", h.send("DELETE", "/metrics", null, null).headers().firstValue("Allow").orElse(""));
            assertEquals("POST", h.send("PUT", "/v1/usage", "{}", "k").headers().firstValue("Allow").orElse(""));
            error(h.get("/v1/reservations", null), 405);
            assertEquals("DELETE", h.get("/v1/reservations/res_1", null).headers().firstValue("Allow").orElse(""));
            error(h.send("POST", "/api/summary", "", null), 405);

            for (String path : List.of("/v1/usageX", "/v1/usage/more", "/hooks", "/nothing", "/commands/")) {
                assertEquals("no such endpoint: " + path, error(h.post(path, "{}", token), 404).get("error").asText(), path);
            }
            assertEquals("unknown command 'rm' (budget, runway, setup, stats)", error(h.post("/commands/rm", "-rf", token), 404)
                    .get("error").asText());
            error(h.post("/hooks/pre_tool_call", "{", token), 400);
            error(h.post("/hooks/pre_tool_call", "{}", "wrong"), 401);
            error(h.post("/v1/usage", "{}", "plutus_sk_wrong"), 401);
            error(h.send("GET", "/status", null, token, "X-Big", "x".repeat(HttpLimits.DEFAULTS.maxHeaderBytes())), 431);
        }
    }

    @Test
    void queryParametersAreUrlDecoded(@TempDir Path home) throws Exception {
        try (DaemonHarness h = DaemonHarness.start(home)) {
            HttpResponse<String> r = h.post("/commands/budget?format=js%6Fn", "", h.token());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.body());
            TestSupport.JSON.readTree(r.body());
        }
    }

    @Test
    void aBodyOverTheLimitIs413WithOrWithoutALengthAndTheDaemonCarriesOn(@TempDir Path home) throws Exception {
        try (DaemonHarness h = DaemonHarness.start(home)) {
            int max = HttpLimits.DEFAULTS.maxBodyBytes();
            String token = h.token();
            String refused = h.announceOnly("/hooks/post_api_request", max + 1L, token);
            assertTrue(refused.startsWith("HTTP/1.1 413 ") && refused.endsWith("{\"error\":\"request body over 1048576 bytes\"}"), refused);
            // Chunked: no Content-Length for Jetty to refuse up front; the read stops at the limit.
            HttpResponse<String> chunked = DaemonHarness.HTTP.send(HttpRequest.newBuilder(URI.create(h.baseUrl() + "/hooks/post_api_request"))
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[max + 4096]))).build(),
                    HttpResponse.BodyHandlers.ofString());
            error(chunked, 413);
            assertEquals(200, h.post("/hooks/pre_tool_call", "{\"x\":\"" + "y".repeat(max - 100) + "\"}", token).statusCode(),
                    "a body just under the limit is read whole");
        }
    }

    @Test
    void aClientStallingInItsHeadersIsCutOffWhileHooksStillAnswer(@TempDir Path home) throws Exception {
        HttpLimits limits = HttpLimits.DEFAULTS.withHeaderTimeout(Duration.ofMillis(500));
        try (DaemonHarness h = DaemonHarness.in(home).limits(limits).start();
             Socket slow = new Socket("127.0.0.1", h.daemon().info().port())) {
            OutputStream out = slow.getOutputStream();
            out.write('P');
            out.flush();
            long start = System.nanoTime();
            assertEquals(200, h.post("/hooks/pre_tool_call", TestSupport.hermesJson("pre_tool_call.json").toString(), h.token())
                    .statusCode(), "a hook is answered while the slow client hangs");
            assertEquals(200, hookOverSocket(h).statusCode());
            InputStream in = slow.getInputStream();
            int first = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> readUntilClosed(in));
            long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(waited >= 400, "cut off after the header timeout, not before: " + waited + " ms");
            assertTrue(first == -1 || first == 'H', "closed, or answered with an error before closing: " + first);
        }
    }

    @Test
    void aClientStallingInItsBodyIsCutOffAfterTheBodyTimeout(@TempDir Path home) throws Exception {
        HttpLimits limits = HttpLimits.DEFAULTS.withBodyTimeout(Duration.ofMillis(500));
        try (DaemonHarness h = DaemonHarness.in(home).limits(limits).start();
             Socket slow = new Socket("127.0.0.1", h.daemon().info().port())) {
            OutputStream out = slow.getOutputStream();
            out.write(("POST /hooks/pre_tool_call HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + h.token()
                    + "\r\nContent-Length: 100\r\n\r\n{\"a\":").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            // The header timeout (10 s) would take longer than this test allows: the body's own timeout cuts it off.
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> readUntilClosed(slow.getInputStream()));
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 400);
            assertEquals(0, h.daemon().status().hookLatency().count(), "nothing was dispatched from half a body");
        }
    }

    @Test
    @org.junit.jupiter.api.Tag("sqlite-file")
    void aRequestStillInFlightAtStopDoesNotKeepTheStoreOpen(@TempDir Path home) throws Exception {
        DaemonHarness h = DaemonHarness.start(home);
        String key = h.apiKeys().create("slow").secret();
        String body = "{\"provider\":\"openai\",\"model\":\"gpt-4.1\",\"input_tokens\":5}";
        Thread inFlight;
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + home.resolve("plutus.db"));
             var st = c.createStatement()) {
            // Another writer holds the database: the request's write waits on it past the 2 s grace period.
            st.execute("BEGIN EXCLUSIVE");
            inFlight = new Thread(() -> {
                try {
                    UsageApiTest.usage(h.info().baseUrl(), key, body, java.util.Map.of());
                } catch (Exception expected) {
                    // the connection is cut by the stop
                }
            });
            inFlight.start();
            Thread.sleep(300);
            assertTimeoutPreemptively(Duration.ofSeconds(20), h::close, "a timed-out graceful stop still closes the store");
            st.execute("ROLLBACK");
        }
        inFlight.join(10_000);
        assertTrue(Files.notExists(home.resolve("daemon.json")), "the daemon finished its shutdown");
        try (DaemonHarness again = DaemonHarness.start(home)) {
            assertEquals(200, again.get("/healthz", null).statusCode(), "the lock and the database were released");
        }
    }

    private static int readUntilClosed(InputStream in) throws Exception {
        int first = in.read();
        while (first != -1 && in.read() != -1) {
            // an error answer, then the close
        }
        return first;
    }

    @Test
    void hooksHaveAnOwnerOnlySocketPublishedInDaemonJson(@TempDir Path home) throws Exception {
        try (DaemonHarness h = DaemonHarness.start(home)) {
            Path socket = home.resolve(PlutusDaemon.HOOK_SOCKET).toAbsolutePath();
            assertEquals(socket.toString(), h.daemon().info().socket());
            assertEquals(socket.toString(), DaemonInfo.read(home.resolve("daemon.json")).orElseThrow().socket());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            RawResponse r = hookOverSocket(h);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("{}", r.body());
            assertEquals(1, h.daemon().status().hookLatency().count(), "the hook was handled like any other");
        }
        assertTrue(!Files.exists(home.resolve(PlutusDaemon.HOOK_SOCKET)), "a clean stop removes the socket file");
    }

    record RawResponse(int statusCode, String body) {}

    /** One hook over the daemon's Unix domain socket, as the bridge sends it. */
    static RawResponse hookOverSocket(DaemonHarness h) throws Exception {
        byte[] body = TestSupport.hermesJson("pre_tool_call.json").toString().getBytes(StandardCharsets.UTF_8);
        String head = "POST /hooks/pre_tool_call HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + h.token()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(h.daemon().info().socket()))) {
            ch.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
            ch.write(ByteBuffer.wrap(body));
            String answer = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(9, 12));
            return new RawResponse(status, answer.substring(answer.indexOf("\r\n\r\n") + 4));
        }
    }
}
