package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge's framed verdict socket on a real daemon and store: the same answers and refusals as
 * {@code POST /hooks/{event}}, the token checked in the hello, and what a slow, idle, greedy or
 * oversized client is held to.
 */
class HookChannelTest {
    private static final String ONE_DOLLAR_A_DAY = "budgets:\n  global:\n    daily_usd: 1\n";
    /** $1.20 at claude-sonnet-4-6's $3 per million input tokens. */
    private static final String COSTLY_CALL = "{\"session_id\": \"s1\", \"api_request_id\": \"r1\", \"provider\": \"anthropic\", "
            + "\"model\": \"claude-sonnet-4-6\", \"usage\": {\"input_tokens\": 400000, \"output_tokens\": 0}}";

    /** A client speaking the channel's frames. */
    static final class Client implements AutoCloseable {
        final SocketChannel ch;

        Client(Path socket) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        }

        void send(byte[] payload) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        String read() throws IOException {
            ByteBuffer len = ByteBuffer.allocate(4);
            readFully(len);
            ByteBuffer body = ByteBuffer.allocate(len.flip().getInt());
            readFully(body);
            return new String(body.array(), StandardCharsets.UTF_8);
        }

        private void readFully(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) {
                    throw new EOFException("closed");
                }
            }
        }

        String ask(String payload) throws IOException {
            send(payload.getBytes(StandardCharsets.UTF_8));
            return read();
        }

        String hook(String event, String kwargs) throws IOException {
            return ask(event + "\n" + kwargs);
        }

        /** Whether the daemon has closed the connection (a read ends), waiting up to {@code seconds}. */
        boolean closedWithin(int seconds) throws Exception {
            var t = new Thread(() -> {
                try {
                    ch.read(ByteBuffer.allocate(1 << 16));
                } catch (IOException ignored) {
                    // closed: what is waited for
                }
            });
            t.setDaemon(true);
            t.start();
            t.join(TimeUnit.SECONDS.toMillis(seconds));
            return !t.isAlive();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    private static Path channel(DaemonHarness d) {
        assertNotNull(d.info().hookChannel(), "daemon.json announces the hook channel");
        return Path.of(d.info().hookChannel());
    }

    private static Client greeted(Path socket, String token) throws IOException {
        Client c = new Client(socket);
        assertEquals("200 ok", c.ask(HookChannel.HELLO + token));
        return c;
    }

    @Test
    void answersAsHttpDoesOwnerOnlyAndAnnouncedInDaemonJson(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", ONE_DOLLAR_A_DAY).start()) {
            Path socket = channel(d);
            assertEquals(home.resolve(PlutusDaemon.HOOK_CHANNEL).toAbsolutePath(), socket);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals(socket.toString(), DaemonInfo.read(home.resolve("daemon.json")).orElseThrow().hookChannel());
            try (Client c = greeted(socket, d.token())) {
                String allowed = c.hook("pre_tool_call", "{\"session_id\": \"s1\", \"tool_name\": \"terminal\"}");
                assertEquals("200 " + d.post("/hooks/pre_tool_call", "{\"session_id\": \"s1\", \"tool_name\": \"terminal\"}",
                        d.token()).body(), allowed);
                // Recorded on the channel, then a verdict on it: the tool is blocked, with HTTP's very answer.
                assertTrue(c.hook("post_api_request", COSTLY_CALL).startsWith("200 "));
                String blocked = c.hook("pre_tool_call", "{\"session_id\": \"s1\", \"tool_name\": \"terminal\"}");
                JsonNode verdict = TestSupport.JSON.readTree(blocked.substring(4));
                assertEquals("block", verdict.path("action").asText(), blocked);
                assertEquals(blocked.substring(4), d.post("/hooks/pre_tool_call", "{\"session_id\": \"s1\", \"tool_name\": \"terminal\"}",
                        d.token()).body());
                // Where HTTP answers 503 (a journal that cannot be caught up with), so does the channel: no verdict.
                String unknown = "{\"session_id\": \"s1\", \"_plutus_journal\": \"no-such-1.jsonl\", \"_plutus_journal_offset\": 10}";
                String answer = c.hook("pre_tool_call", unknown);
                assertTrue(answer.startsWith("503 verdict unknown"), answer);
                assertEquals(503, d.post("/hooks/pre_tool_call", unknown, d.token()).statusCode());
                assertTrue(c.hook("pre_tool_call", "{not json").startsWith("400 body is not JSON"));
                assertTrue(c.ask("no newline").startsWith("400 "));
                // The connection is still good after refusals.
                assertTrue(c.hook("pre_llm_call", "{\"session_id\": \"s2\"}").startsWith("200 "));
            }
            assertEquals(1, new dev.plutus.store.CallStore(d.plutus().jdbc()).count());
            assertTrue(d.daemon().status().answer().requests().get("hook.pre_tool_call") >= 3);
        }
        assertTrue(Files.notExists(home.resolve(PlutusDaemon.HOOK_CHANNEL)), "the socket file goes with the daemon");
    }

    @Test
    void aWrongTokenIsRefusedInTheHelloAndTheConnectionClosed(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            long rejected = d.daemon().status().answer().unauthorized();
            try (Client c = new Client(channel(d))) {
                assertTrue(c.ask(HookChannel.HELLO + "wrong").startsWith("401 "));
                assertTrue(c.closedWithin(10));
            }
            try (Client c = new Client(channel(d))) {
                // A request without a hello is a wrong hello: nothing is dispatched.
                assertTrue(c.hook("post_api_request", COSTLY_CALL).startsWith("401 "));
            }
            for (String stray : java.util.List.of(" ", "\n", "\t")) {
                // The hello is compared byte for byte: the token with anything after it is a wrong token.
                try (Client c = new Client(channel(d))) {
                    assertTrue(c.ask(HookChannel.HELLO + d.token() + stray).startsWith("401 "), "token + " + stray.codePointAt(0));
                }
            }
            assertEquals(rejected + 5, d.daemon().status().answer().unauthorized());
            assertEquals(0, new dev.plutus.store.CallStore(d.plutus().jdbc()).count());
        }
    }

    @Test
    void slowIdleGreedyAndOversizedClientsHoldNoThreadForLong(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            JournalTailer tailer = new JournalTailer(home.resolve("hook-journal"), home.resolve("spool"), d.daemon().hermes().hooks(),
                    d.daemon().status());
            HookRequests requests = new HookRequests(d.daemon().hermes().hooks(), tailer, d.daemon().status(), new StoreHealth());
            Path socket = home.resolve("tight.sock");
            HookChannel.Limits limits = new HookChannel.Limits(1024, 3, Duration.ofMillis(300), Duration.ofMillis(600));
            try (HookChannel tight = HookChannel.start(socket, AccessToken.read(home.resolve("daemon.token")), requests,
                    d.daemon().status(), limits)) {
                // A frame over the limit: 413, closed, never read.
                try (Client c = greeted(socket, d.token())) {
                    String big = "{\"session_id\": \"" + "x".repeat(2000) + "\"}";
                    assertTrue(c.hook("pre_tool_call", big).startsWith("413 "));
                    assertTrue(c.closedWithin(10));
                }
                // Half a frame, then silence: cut off at the frame time-out.
                try (Client c = greeted(socket, d.token())) {
                    c.ch.write(ByteBuffer.allocate(6).putInt(100).put((byte) 'p').put((byte) 'r').flip());
                    long t0 = System.nanoTime();
                    assertTrue(c.closedWithin(10), "a stalled frame is cut off");
                    assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(200), "not before its time-out");
                }
                // Nothing after the hello: closed after the idle time-out.
                try (Client c = greeted(socket, d.token())) {
                    assertTrue(c.closedWithin(10), "an idle connection is closed");
                }
                // Connected and silent, not even a hello: closed too.
                try (Client c = new Client(socket)) {
                    assertTrue(c.closedWithin(10));
                }
                // At most three at once: a fourth is told so and closed, and is let in once one goes.
                List<Client> held = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        held.add(greeted(socket, d.token()));
                    }
                    try (Client fourth = new Client(socket)) {
                        assertTrue(fourth.read().startsWith("503 "));
                        assertTrue(fourth.closedWithin(10));
                    }
                    held.remove(0).close();
                    awaitFewerThan(tight, 3);
                    try (Client again = greeted(socket, d.token())) {
                        assertTrue(again.hook("pre_llm_call", "{\"session_id\": \"s3\"}").startsWith("200 "));
                    }
                } finally {
                    for (Client c : held) {
                        c.close();
                    }
                }
                var requestsSeen = d.daemon().status().answer().requests();
                assertTrue(requestsSeen.getOrDefault("hook_channel.timed_out", 0L) >= 3, requestsSeen.toString());
                assertEquals(1L, requestsSeen.get("hook_channel.too_large"));
                assertEquals(1L, requestsSeen.get("hook_channel.over_cap"));
            }
            assertTrue(Files.notExists(socket));
        }
    }

    private static void awaitFewerThan(HookChannel c, int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.connections() >= n && System.nanoTime() < until) {
            Thread.sleep(5);
        }
    }
}
