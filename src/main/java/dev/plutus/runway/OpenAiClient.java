package dev.plutus.runway;

import dev.plutus.runway.ProviderException.Kind;
import java.net.http.HttpResponse;
import java.util.Set;

/** OpenAI has no balance API for API keys; a one-token probe reads the per-minute {@code x-ratelimit-*} headers. */
final class OpenAiClient implements ProviderClient {

    @Override
    public ProviderReading read(ProviderRequest r) throws ProviderException {
        ProviderHttp.requireKey(r);
        String body = ProviderHttp.probeBody(r.probeModel());
        HttpResponse<String> resp = ProviderHttp.exchange(r, ProviderHttp.postJson(r, "/chat/completions", body)
                .header("Authorization", "Bearer " + r.credential().secret()).build());
        RateLimitStatus limits = RateLimitHeaders.openAi(RateLimitHeaders.normalize(resp.headers().map()), resp.statusCode(),
                r.clock().instant());
        if (limits != null && (resp.statusCode() / 100 == 2 || resp.statusCode() == 429)) {
            return ProviderReading.ofLimits(limits);
        }
        ProviderHttp.requireOk(r, resp);
        throw new ProviderException(Kind.MALFORMED, "OpenAI answered without rate-limit headers");
    }

    @Override
    public Set<String> models(ProviderRequest r) throws ProviderException {
        ProviderHttp.requireKey(r);
        return ProviderHttp.ids(ProviderHttp.json(r, ProviderHttp.get(r, "/models")
                .header("Authorization", "Bearer " + r.credential().secret()).build()).path("data"), "id", null, "OpenAI /models");
    }
}
