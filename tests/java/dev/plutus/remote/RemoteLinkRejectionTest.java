package dev.plutus.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.plutus.store.Database;
import dev.plutus.store.RemoteOutbox;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the sender reads a central 400: the event it sets aside is the one the answer's
 * {@code event_index} names, whatever its prose says; an answer that names none (or that is not
 * JSON at all) sets nothing aside and is retried. Against a real HTTP server and a real outbox.
 */
class RemoteLinkRejectionTest {
    private final AtomicReference<String> answer400 = new AtomicReference<>();
    private HttpServer central;
    private Database db;
    private RemoteOutbox outbox;
    private RemoteLink link;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        central = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        central.createContext("/v1/usage", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                byte[] body = answer400.get().getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(400, body.length);
                ex.getResponseBody().write(body);
            }
        });
        central.start();
        db = Database.open(dir.resolve("edge.db"), 2);
        outbox = new RemoteOutbox(db.jdbc());
        for (int i = 0; i < 5; i++) {
            outbox.add("e" + i, "{\"provider\":\"openai\",\"input_tokens\":" + i + "}", Instant.now());
        }
        URI url = URI.create("http://127.0.0.1:" + central.getAddress().getPort());
        link = new RemoteLink(new RemoteSettings(url, "plutus_sk_test", "edge", "plutus@test", Duration.ofHours(1), Duration.ofHours(1)),
                outbox, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        link.close();
        central.stop(0);
        db.close();
    }

    @Test
    void theEventNamedByEventIndexIsSetAsideAndNoOther() {
        // The prose names another event on purpose: the structured member is what counts.
        answer400.set("{\"error\":\"event 4: field 'input_tokens' must not be negative (-5)\",\"event_index\":2,\"field\":\"input_tokens\"}");
        assertEquals(RemoteLink.Outcome.REJECTED_ONE, link.sendOnce());
        List<RemoteOutbox.Rejected> rejected = link.rejected();
        assertEquals(1, rejected.size());
        assertEquals("e2", rejected.get(0).eventId());
        assertTrue(rejected.get(0).reason().contains("input_tokens"), rejected.get(0).reason());
        assertEquals(4, link.counts().pending());
        assertEquals(List.of("{\"provider\":\"openai\",\"input_tokens\":0}", "{\"provider\":\"openai\",\"input_tokens\":1}",
                "{\"provider\":\"openai\",\"input_tokens\":3}", "{\"provider\":\"openai\",\"input_tokens\":4}"),
                outbox.next(RemoteLink.BATCH).bodies(), "the rest go out again as a new batch");
    }

    @Test
    void anAnswerNamingNoEventSetsNothingAside() {
        for (String body : List.of(
                "{\"error\":\"event 1: batch of 1001 events\",\"event_index\":null,\"field\":null}",
                "{\"error\":\"event 1: somewhere\",\"event_index\":\"1\",\"field\":null}",
                "{\"error\":\"out of range\",\"event_index\":5,\"field\":\"provider\"}",
                "{\"error\":\"negative\",\"event_index\":-1,\"field\":\"provider\"}",
                "Bad Request: event 1: not JSON at all",
                "")) {
            answer400.set(body);
            assertEquals(RemoteLink.Outcome.RETRY_LATER, link.sendOnce(), body);
            assertEquals(0, link.rejected().size(), body);
            assertEquals(5, link.counts().pending(), body);
        }
    }

    @Test
    void aCentralFromBeforeTheStructuredAnswerIsStillUnderstood() {
        // Its 400 has only the prose; the edge may be upgraded first.
        answer400.set("{\"error\":\"event 3: field 'provider' is required\"}");
        assertEquals(RemoteLink.Outcome.REJECTED_ONE, link.sendOnce());
        assertEquals("e3", link.rejected().get(0).eventId());
        assertEquals(4, link.counts().pending());
    }
}
