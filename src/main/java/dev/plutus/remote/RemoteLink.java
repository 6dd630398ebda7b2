package dev.plutus.remote;

import dev.plutus.core.Json;
import dev.plutus.core.PlutusThreads;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.LlmCall;
import dev.plutus.budget.Level;
import dev.plutus.store.RemoteOutbox;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This host's side of remote mode: model calls go into a durable outbox in the local database (so
 * an accepted call survives the central instance being down, or this process dying), and a sender
 * delivers them in batches of up to 1,000, retrying with back-off until the central instance has
 * committed them. Each answer carries the central budget verdict, which this host then enforces.
 */
public final class RemoteLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteLink.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final Pattern LEGACY_EVENT_INDEX = Pattern.compile("^event (\\d+):");
    static final int BATCH = 1000;
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    /**
     * The range a central Retry-After is held to: at least a second, so "0" or a date already past
     * cannot make the sender spin; at most an hour, so a wrong clock or a typo cannot park it for days.
     */
    static final Duration MIN_RETRY_AFTER = Duration.ofSeconds(1);
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
    private static final Pattern DELTA_SECONDS = Pattern.compile("\\d+");

    private final RemoteSettings settings;
    private final RemoteOutbox outbox;
    private final Clock clock;
    private final HttpClient http;
    private volatile RemoteVerdict verdict = RemoteVerdict.UNKNOWN;
    private final Object lifecycle = new Object();
    private ScheduledExecutorService sender;
    private Instant nextTry = Instant.EPOCH;
    private Duration backoff = Duration.ZERO;
    private volatile Instant lastVerdictRead = Instant.EPOCH;
    /** When a verdict was last asked for on demand (a hook found none fresh), so a dead central is asked at most so often. */
    private final java.util.concurrent.atomic.AtomicReference<Instant> lastAskedOnDemand = new java.util.concurrent.atomic.AtomicReference<>(Instant.EPOCH);
    /** False once the central instance refused the session members as unknown (it predates them). */
    private volatile boolean centralTakesSessions = true;
    /** The central verdicts of this host's sessions, most recently asked last; bounded so a long-lived host cannot grow it. */
    private final java.util.Map<String, SessionVerdict> sessionVerdicts = new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, SessionVerdict> eldest) {
            return size() > SESSIONS_KEPT;
        }
    };
    static final int SESSIONS_KEPT = 1_000;
    /** How many of the most recently asked sessions an idle refresh reads again. */
    static final int SESSIONS_REFRESHED = 20;

    /**
     * A session's central verdict (null until read), when it was last read on demand, and when a hook
     * last needed it (the idle refresh keeps only those in use fresh).
     */
    private record SessionVerdict(RemoteSession session, RemoteVerdict verdict, Instant askedAt, Instant usedAt) {}

    /** Why the last attempt to hear from the central instance failed; null after an answer. */
    private volatile String lastProblem;

    public RemoteLink(RemoteSettings settings, RemoteOutbox outbox, Clock clock) {
        this.settings = settings;
        this.outbox = outbox;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    public RemoteSettings settings() {
        return settings;
    }

    /** The last verdict read from the central instance, however old ({@link RemoteVerdict#UNKNOWN} before any). */
    public RemoteVerdict verdict() {
        return verdict;
    }

    /** The least time between two on-demand reads of the verdict, so a dead central cannot slow every hook. */
    static final Duration ON_DEMAND_GAP = Duration.ofSeconds(5);
    /** How long a hook waits for an on-demand read (the bridge's own timeout is longer). */
    static final Duration ON_DEMAND_TIMEOUT = Duration.ofSeconds(2);

    /**
     * The verdict to enforce now: the last one read while it is younger than
     * {@link RemoteSettings#verdictMaxAge()}, else {@link dev.plutus.budget.Level#UNKNOWN} saying why,
     * never "ok" by default. With none fresh (or the last one unknown) it is read on demand (at most every
     * {@link #ON_DEMAND_GAP}): a one-shot process has no sender to read it, and a daemon's may be
     * waiting out a back-off.
     */
    public RemoteVerdict enforceable() {
        Instant now = clock.instant();
        RemoteVerdict last = verdict;
        if (!fresh(last, now) || last.level() == Level.UNKNOWN) {
            Instant asked = lastAskedOnDemand.get();
            if (Duration.between(asked, now).compareTo(ON_DEMAND_GAP) >= 0 && lastAskedOnDemand.compareAndSet(asked, now)) {
                readVerdict(ON_DEMAND_TIMEOUT);
            }
        }
        RemoteVerdict v = verdict;
        if (v.at() == null) {
            return RemoteVerdict.unknown("no budget verdict from the central Plutus yet" + problem(), null);
        }
        if (!fresh(v, now)) {
            return RemoteVerdict.unknown("the central Plutus's last budget verdict (" + v.level().label() + ", read " + v.at()
                    + ") is older than " + settings.verdictMaxAge().toSeconds() + " s" + problem(), v.at());
        }
        if (v.level() == Level.UNKNOWN && v.message() == null) {
            return RemoteVerdict.unknown("the central Plutus could not compute the budget verdict", v.at());
        }
        return v;
    }

    /**
     * The verdict to enforce for one session: the worse of {@link #enforceable()} and the session's own,
     * which the central instance computes over every scope the session spends into (its root session,
     * cron job and sender as this host reported them). The session's is read on demand when none is
     * fresh (at most every {@link #ON_DEMAND_GAP}), and kept fresh by the sender while the session is
     * active; without a fresh one the verdict is unknown, never the host-wide "ok".
     */
    public RemoteVerdict enforceable(RemoteSession session) {
        RemoteVerdict global = enforceable();
        String sessionId = session == null ? null : session.sessionId();
        if (sessionId == null || sessionId.isBlank() || !askable(session) || !centralTakesSessions
                || global.level() == Level.HARD || global.level() == Level.UNKNOWN) {
            return global;
        }
        Instant now = clock.instant();
        SessionVerdict known = usedNow(session, now);
        if (known.verdict() == null || !fresh(known.verdict(), now)) {
            if (Duration.between(known.askedAt(), now).compareTo(ON_DEMAND_GAP) >= 0) {
                synchronized (sessionVerdicts) {
                    SessionVerdict k = sessionVerdicts.get(sessionId);
                    sessionVerdicts.put(sessionId, new SessionVerdict(session, k == null ? null : k.verdict(), now, now));
                }
                readSessionVerdict(session, ON_DEMAND_TIMEOUT);
            }
            known = sessionVerdict(sessionId);
        }
        RemoteVerdict v = known == null ? null : known.verdict();
        if (v == null || !fresh(v, now)) {
            return RemoteVerdict.unknown("no fresh budget verdict for session " + sessionId + " from the central Plutus" + problem(),
                    v == null ? null : v.at());
        }
        if (v.level() == Level.UNKNOWN) {
            return RemoteVerdict.unknown(v.message() != null ? v.message()
                    : "the central Plutus could not compute the budget verdict of session " + sessionId, v.at());
        }
        return v.level().compareTo(global.level()) > 0 ? v : global;
    }

    private SessionVerdict sessionVerdict(String sessionId) {
        synchronized (sessionVerdicts) {
            return sessionVerdicts.get(sessionId);
        }
    }

    /** Marks the session as needed now and returns what is known of it. */
    private SessionVerdict usedNow(RemoteSession session, Instant now) {
        synchronized (sessionVerdicts) {
            SessionVerdict k = sessionVerdicts.get(session.sessionId());
            SessionVerdict used = k == null ? new SessionVerdict(session, null, Instant.EPOCH, now)
                    : new SessionVerdict(session, k.verdict(), k.askedAt(), now);
            sessionVerdicts.put(session.sessionId(), used);
            return used;
        }
    }

    /** Keeps a verdict read for the session (an answer may name a session no hook has asked about yet). */
    private void keepSessionVerdict(String sessionId, RemoteVerdict verdict) {
        synchronized (sessionVerdicts) {
            SessionVerdict k = sessionVerdicts.get(sessionId);
            sessionVerdicts.put(sessionId, k == null
                    ? new SessionVerdict(new RemoteSession(sessionId, null, null, null), verdict, Instant.EPOCH, Instant.EPOCH)
                    : new SessionVerdict(k.session(), verdict, k.askedAt(), k.usedAt()));
        }
    }

    /** Whether every member fits what the central instance takes in a query. */
    private static boolean askable(RemoteSession s) {
        return java.util.stream.Stream.of(s.sessionId(), s.rootSessionId(), s.cronJobId(), s.senderId())
                .allMatch(v -> v == null || v.length() <= SESSION_TEXT_MAX);
    }

    /** {@code GET /v1/budget?session_id=…&root_session_id=…&cron_job_id=…&sender=…}. */
    private void readSessionVerdict(RemoteSession session, Duration timeout) {
        String sessionId = session.sessionId();
        StringBuilder query = new StringBuilder("/v1/budget?session_id=").append(URLEncoder.encode(sessionId, StandardCharsets.UTF_8));
        String[][] more = {{"root_session_id", session.rootSessionId()}, {"cron_job_id", session.cronJobId()}, {"sender", session.senderId()}};
        for (String[] m : more) {
            if (m[1] != null && !m[1].isBlank()) {
                query.append('&').append(m[0]).append('=').append(URLEncoder.encode(m[1], StandardCharsets.UTF_8));
            }
        }
        try {
            URI uri = settings.endpoint(query.toString());
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Authorization", "Bearer " + settings.apiKey()).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                lastProblem = "HTTP " + r.statusCode() + " from central Plutus: " + errorOf(r.body());
                return;
            }
            parseVerdict(JSON.readTree(r.body()).path("budget")).ifPresent(v -> keepSessionVerdict(sessionId, v));
        } catch (IOException e) {
            lastProblem = "central Plutus unreachable: " + e;
            LOG.debug("session verdict not read: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The sessions asked about most recently, newest first, for the idle refresh. */
    private List<String> recentSessions(int n) {
        synchronized (sessionVerdicts) {
            List<String> all = new java.util.ArrayList<>(sessionVerdicts.keySet());
            java.util.Collections.reverse(all);
            return List.copyOf(all.subList(0, Math.min(n, all.size())));
        }
    }

    private boolean fresh(RemoteVerdict v, Instant now) {
        return v.at() != null && Duration.between(v.at(), now).compareTo(settings.verdictMaxAge()) <= 0;
    }

    private String problem() {
        String p = lastProblem;
        return p == null ? "" : " (" + p + ")";
    }

    /** Queues the call for the central instance; false when its event id is queued already. */
    public boolean enqueue(LlmCall call, java.math.BigDecimal reportedCostUsd) {
        return outbox.add(call.eventId(), body(call, reportedCostUsd).toString(), clock.instant());
    }

    ObjectNode body(LlmCall c, java.math.BigDecimal reportedCostUsd) {
        ObjectNode o = JSON.createObjectNode().put("provider", c.provider()).put("model", c.model())
                .put("input_tokens", c.usage().input()).put("output_tokens", c.usage().output())
                .put("cache_read_tokens", c.usage().cacheRead()).put("cache_write_tokens", c.usage().cacheWrite())
                .put("cache_write_1h_tokens", c.usage().cacheWrite1h()).put("reasoning_tokens", c.usage().reasoning())
                .put("task_type", c.platform() == null || c.platform().isBlank() ? "general" : c.platform())
                .put("workspace", settings.workspace()).put("source", settings.source())
                .put("timestamp", c.timestamp().toString());
        if (reportedCostUsd != null) {
            o.put("cost_usd", reportedCostUsd);
        }
        putSession(o, c);
        return o;
    }

    /**
     * Who made the call, so the central instance can enforce session, cron job and sender budgets. Left
     * out when a value would be refused there (over its length limit): the call still counts globally.
     */
    private static void putSession(ObjectNode o, LlmCall c) {
        if (c.sessionId() == null || c.sessionId().isBlank()) {
            return;
        }
        String[][] members = {{"session_id", c.sessionId()}, {"root_session_id", c.rootSessionId()},
                {"cron_job_id", c.cronJobId()}, {"sender", c.senderId()}};
        for (String[] m : members) {
            if (m[1] != null && m[1].length() > SESSION_TEXT_MAX) {
                LOG.warn("call {}: {} is longer than {} characters; sent without its session", c.eventId(), m[0], SESSION_TEXT_MAX);
                return;
            }
        }
        for (String[] m : members) {
            // A session that is its own root says nothing more by naming it.
            if (m[1] != null && !m[1].isBlank() && !(m[0].equals("root_session_id") && m[1].equals(c.sessionId()))) {
                o.put(m[0], m[1]);
            }
        }
    }

    /** The session members, which a central Plutus from before they existed refuses as unknown fields. */
    static final List<String> SESSION_MEMBERS = List.of("session_id", "root_session_id", "cron_job_id", "sender");
    /** The longest text a central Plutus takes in one member. */
    static final int SESSION_TEXT_MAX = 200;

    /** Starts the background sender (the daemon and long-running hosts; a one-shot CLI leaves sending to them). */
    public void start() {
        synchronized (lifecycle) {
            startSender();
        }
    }

    private void startSender() {
        if (sender != null) {
            return;
        }
        sender = Executors.newSingleThreadScheduledExecutor(PlutusThreads.named("remote"));
        long ms = settings.flushEvery().toMillis();
        sender.scheduleWithFixedDelay(PlutusThreads.guarded("remote send", this::flushDue), 0, ms, TimeUnit.MILLISECONDS);
    }

    /** What one send attempt did. */
    public enum Outcome { NOTHING_TO_SEND, SENT, REJECTED_ONE, RETRY_LATER, WAITING }

    /** Sends while there is something queued and the back-off allows; refreshes the verdict when idle. */
    synchronized void flushDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextTry)) {
            return;
        }
        Outcome o;
        int rounds = 0;
        do {
            o = sendOnce();
        } while ((o == Outcome.SENT || o == Outcome.REJECTED_ONE) && ++rounds < 50);
        if (o == Outcome.NOTHING_TO_SEND && Duration.between(lastVerdictRead, now).compareTo(settings.verdictEvery()) >= 0) {
            refreshVerdict();
        }
    }

    /** One batch, now, whatever the back-off says (tests and shutdown use it). */
    public synchronized Outcome sendOnce() {
        RemoteOutbox.Batch b = outbox.next(BATCH);
        if (b.isEmpty()) {
            return Outcome.NOTHING_TO_SEND;
        }
        ArrayNode body = JSON.createArrayNode();
        try {
            for (String s : b.bodies()) {
                JsonNode event = JSON.readTree(s);
                if (!centralTakesSessions && event instanceof ObjectNode eo) {
                    eo.remove(SESSION_MEMBERS);
                }
                body.add(event);
            }
        } catch (IOException e) {
            throw new IllegalStateException("an outbox row is not JSON", e);
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(HttpRequest.newBuilder(settings.endpoint("/v1/usage")).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + settings.apiKey()).header("Content-Type", "application/json")
                    .header("Idempotency-Key", b.key()).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            lastProblem = "central Plutus unreachable: " + e;
            return later(b, "central Plutus unreachable: " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return later(b, "interrupted", null);
        }
        int code = resp.statusCode();
        if (code == 200) {
            outbox.confirm(b);
            readVerdict(resp.body());
            backoff = Duration.ZERO;
            nextTry = Instant.EPOCH;
            return Outcome.SENT;
        }
        String error = errorOf(resp.body());
        if (code == 400 && centralTakesSessions && SESSION_MEMBERS.stream().anyMatch(m -> error.contains("unknown field '" + m + "'"))) {
            // An older central Plutus: send without the session members rather than set every event aside.
            LOG.warn("the central Plutus does not take session members (older version); session, cron job and sender budgets"
                    + " are not enforced centrally until it is upgraded");
            centralTakesSessions = false;
            return Outcome.REJECTED_ONE;
        }
        if (code == 400) {
            int index = refusedEvent(resp.body());
            if (index >= 0 && index < b.ids().size()) {
                // Nothing of a 400 body is recorded centrally: set the bad event aside, send the rest anew.
                LOG.warn("central Plutus refused an event (kept in remote_outbox with the reason): {}", error);
                outbox.reject(b, index, error);
                return Outcome.REJECTED_ONE;
            }
        }
        Duration wait = switch (code) {
            case 401, 403 -> Duration.ofMinutes(1);
            case 402 -> Duration.ofMinutes(5);
            case 429, 503 -> resp.headers().firstValue("Retry-After").flatMap(v -> retryAfter(v, clock.instant())).orElse(null);
            default -> null;
        };
        return later(b, "HTTP " + code + " from central Plutus: " + error, wait);
    }

    private Outcome later(RemoteOutbox.Batch b, String error, Duration wait) {
        lastProblem = error;
        outbox.failed(b, error);
        backoff = wait != null ? wait : backoff.isZero() ? Duration.ofSeconds(1) : min(backoff.multipliedBy(2), MAX_BACKOFF);
        nextTry = clock.instant().plus(backoff);
        LOG.warn("remote send of {} event(s) deferred {} s: {}", b.ids().size(), backoff.toSeconds(), error);
        return Outcome.RETRY_LATER;
    }

    /**
     * How long a {@code Retry-After} value asks to wait from {@code now} (RFC 9110 §10.2.3: delta-seconds
     * or an IMF-fixdate), held to {@link #MIN_RETRY_AFTER}..{@link #MAX_RETRY_AFTER}; empty when it is
     * neither, and the caller backs off as for any other failure.
     */
    static Optional<Duration> retryAfter(String value, Instant now) {
        String v = value.trim();
        Duration wait;
        if (DELTA_SECONDS.matcher(v).matches()) {
            // More digits than a long holds is still "a very long time", not an unreadable answer.
            wait = v.length() > 12 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(v));
        } else {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                if (wait.isNegative() || wait.isZero()) {
                    // A date already past says nothing about when to come back (clocks disagree): back off
                    // as for any failure, so it never becomes a retry every second.
                    return Optional.empty();
                }
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        return Optional.of(wait.compareTo(MIN_RETRY_AFTER) < 0 ? MIN_RETRY_AFTER : min(wait, MAX_RETRY_AFTER));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void refreshVerdict() {
        lastVerdictRead = clock.instant();
        readVerdict(Duration.ofSeconds(10));
        if (centralTakesSessions) {
            for (String session : recentSessions(SESSIONS_REFRESHED)) {
                SessionVerdict known = sessionVerdict(session);
                // Only sessions whose hooks asked lately: a finished conversation is not read forever.
                if (known != null && Duration.between(known.usedAt(), clock.instant()).compareTo(settings.verdictMaxAge()) <= 0) {
                    readSessionVerdict(known.session(), Duration.ofSeconds(10));
                }
            }
        }
    }

    /** {@code GET /v1/budget}; what went wrong is kept for the unknown verdict's reason. */
    private void readVerdict(Duration timeout) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(settings.endpoint("/v1/budget")).timeout(timeout)
                    .header("Authorization", "Bearer " + settings.apiKey()).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                readVerdict(r.body());
            } else {
                lastProblem = "HTTP " + r.statusCode() + " from central Plutus: " + errorOf(r.body());
            }
        } catch (IOException e) {
            lastProblem = "central Plutus unreachable: " + e;
            LOG.debug("remote verdict not refreshed: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readVerdict(String body) {
        try {
            JsonNode answer = JSON.readTree(body);
            Optional<RemoteVerdict> v = parseVerdict(answer.path("budget"));
            if (v.isEmpty()) {
                lastProblem = "central Plutus answered without a budget verdict";
                return;
            }
            verdict = v.get();
            lastProblem = null;
            answer.path("sessions").properties().forEach(
                    e -> parseVerdict(e.getValue()).ifPresent(sv -> keepSessionVerdict(e.getKey(), sv)));
        } catch (IOException | IllegalArgumentException e) {
            lastProblem = "central Plutus answered without a readable budget verdict";
            LOG.warn("central Plutus answered without a readable budget verdict");
        }
    }

    /** A {@code budget} member as a verdict read now; empty when it is not one. */
    private Optional<RemoteVerdict> parseVerdict(JsonNode b) {
        if (!b.isObject()) {
            return Optional.empty();
        }
        // No level is not "ok": a central Plutus that answers without one has said nothing.
        Level level;
        try {
            level = Level.valueOf(b.path("level").asText("unknown").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            level = Level.UNKNOWN;
        }
        return Optional.of(new RemoteVerdict(level, b.path("message").isTextual() ? b.path("message").asText() : null, clock.instant()));
    }

    /**
     * The index of the one event a 400 refuses, -1 when it names none: the answer's {@code event_index}
     * (null when the problem is with the body as a whole). A central Plutus from before that member
     * existed names the event only in its message ("event 3: ..."), which is read then and only then.
     */
    static int refusedEvent(String body) {
        JsonNode n;
        try {
            n = JSON.readTree(body == null ? "" : body);
        } catch (IOException e) {
            return -1;
        }
        if (n == null || !n.isObject()) {
            return -1;
        }
        if (n.has("event_index")) {
            JsonNode i = n.get("event_index");
            return i.isIntegralNumber() && i.canConvertToInt() ? i.intValue() : -1;
        }
        Matcher m = LEGACY_EVENT_INDEX.matcher(n.path("error").asText(""));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static String errorOf(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n.path("error").asText(body);
        } catch (IOException e) {
            return body == null ? "" : body.length() > 200 ? body.substring(0, 200) : body;
        }
    }

    public RemoteOutbox.Counts counts() {
        return outbox.counts();
    }

    public List<RemoteOutbox.Rejected> rejected() {
        return outbox.rejected();
    }

    public Optional<Instant> nextTry() {
        return nextTry.equals(Instant.EPOCH) ? Optional.empty() : Optional.of(nextTry);
    }

    /** Stops the sender; what is queued stays in the outbox for the next start. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (sender != null) {
                sender.shutdownNow();
                sender = null;
            }
        }
    }
}
