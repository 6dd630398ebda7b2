package dev.plutus.http;

import dev.plutus.ingest.ApiKeys;
import dev.plutus.ingest.IngestCounters;
import dev.plutus.ingest.KeyRateLimiter;
import dev.plutus.ingest.UsageAnswer;
import dev.plutus.ingest.UsageIngestor;
import dev.plutus.store.ApiKey;
import io.javalin.http.Context;
import java.util.Collections;
import java.util.List;

/**
 * {@code POST /v1/usage}: authenticated by API key (not the bridge's token), rate-limited per key,
 * bodies up to 1 MiB. Every answer after a 200 is sent only once the events are committed, so a
 * daemon killed right after answering has lost nothing it acknowledged.
 */
final class UsageApi {
    private final KeyGate gate;
    private final UsageIngestor ingestor;
    private final IngestCounters counters;

    private ReservationApi reservations;

    /** Requests naming reservations in {@code Plutus-Reservation} end those holds once recorded. */
    void endReservationsThrough(ReservationApi r) {
        this.reservations = r;
    }

    UsageApi(ApiKeys keys, KeyRateLimiter limiter, UsageIngestor ingestor, IngestCounters counters) {
        this.gate = new KeyGate(keys, limiter);
        this.ingestor = ingestor;
        this.counters = counters;
    }

    /** {@code GET /v1/budget}: the current verdict, for senders (Plutus in remote mode) that have nothing to send. */
    void budget(Context ctx) {
        gate.admit(ctx, false);
        HttpApi.sendJson(ctx, 200, ingestor.currentVerdict());
    }

    void usage(Context ctx) {
        ApiKey key = gate.admit(ctx, true);
        byte[] body = HttpApi.readBody(ctx);
        UsageAnswer answer = ingestor.handle(key, body, ctx.header("Idempotency-Key"));
        if (answer.replayed()) {
            ctx.header("Idempotent-Replayed", "true");
        }
        List<String> named = Collections.list(ctx.req().getHeaders("Plutus-Reservation"));
        if (answer.status() == 200 && reservations != null && !named.isEmpty()) {
            reservations.releaseNamed(key, named);
        }
        HttpApi.sendJson(ctx, answer.status(), answer.body());
    }

    /** After every {@code /v1/usage} request, refused ones included: its final status, for /metrics. */
    void count(Context ctx) {
        counters.request(ctx.statusCode());
    }
}
