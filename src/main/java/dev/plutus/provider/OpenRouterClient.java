package dev.plutus.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.provider.ProviderException.Kind;
import java.math.BigDecimal;
import java.util.Set;

/**
 * OpenRouter: the key's credit limit, remaining and usage from {@code GET /key}; for a key without
 * a limit, the account's credits from {@code GET /credits} (which needs a management key).
 */
final class OpenRouterClient implements ProviderClient {

    @Override
    public ProviderReading read(ProviderRequest r) throws ProviderException {
        ProviderHttp.requireKey(r);
        JsonNode data = ProviderHttp.json(r, authorized(r, "/key")).path("data");
        if (!data.isObject()) {
            throw new ProviderException(Kind.MALFORMED, "OpenRouter /key has no data object");
        }
        String what = "OpenRouter /key";
        BigDecimal limit = ProviderHttp.decimal(data, "limit", what);
        BigDecimal remaining = ProviderHttp.decimal(data, "limit_remaining", what);
        BigDecimal usage = ProviderHttp.decimal(data, "usage", what);
        boolean free = data.path("is_free_tier").asBoolean(false);
        Long usageMicros = usage == null ? null : ProviderHttp.micros(usage);
        String tier = free ? "free tier" : "paid";
        if (limit != null) {
            long left = remaining != null ? ProviderHttp.micros(remaining) : ProviderHttp.micros(limit) - (usageMicros == null ? 0 : usageMicros);
            String reset = data.path("limit_reset").isTextual() ? ", limit resets " + data.path("limit_reset").asText() : "";
            return ProviderReading.ofBalance(new LiveBalance(Math.max(0, left), ProviderHttp.micros(limit), usageMicros, free,
                    left > 0, "key limit" + reset + ", " + tier));
        }
        try {
            JsonNode credits = ProviderHttp.json(r, authorized(r, "/credits")).path("data");
            BigDecimal total = ProviderHttp.decimal(credits, "total_credits", "OpenRouter /credits");
            BigDecimal used = ProviderHttp.decimal(credits, "total_usage", "OpenRouter /credits");
            if (total == null || used == null) {
                throw new ProviderException(Kind.MALFORMED, "OpenRouter /credits lacks total_credits or total_usage");
            }
            long left = ProviderHttp.micros(total.subtract(used));
            return ProviderReading.ofBalance(new LiveBalance(left, ProviderHttp.micros(total), ProviderHttp.micros(used), free,
                    left > 0, "account credits, " + tier));
        } catch (ProviderException e) {
            if (e.kind() != Kind.FORBIDDEN && e.kind() != Kind.BAD_KEY) {
                throw e;
            }
            return ProviderReading.ofBalance(new LiveBalance(null, null, usageMicros, free, true,
                    "key has no credit limit; account credits need a management key, " + tier));
        }
    }

    @Override
    public Set<String> models(ProviderRequest r) throws ProviderException {
        ProviderHttp.requireKey(r);
        return ProviderHttp.ids(ProviderHttp.json(r, authorized(r, "/models")).path("data"), "id", null, "OpenRouter /models");
    }

    private static java.net.http.HttpRequest authorized(ProviderRequest r, String path) {
        return ProviderHttp.get(r, path).header("Authorization", "Bearer " + r.credential().secret()).build();
    }
}
