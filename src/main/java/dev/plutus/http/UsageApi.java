package dev.plutus.http;

import com.sun.net.httpserver.HttpExchange;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.ingest.IngestCounters;
import dev.plutus.ingest.KeyRateLimiter;
import dev.plutus.ingest.UsageAnswer;
import dev.plutus.ingest.UsageIngestor;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/usage}: authenticated by API key (not the bridge's token), rate-limited per key,
 * bodies up to 1 MiB. Every answer after a 200 is sent only once the events are committed, so a
 * daemon killed right after answering has lost nothing it acknowledged.
 */
final class UsageApi {
    private static final Logger LOG = LoggerFactory.getLogger(UsageApi.class);

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
    void budget(HttpExchange ex) {
        try {
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().add("Allow", "GET");
                HttpApi.sendError(ex, 405, "/v1/budget takes GET");
                return;
            }
            if (gate.admit(ex, false).key() == null) {
                return;
            }
            HttpApi.sendJson(ex, 200, ingestor.currentVerdict());
        } catch (IOException | RuntimeException e) {
            LOG.warn("/v1/budget failed: {}", e, e);
            HttpApi.quietly(() -> HttpApi.sendError(ex, 500, "internal error: " + e.getMessage()));
        } finally {
            ex.close();
        }
    }

    void handle(HttpExchange ex) {
        int status = 500;
        try {
            if (!"POST".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().add("Allow", "POST");
                HttpApi.sendError(ex, status = 405, "/v1/usage takes POST");
                return;
            }
            KeyGate.Admission admission = gate.admit(ex, true);
            if (admission.key() == null) {
                status = admission.refusedWith();
                return;
            }
            var key = admission.key();
            byte[] body = HttpApi.readBody(ex);
            UsageAnswer answer = ingestor.handle(key, body, ex.getRequestHeaders().getFirst("Idempotency-Key"));
            if (answer.replayed()) {
                ex.getResponseHeaders().add("Idempotent-Replayed", "true");
            }
            List<String> named = ex.getRequestHeaders().getOrDefault("Plutus-Reservation", List.of());
            if (answer.status() == 200 && reservations != null && !named.isEmpty()) {
                reservations.releaseNamed(key, named);
            }
            HttpApi.sendJson(ex, status = answer.status(), answer.body());
        } catch (HttpApi.BodyTooLarge e) {
            HttpApi.quietly(() -> HttpApi.sendError(ex, 413, "request body over " + HttpApi.MAX_BODY_BYTES + " bytes"));
            status = 413;
        } catch (dev.plutus.store.StoreException e) {
            // Nothing of the request is acknowledged: the sender keeps its events and retries them.
            LOG.warn("/v1/usage: store unavailable: {}", e, e);
            ex.getResponseHeaders().add("X-Plutus-Error", "store unavailable");
            HttpApi.quietly(() -> HttpApi.sendError(ex, 503, "store unavailable: " + e.getMessage()));
            status = 503;
        } catch (IOException | RuntimeException e) {
            LOG.warn("/v1/usage failed: {}", e, e);
            HttpApi.quietly(() -> HttpApi.sendError(ex, 500, "internal error: " + e.getMessage()));
        } finally {
            counters.request(status);
            ex.close();
        }
    }
}
