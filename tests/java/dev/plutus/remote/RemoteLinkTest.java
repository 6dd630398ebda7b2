package dev.plutus.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.plutus.core.LlmCall;
import dev.plutus.TestSupport;
import dev.plutus.TestSupport.MutableClock;
import dev.plutus.core.TokenUsage;
import dev.plutus.budget.Level;
import dev.plutus.store.Database;
import dev.plutus.store.RemoteOutbox;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote sender against a real HTTP server on loopback that answers what each test scripts, with
 * the outbox in a real SQLite file and time from a clock the test moves: nothing here sleeps.
 */
class RemoteLinkTest {
    static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");

    record Answer(int code, Map<String, String> headers, String body) {
        static Answer ok(String level) {
            return new Answer(200, Map.of(), "{\"accepted\":1,\"budget\":{\"level\":\"" + level + "\",\"message\":\"central says " + level + "\"}}");
        }

        static Answer status(int code, Map<String, String> headers) {
            return new Answer(code, headers, "{\"error\":\"busy\"}");
        }
    }

    record Request(String method, String path, String idempotencyKey, String authorization, String body) {}

    @TempDir
    Path home;
    private HttpServer central;
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private Database db;
    private RemoteOutbox outbox;
    private final MutableClock clock = new MutableClock(NOON, ZoneId.of("UTC"));
    private RemoteLink link;

    @BeforeEach
    void start() throws IOException {
        central = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        central.createContext("/", this::answer);
        central.start();
        db = Database.open(home.resolve("plutus.db"), 2);
        outbox = new RemoteOutbox(db.jdbc());
        URI url = URI.create("http://127.0.0.1:" + central.getAddress().getPort());
        link = new RemoteLink(new RemoteSettings(url, "plutus_sk_test", "edge-1", "plutus@edge", Duration.ofSeconds(1),
                Duration.ofSeconds(30)), outbox, clock);
    }

    @AfterEach
    void stop() {
        link.close();
        central.stop(0);
        db.close();
    }

