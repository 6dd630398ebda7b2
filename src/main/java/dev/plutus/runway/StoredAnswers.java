package dev.plutus.runway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.Json;
import dev.plutus.provider.LiveBalance;
import dev.plutus.provider.ProviderAnswer;
import dev.plutus.provider.ProviderException;
import dev.plutus.provider.ProviderReading;
import dev.plutus.provider.RateLimitStatus;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A provider's answer as the store keeps it (JSON; never a key), and back. */
final class StoredAnswers {
    private StoredAnswers() {}

    static String write(ProviderAnswer a) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        if (a instanceof ProviderAnswer.Failed f) {
            o.put("failed", f.kind().name()).put("message", f.message());
        } else if (a instanceof ProviderAnswer.Ok ok) {
            o.put("key_env", ok.keyEnv());
            ok.reading().balance().ifPresent(b -> o.putObject("balance").put("remaining", b.remainingMicros()).put("limit", b.limitMicros())
                    .put("usage", b.usageMicros()).put("free_tier", b.freeTier()).put("available", b.available()).put("detail", b.detail()));
            ok.reading().limits().ifPresent(l -> {
                ObjectNode lo = o.putObject("limits").put("status", l.status()).put("retry_after", l.retryAfterSeconds());
                ArrayNode ws = lo.putArray("windows");
                for (RateLimitStatus.Window w : l.windows()) {
                    ws.addObject().put("name", w.name()).put("limit", w.limit()).put("remaining", w.remaining())
                            .put("utilization", w.utilization()).put("resets_at", w.resetsAt() == null ? null : w.resetsAt().toString())
                            .put("status", w.status());
                }
            });
        }
        return o.toString();
    }

    /** Empty when the text is not an answer this version wrote (then the provider is simply asked again). */
    static Optional<ProviderAnswer> read(String text, Instant at) {
        try {
            JsonNode o = Json.MAPPER.readTree(text);
            if (o.hasNonNull("failed")) {
                return Optional.of(new ProviderAnswer.Failed(ProviderException.Kind.valueOf(o.get("failed").asText()),
                        o.path("message").asText(""), at));
            }
            LiveBalance balance = null;
            JsonNode b = o.path("balance");
            if (b.isObject()) {
                balance = new LiveBalance(along(b, "remaining"), along(b, "limit"), along(b, "usage"), b.path("free_tier").asBoolean(),
                        b.path("available").asBoolean(true), b.path("detail").isNull() ? null : b.path("detail").asText());
            }
            RateLimitStatus limits = null;
            JsonNode l = o.path("limits");
            if (l.isObject()) {
                List<RateLimitStatus.Window> windows = new ArrayList<>();
                for (JsonNode w : l.path("windows")) {
                    windows.add(new RateLimitStatus.Window(w.path("name").asText(), along(w, "limit"), along(w, "remaining"),
                            w.hasNonNull("utilization") ? new BigDecimal(w.get("utilization").asText()) : null,
                            w.hasNonNull("resets_at") ? Instant.parse(w.get("resets_at").asText()) : null, text(w, "status")));
                }
                limits = new RateLimitStatus(text(l, "status"), windows, along(l, "retry_after"));
            }
            return Optional.of(new ProviderAnswer.Ok(new ProviderReading(Optional.ofNullable(balance), Optional.ofNullable(limits)), at,
                    text(o, "key_env")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Long along(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asLong() : null;
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}
