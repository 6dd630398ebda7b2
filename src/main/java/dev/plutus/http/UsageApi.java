package dev.plutus.http;

import dev.plutus.ingest.ApiKeys;
import dev.plutus.ingest.GenAiWrappers;
import dev.plutus.ingest.OtlpExport;
import dev.plutus.ingest.OtlpSpan;
import dev.plutus.ingest.OtlpTraceReader;
import dev.plutus.ingest.UsageRejected;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import dev.plutus.ingest.IngestCounters;
import dev.plutus.ingest.KeyRateLimiter;
import dev.plutus.ingest.UsageAnswer;
import dev.plutus.ingest.UsageEvent;
import dev.plutus.ingest.UsageEventParser;
import dev.plutus.ingest.UsageIngestor;
import dev.plutus.store.ApiKey;
import io.javalin.http.Context;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /v1/usage}: authenticated by API key (not the bridge's token), rate-limited per key in
 * requests and in events, bodies up to 1 MiB. Every answer after a 200 is sent only once the events
 * are committed, so a daemon killed right after answering has lost nothing it acknowledged. Only a
 * few bodies are parsed and recorded at once ({@link HttpLimits#ingestSlots()}): the rest are told
 * to come back (503, Retry-After) rather than piling up in memory and in the store's write queue,
 * where hook writes wait behind them.
 */
final class UsageApi {
    private final KeyGate gate;
    private final UsageIngestor ingestor;
    private final IngestCounters counters;
    private final KeyRateLimiter events;
    private final Semaphore slots;
    private final StoreHealth storeHealth;
    /** Spans known to wrap GenAI spans, across exports: an agent's span is not counted beside the calls inside it. */
    private final GenAiWrappers wrappers;
    /** Told after calls may have been recorded (the verdict snapshot is then due again). */
    private volatile Runnable recorded = () -> { };

    private ReservationApi reservations;

    /** Requests naming reservations in {@code Plutus-Reservation} end those holds once recorded. */
    void endReservationsThrough(ReservationApi r) {
        this.reservations = r;
    }

    /** {@code listener} runs after each request that may have recorded calls, on the thread that answered it. */
    void onRecorded(Runnable listener) {
        recorded = listener;
    }

    UsageApi(ApiKeys keys, KeyRateLimiter limiter, KeyRateLimiter events, UsageIngestor ingestor, IngestCounters counters,
            int ingestSlots, int handlerThreads, StoreHealth storeHealth) {
        this.storeHealth = storeHealth;
        this.gate = new KeyGate(keys, limiter);
        this.events = events;
        this.ingestor = ingestor;
        this.counters = counters;
        this.slots = new Semaphore(ingestSlots);
        this.wrappers = new GenAiWrappers(ingestor.settings().otlp(), counters, handlerThreads);
    }

    /** {@code GET /v1/budget}: the current verdict, for senders (Plutus in remote mode) that have nothing to send. */
    void budget(Context ctx) {
        gate.admit(ctx, false);
        String session = ctx.queryParam("session_id");
        if (session == null) {
            HttpApi.sendJson(ctx, 200, ingestor.currentVerdict());
            return;
        }
        String[] values = new String[4];
        String[] names = {"session_id", "root_session_id", "cron_job_id", "sender"};
        for (int i = 0; i < names.length; i++) {
            String v = ctx.queryParam(names[i]);
            if (v != null && (v.isBlank() || v.length() > UsageEventParser.MAX_TEXT)) {
                throw new HttpError(400, names[i] + " must be 1 to " + UsageEventParser.MAX_TEXT + " characters");
            }
            values[i] = v;
        }
        HttpApi.sendJson(ctx, 200, ingestor.sessionVerdict(new UsageEvent.SessionFacts(values[0], values[1], values[2], values[3])));
    }

    void usage(Context ctx) throws InterruptedException {
        ApiKey key = gate.admit(ctx, true);
        long wait = events.available(key.keyId());
        if (wait > 0) {
            throw new HttpError(429, "event rate limit for key " + key.keyId() + " exceeded; retry after " + wait + " s",
                    Map.of("Retry-After", Long.toString(wait)));
        }
        if (!slots.tryAcquire(HttpLimits.INGEST_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new HttpError(503, "busy recording other batches; retry after 1 s", Map.of("Retry-After", "1"));
        }
        UsageAnswer answer;
        try {
            byte[] body = HttpApi.readBody(ctx);
            answer = ingestor.handle(key, body, ctx.header("Idempotency-Key"));
        } finally {
            slots.release();
            recorded.run();
        }
        events.charge(key.keyId(), answer.status() == 200 && answer.body().has("results") ? answer.body().get("results").size() : 1);
        if (answer.status() == 200) {
            storeHealth.succeeded();
        }
        if (answer.replayed()) {
            ctx.header("Idempotent-Replayed", "true");
        }
        List<String> named = Collections.list(ctx.req().getHeaders("Plutus-Reservation"));
        if (answer.status() == 200 && reservations != null && !named.isEmpty()) {
            reservations.releaseNamed(key, named);
        }
        HttpApi.sendJson(ctx, answer.status(), answer.body());
    }

    /**
     * {@code POST /v1/traces}: OTLP/HTTP trace export (protobuf or JSON, gzip or not). Spans that follow
     * the GenAI conventions become calls, as {@code /v1/usage} events would (same key, limits, budgets);
     * other spans are passed over. The answer follows OTLP: 200 with a partial success naming how many
     * model-call spans were rejected and why; 400 only for a body that is not an export at all. An export
     * holding a span that may wrap others waits for their exports first ({@link GenAiWrappers}), and
     * answers 200 only once all it carries is recorded.
     */
    void traces(Context ctx) throws InterruptedException {
        ApiKey key = gate.admit(ctx, true);
        long wait = events.available(key.keyId());
        if (wait > 0) {
            throw new HttpError(429, "event rate limit for key " + key.keyId() + " exceeded; retry after " + wait + " s",
                    Map.of("Retry-After", Long.toString(wait)));
        }
        String type = java.util.Objects.requireNonNullElse(ctx.contentType(), "").toLowerCase(java.util.Locale.ROOT);
        boolean json = type.startsWith("application/json");
        if (!json && !type.startsWith("application/x-protobuf")) {
            throw new HttpError(415, "Content-Type must be application/x-protobuf or application/json (OTLP/HTTP), not '"
                    + (type.isEmpty() ? "none" : type) + "'");
        }
        String encoding = java.util.Objects.requireNonNullElse(ctx.header("Content-Encoding"), "identity").strip();
        boolean gzip = encoding.equalsIgnoreCase("gzip");
        if (!gzip && !encoding.equalsIgnoreCase("identity")) {
            throw new HttpError(415, "Content-Encoding must be gzip or none, not '" + encoding + "'");
        }
        if (!slots.tryAcquire(HttpLimits.INGEST_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new HttpError(503, "busy recording other batches; retry after 1 s", Map.of("Retry-After", "1"));
        }
        boolean holding = true;
        List<String> rejections;
        int counted;
        OtlpExport export = null;
        try {
            byte[] body = OtlpTraceReader.expand(HttpApi.readBody(ctx), gzip);
            List<OtlpSpan> spans = json ? OtlpTraceReader.json(body) : OtlpTraceReader.protobuf(body);
            export = OtlpExport.open(wrappers, ingestor, key, spans);
            export.record();
            if (export.undecided()) {
                // Its other calls are committed; the spans that may wrap others wait for their children without
                // holding a slot, which those children's exports need.
                slots.release();
                holding = false;
                recorded.run();
                if (!export.await()) {
                    throw new HttpError(503, "spans of this export wait for spans another export is still recording; retry after 1 s",
                            Map.of("Retry-After", "1"));
                }
                // More patient than a new request: its decisions are made, and given up if it cannot record them.
                if (!slots.tryAcquire(GenAiWrappers.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new HttpError(503, "busy recording other batches; retry after 1 s", Map.of("Retry-After", "1"));
                }
                holding = true;
                export.record();
            }
            rejections = export.rejections();
            counted = export.counted();
        } catch (UsageRejected e) {
            throw HttpError.badRequest(e.getMessage());
        } finally {
            if (export != null) {
                export.close();
            }
            if (holding) {
                slots.release();
            }
            recorded.run();
        }
        // Model calls count against the key's event rate, as /v1/usage events do; an app's other spans pass over free.
        events.charge(key.keyId(), Math.max(1, counted));
        storeHealth.succeeded();
        String message = rejections.isEmpty() ? "" : rejections.get(0)
                + (rejections.size() > 1 ? " (and " + (rejections.size() - 1) + " more rejected)" : "");
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode answer = dev.plutus.core.Json.MAPPER.createObjectNode();
            if (!rejections.isEmpty()) {
                // OTLP/JSON writes 64-bit integers as strings, as protobuf's JSON mapping does.
                answer.putObject("partialSuccess").put("rejectedSpans", Integer.toString(rejections.size())).put("errorMessage", message);
            }
            HttpApi.sendJson(ctx, 200, answer);
            return;
        }
        ExportTraceServiceResponse.Builder answer = ExportTraceServiceResponse.newBuilder();
        if (!rejections.isEmpty()) {
            answer.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(rejections.size()).setErrorMessage(message));
        }
        HttpApi.send(ctx, 200, "application/x-protobuf", answer.build().toByteArray());
    }

    /** After every {@code /v1/usage} request, refused ones included: its final status, for /metrics. */
    void count(Context ctx) {
        counters.request(ctx.statusCode());
    }
}
