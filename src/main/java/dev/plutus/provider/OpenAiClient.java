package dev.plutus.provider;

import java.util.Set;

/** OpenAI has no balance API for API keys; a one-token probe reads the per-minute {@code x-ratelimit-*} headers. */
final class OpenAiClient implements ProviderClient {

    @Override
    public ProviderReading read(ProviderRequest r) throws ProviderException {
        ProviderHttp.requireKey(r);
        return ProviderHttp.probeLimits(r, ProviderHttp.postJson(r, "/chat/completions", ProviderHttp.probeBody(r.probeModel()))
                .header("Authorization", "Bearer " + r.credential().secret()).build(),
                (headers, status) -> RateLimitHeaders.openAi(headers, status, r.clock().instant()), "OpenAI");
    }

    @Override
    public Set<String> models(ProviderRequest r) throws ProviderException {
        ProviderHttp.requireKey(r);
        return ProviderHttp.ids(ProviderHttp.json(r, ProviderHttp.get(r, "/models")
                .header("Authorization", "Bearer " + r.credential().secret()).build()).path("data"), "id", null, "OpenAI /models");
    }
}
