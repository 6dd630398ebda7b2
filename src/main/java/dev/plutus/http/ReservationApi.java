package dev.plutus.http;

import dev.plutus.core.Json;
import java.util.function.Supplier;
import java.time.ZoneId;
import dev.plutus.engine.Reservations;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.CallIntent;
import dev.plutus.core.Money;
import dev.plutus.budget.BudgetMessages;
import dev.plutus.budget.ReservationBook;
import dev.plutus.budget.Verdict;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.ingest.KeyRateLimiter;
import dev.plutus.store.ApiKey;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The pre-check for agents reporting over HTTP: {@code POST /v1/reservations} holds a call's
 * expected cost before it is made (or refuses it, when the budget is spent or held), {@code DELETE
 * /v1/reservations/{id}} gives it back, and a {@code /v1/usage} request naming it in a
 * {@code Plutus-Reservation} header ends it once the real cost is recorded. Authenticated by API key.
 */
final class ReservationApi {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final Set<String> FIELDS = Set.of("provider", "model", "input_tokens", "max_output_tokens");

    private final Reservations reservations;
    private final Supplier<ZoneId> zone;
    private final KeyGate gate;

    ReservationApi(Reservations reservations, Supplier<ZoneId> zone, ApiKeys keys, KeyRateLimiter limiter) {
        this.reservations = reservations;
        this.zone = zone;
        this.gate = new KeyGate(keys, limiter);
    }

    /** {@code POST /v1/reservations}: holds the call's expected cost, or says why not. */
    void hold(Context ctx) {
        ApiKey key = gate.admit(ctx, true);
        JsonNode body;
        try {
            body = JSON.readTree(HttpApi.readBody(ctx));
        } catch (java.io.IOException e) {
            throw HttpError.badRequest("body is not JSON: " + HttpApi.jsonProblem(e));
        }
        if (body == null || !body.isObject()) {
            throw HttpError.badRequest("body must be an object with provider, model, input_tokens, max_output_tokens");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw HttpError.badRequest("unknown field '" + f + "' (known: provider, model, input_tokens, max_output_tokens)");
            }
        });
        String provider = body.path("provider").asText("");
        if (provider.isBlank()) {
            throw HttpError.badRequest("field 'provider' is required");
        }
        long input = count(body, "input_tokens");
        Long maxOut = body.hasNonNull("max_output_tokens") ? count(body, "max_output_tokens") : null;
        String id = "res_" + UUID.randomUUID().toString().replace("-", "");
        ReservationBook.Outcome o = reservations.reserve(new CallIntent(internalId(key, id), null, "api", provider,
                body.path("model").isTextual() ? body.path("model").asText() : null, input, maxOut));
        ObjectNode answer = JSON.createObjectNode();
        ObjectNode budget = answer.putObject("budget").put("level", o.check().verdict().level().label());
        if (o.check().verdict() instanceof Verdict.Hard h) {
            budget.put("message", BudgetMessages.blockMessage(h.cause(), zone.get()));
        } else if (o.check().verdict() instanceof Verdict.Soft s) {
            budget.put("message", BudgetMessages.notice(s.cause(), zone.get()));
        } else if (o.check().verdict() instanceof Verdict.Unknown u) {
            budget.put("message", BudgetMessages.unknown(u.reason()));
        }
        if (o instanceof ReservationBook.Outcome.Admitted a) {
            answer.put("admitted", true).put("reservation_id", id).put("held_usd", Money.microsToUsd(a.micros()))
                    .put("expires_at", a.expiresAt().toString());
        } else {
            answer.put("admitted", false);
        }
        HttpApi.sendJson(ctx, 200, answer);
    }

    /** {@code DELETE /v1/reservations/{id}}: gives a hold back before its call is reported. */
    void release(Context ctx) {
        ApiKey key = gate.admit(ctx, true);
        String id = ctx.pathParam("id");
        if (!reservations.release(internalId(key, id))) {
            throw new HttpError(404, "no reservation " + id + " is held for this key (released, recorded or expired)");
        }
        ctx.status(204);
    }

    /** Ends the holds a /v1/usage request names in {@code Plutus-Reservation} (comma-separated), once its events are recorded. */
    void releaseNamed(ApiKey key, List<String> headers) {
        for (String h : headers) {
            for (String id : h.split(",")) {
                if (!id.isBlank()) {
                    reservations.release(internalId(key, id.strip()));
                }
            }
        }
    }

    /** Reservation ids are per key: one key cannot release another's hold. */
    private static String internalId(ApiKey key, String id) {
        return "v1:" + key.keyId() + ":" + id;
    }

    private static long count(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0 || v.asLong() > 100_000_000L) {
            throw HttpError.badRequest("field '" + field + "' must be a whole number from 0 to 100,000,000, got " + v);
        }
        return v.asLong();
    }
}
