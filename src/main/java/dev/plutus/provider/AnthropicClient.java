package dev.plutus.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Anthropic has no balance API; its rate-limit headers (per-minute limits for API keys, 5-hour and
 * 7-day utilization for subscription tokens) come back on any Messages call, so a one-token probe
 * reads them. Models from {@code GET /v1/models}, following pages.
 */
final class AnthropicClient implements ProviderClient {
    private static final String VERSION = "2023-06-01";

    @Override
    public ProviderReading read(ProviderRequest r) throws ProviderException {
        ProviderHttp.requireKey(r);
        return ProviderHttp.probeLimits(r, auth(r, ProviderHttp.postJson(r, "/v1/messages", ProviderHttp.probeBody(r.probeModel()))).build(),
                RateLimitHeaders::anthropic, "Anthropic");
    }

    @Override
    public Set<String> models(ProviderRequest r) throws ProviderException {
        ProviderHttp.requireKey(r);
        Set<String> out = new LinkedHashSet<>();
        String after = null;
        for (int page = 0; page < 50; page++) {
            String path = "/v1/models?limit=1000" + (after == null ? "" : "&after_id=" + java.net.URLEncoder.encode(after,
                    java.nio.charset.StandardCharsets.UTF_8));
            JsonNode body = ProviderHttp.json(r, auth(r, ProviderHttp.get(r, path)).build());
            out.addAll(ProviderHttp.ids(body.path("data"), "id", null, "Anthropic /v1/models"));
            String last = body.path("last_id").asText("");
            if (!body.path("has_more").asBoolean(false) || last.isEmpty() || last.equals(after)) {
                break;
            }
            after = last;
        }
        return out;
    }

    private static HttpRequest.Builder auth(ProviderRequest r, HttpRequest.Builder b) {
        b.header("anthropic-version", VERSION);
        if (r.credential().isOAuthToken()) {
            return b.header("Authorization", "Bearer " + r.credential().secret()).header("anthropic-beta", "oauth-2025-04-20");
        }
        return b.header("x-api-key", r.credential().secret());
    }
}