    private void answer(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                ex.getRequestHeaders().getFirst("Idempotency-Key"), ex.getRequestHeaders().getFirst("Authorization"), body));
        Answer a = Optional.ofNullable(script.poll()).orElse(Answer.ok("ok"));
        a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(a.code(), out.length);
        ex.getResponseBody().write(out);
        ex.close();
    }

    private int queued;

    /** Queues events e0, e1, … with bodies {"n":0}, {"n":1}, … */
    private void queue(int events) {
        for (int i = 0; i < events; i++, queued++) {
            outbox.add("e" + queued, "{\"n\":" + queued + "}", clock.instant());
        }
    }

    private Duration waitAfterFailure() {
        return Duration.between(clock.instant(), link.nextTry().orElseThrow());
    }

    private List<Request> usagePosts() {
        return received.stream().filter(r -> r.path().equals("/v1/usage")).toList();
    }

    @Test
    void failuresBackOffFromOneSecondDoublingUpToAMinute() {
        queue(1);
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            script.add(Answer.status(500, Map.of()));
            assertEquals(RemoteLink.Outcome.RETRY_LATER, link.sendOnce());
            waits.add(waitAfterFailure().toSeconds());
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L), waits);
        assertEquals("HTTP 500 from central Plutus: busy", outbox.counts().lastError());
        assertEquals(RemoteLink.Outcome.SENT, link.sendOnce());
        assertEquals(Optional.empty(), link.nextTry(), "a delivery ends the back-off");
        script.add(Answer.status(500, Map.of()));
        queue(1);
        link.sendOnce();
        assertEquals(Duration.ofSeconds(1), waitAfterFailure(), "and the next failure starts again from a second");
    }

    @Test
    void retryAfterInSecondsIsHonoured() {
        queue(1);
        script.add(Answer.status(429, Map.of("Retry-After", "120")));
        assertEquals(RemoteLink.Outcome.RETRY_LATER, link.sendOnce());
        assertEquals(Duration.ofSeconds(120), waitAfterFailure());
        script.add(Answer.status(503, Map.of("Retry-After", "7")));
        link.sendOnce();
        assertEquals(Duration.ofSeconds(7), waitAfterFailure(), "503 carries Retry-After too");
    }

    @Test
    void retryAfterAsAnHttpDateWaitsUntilThatTimeAndNoLonger() {
        queue(1);
        script.add(Answer.status(429, Map.of("Retry-After", "Tue, 24 Nov 2026 12:02:30 GMT")));
        link.flushDue();
        assertEquals(1, usagePosts().size());
        assertEquals(Optional.of(Instant.parse("2026-11-24T12:02:30Z")), link.nextTry());
        for (int s = 0; s < 149; s++) {
            clock.advance(Duration.ofSeconds(1));
            link.flushDue();   // the sender's once-a-second tick
        }
        assertEquals(1, usagePosts().size(), "no request before the date the central instance gave");
        clock.advance(Duration.ofSeconds(1));
        link.flushDue();
        assertEquals(2, usagePosts().size());
        assertEquals(0, outbox.counts().pending());
    }

    @Test
    void aRetryAfterDateAlreadyPastNeverMeansARetryEverySecond() {
        queue(1);
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            script.add(Answer.status(429, Map.of("Retry-After", "Tue, 24 Nov 2026 11:52:00 GMT")));
            link.sendOnce();
            waits.add(waitAfterFailure().toSeconds());
        }
        assertEquals(List.of(1L, 2L, 4L, 8L), waits, "a date already past on our clock: the back-off doubles, not once a second");
    }

    @Test
    void retryAfterIsHeldToASecondUpToAnHourAndAnUnreadableOneBacksOff() {
        assertEquals(Optional.of(Duration.ofSeconds(90)), RemoteLink.retryAfter("Tue, 24 Nov 2026 12:01:30 GMT", NOON));
        assertEquals(Optional.of(Duration.ofSeconds(5)), RemoteLink.retryAfter(" 5 ", NOON));
        assertEquals(Optional.of(RemoteLink.MIN_RETRY_AFTER), RemoteLink.retryAfter("0", NOON));
        assertEquals(Optional.empty(), RemoteLink.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", NOON), "a date past: the back-off decides");
        assertEquals(Optional.of(RemoteLink.MAX_RETRY_AFTER), RemoteLink.retryAfter("86400", NOON));
        assertEquals(Optional.of(RemoteLink.MAX_RETRY_AFTER), RemoteLink.retryAfter("99999999999999999999999", NOON));
        assertEquals(Optional.of(RemoteLink.MAX_RETRY_AFTER), RemoteLink.retryAfter("Fri, 01 Jan 2027 00:00:00 GMT", NOON));
        for (String unreadable : List.of("", "soon", "-5", "1.5", "2026-11-24T12:02:30Z", "Tue, 24 Nov 2026 25:00:00 GMT")) {
            assertEquals(Optional.empty(), RemoteLink.retryAfter(unreadable, NOON), unreadable);
        }

        queue(1);
        script.add(Answer.status(500, Map.of()));
        link.sendOnce();
        script.add(Answer.status(429, Map.of("Retry-After", "in a while")));
        assertEquals(RemoteLink.Outcome.RETRY_LATER, link.sendOnce());
        assertEquals(Duration.ofSeconds(2), waitAfterFailure(), "unreadable: the back-off goes on doubling");
        assertEquals("HTTP 429 from central Plutus: busy", outbox.counts().lastError());
        script.add(Answer.status(429, Map.of("Retry-After", "Tue, 24 Nov 2026 13:30:00 GMT")));
        link.sendOnce();
        assertEquals(Duration.ofHours(1), waitAfterFailure());
    }

    @Test
    void aRefusedEventIsSetAsideWithItsReasonAndTheRestAreSentAnew() throws Exception {
        queue(3);
        script.add(new Answer(400, Map.of(), "{\"error\":\"event 1: unknown provider 'nope'\"}"));
        assertEquals(RemoteLink.Outcome.REJECTED_ONE, link.sendOnce());
        assertEquals(List.of(new RemoteOutbox.Rejected("e1", "{\"n\":1}", "event 1: unknown provider 'nope'")), link.rejected());
        assertEquals(2, link.counts().pending());
        assertEquals(Optional.empty(), link.nextTry(), "a refusal is not a failure to wait out");
        script.add(Answer.ok("soft"));
        assertEquals(RemoteLink.Outcome.SENT, link.sendOnce());
        assertEquals(new RemoteVerdict(Level.SOFT, "central says soft", NOON), link.verdict(), "each answer carries the verdict");
        JsonNode resent = TestSupport.JSON.readTree(usagePosts().get(1).body());
        assertEquals("[{\"n\":0},{\"n\":2}]", resent.toString());
        assertNotEquals(usagePosts().get(0).idempotencyKey(), usagePosts().get(1).idempotencyKey(),
                "nothing of the refused batch was recorded, so the rest go as a new batch");
        assertEquals(new RemoteOutbox.Counts(0, 1, null, null), link.counts());
    }

    @Test
    void aBadRequestNamingNoEventBacksOffAndKeepsEverything() {
        queue(2);
        script.add(new Answer(400, Map.of(), "{\"error\":\"body is not a JSON array\"}"));
        assertEquals(RemoteLink.Outcome.RETRY_LATER, link.sendOnce());
        assertEquals(List.of(), link.rejected());
        assertEquals(2, link.counts().pending());
        assertEquals(Duration.ofSeconds(1), waitAfterFailure());
    }

    @Test
    void aDeliveryDrainsTheOutboxInBatchesThenReadsTheCentralVerdict() throws Exception {
        LlmCall call = new LlmCall("call-1", NOON.minusSeconds(5), "s1", "s1", "cron", null, null, "anthropic",
                "claude-sonnet-4-6", null, TokenUsage.of(1200, 340), false, 0, true, null, 900);
        assertTrue(link.enqueue(call, new BigDecimal("0.0123")));
        assertTrue(!link.enqueue(call, null), "an event id is queued once");
        queue(RemoteLink.BATCH);
        script.add(Answer.ok("ok"));
        script.add(Answer.ok("soft"));
        script.add(new Answer(200, Map.of(), "{\"budget\":{\"level\":\"hard\",\"message\":\"spent\"}}"));
        link.flushDue();
        assertEquals(0, link.counts().pending());
        assertEquals(List.of("POST /v1/usage", "POST /v1/usage", "GET /v1/budget"),
                received.stream().map(r -> r.method() + " " + r.path()).toList(), "1,001 events go as two batches");
        JsonNode first = TestSupport.JSON.readTree(usagePosts().get(0).body());
        assertEquals(RemoteLink.BATCH, first.size());
        assertEquals("{\"provider\":\"anthropic\",\"model\":\"claude-sonnet-4-6\",\"input_tokens\":1200,\"output_tokens\":340,"
                + "\"cache_read_tokens\":0,\"cache_write_tokens\":0,\"cache_write_1h_tokens\":0,\"reasoning_tokens\":0,"
                + "\"task_type\":\"cron\",\"workspace\":\"edge-1\",\"source\":\"plutus@edge\","
                + "\"timestamp\":\"2026-11-24T11:59:55Z\",\"cost_usd\":0.0123,\"session_id\":\"s1\"}", first.get(0).toString());
        assertEquals(1, TestSupport.JSON.readTree(usagePosts().get(1).body()).size());
        assertEquals("Bearer plutus_sk_test", usagePosts().get(0).authorization());
        assertEquals(new RemoteVerdict(Level.HARD, "spent", NOON), link.verdict());
    }

    @Test
    void aBatchKeepsItsIdempotencyKeyAcrossRetriesAndTheNextBatchGetsANewOne() {
        queue(2);
        script.add(Answer.status(500, Map.of()));
        script.add(Answer.status(429, Map.of("Retry-After", "3")));
        script.add(Answer.ok("ok"));
        assertEquals(RemoteLink.Outcome.RETRY_LATER, link.sendOnce());
        queue(1);   // arrives while the first batch is being retried: it waits for the next batch
        assertEquals(RemoteLink.Outcome.RETRY_LATER, link.sendOnce());
        assertEquals(RemoteLink.Outcome.SENT, link.sendOnce());
        assertEquals(RemoteLink.Outcome.SENT, link.sendOnce());
        List<Request> posts = usagePosts();
        assertEquals(4, posts.size());
        String key = posts.get(0).idempotencyKey();
        assertTrue(key.startsWith("plutus-remote-"), key);
        assertEquals(List.of(key, key, key), posts.subList(0, 3).stream().map(Request::idempotencyKey).toList());
        assertEquals(posts.get(0).body(), posts.get(2).body(), "a retry sends the same body");
        assertNotEquals(key, posts.get(3).idempotencyKey());
        assertEquals("[{\"n\":2}]", posts.get(3).body());
    }

    @Test
    void withNothingToSendTheVerdictIsRefreshedOnItsOwnSchedule() {
        script.add(new Answer(200, Map.of(), "{\"budget\":{\"level\":\"hard\",\"message\":\"spent\"}}"));
        link.flushDue();
        assertEquals(List.of("GET /v1/budget"), received.stream().map(r -> r.method() + " " + r.path()).toList());
        assertEquals(Level.HARD, link.verdict().level());
        clock.advance(Duration.ofSeconds(29));
        link.flushDue();
        assertEquals(1, received.size(), "read again only after verdictEvery");
        clock.advance(Duration.ofSeconds(1));
        link.flushDue();
        assertEquals(2, received.size());
        assertEquals(Level.OK, link.verdict().level());
    }
    @Test
    void aVerdictNeverReadTooOldOrNotComputedCentrallyIsUnknownNeverOk() {
        assertEquals(Level.UNKNOWN, link.verdict().level(), "before any answer there is no verdict, not an ok one");
        script.add(Answer.status(503, Map.of()));
        RemoteVerdict none = link.enforceable();
        assertEquals(Level.UNKNOWN, none.level());
        assertEquals("no budget verdict from the central Plutus yet (HTTP 503 from central Plutus: busy)", none.message());
        assertEquals(List.of("GET /v1/budget"), received.stream().map(r -> r.method() + " " + r.path()).toList(), "read on demand");
        assertEquals(Level.UNKNOWN, link.enforceable().level());
        assertEquals(1, received.size(), "a central that failed is asked again only after a gap, so hooks stay fast");

        clock.advance(RemoteLink.ON_DEMAND_GAP);
        script.add(Answer.ok("hard"));
        assertEquals(new RemoteVerdict(Level.HARD, "central says hard", clock.instant()), link.enforceable());
        clock.advance(Duration.ofSeconds(90));
        assertEquals(Level.HARD, link.enforceable().level(), "three refresh intervals old: still in force");
        assertEquals(2, received.size(), "a fresh verdict is not read again on demand");

        clock.advance(Duration.ofSeconds(1));
        script.add(Answer.status(503, Map.of()));
        RemoteVerdict stale = link.enforceable();
        assertEquals(Level.UNKNOWN, stale.level(), "the central instance has not been heard from: its last hard is not kept, nor taken for ok");
        assertEquals("the central Plutus's last budget verdict (hard, read 2026-11-24T12:00:05Z) is older than 90 s"
                + " (HTTP 503 from central Plutus: busy)", stale.message());

        clock.advance(RemoteLink.ON_DEMAND_GAP);
        script.add(new Answer(200, Map.of(), "{\"budget\":{\"level\":\"unknown\"}}"));
        assertEquals("the central Plutus could not compute the budget verdict", link.enforceable().message());
        clock.advance(RemoteLink.ON_DEMAND_GAP);
        script.add(new Answer(200, Map.of(), "{\"budget\":{}}"));
        assertEquals(Level.UNKNOWN, link.enforceable().level(), "an answer without a level says nothing");

        clock.advance(RemoteLink.ON_DEMAND_GAP);
        script.add(Answer.ok("ok"));
        assertEquals(Level.OK, link.enforceable().level());
    }
}
