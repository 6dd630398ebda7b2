package dev.plutus.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Set;

/** Google Gemini: no balance or quota API for keys, so runway is budget minus spend; models from {@code GET /models}. */
final class GeminiClient implements ProviderClient {

    @Override
    public ProviderReading read(ProviderRequest r) {
        return ProviderReading.nothing();
    }

    @Override
    public Set<String> models(ProviderRequest r) throws ProviderException {
        ProviderHttp.requireKey(r);
        Set<String> out = new LinkedHashSet<>();
        String token = null;
        for (int page = 0; page < 50; page++) {
            String path = "/models?pageSize=1000" + (token == null ? "" : "&pageToken="
                    + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8));
            // The key goes in a header, not the query string, so it never lands in a URL or a log line.
            JsonNode body = ProviderHttp.json(r, ProviderHttp.get(r, path).header("x-goog-api-key", r.credential().secret()).build());
            out.addAll(ProviderHttp.ids(body.path("models"), "name", "models/", "Gemini /models"));
            String next = body.path("nextPageToken").asText("");
            if (next.isEmpty() || next.equals(token)) {
                break; // the last page, or a server repeating itself: either way no more pages
            }
            token = next;
        }
        return out;
    }
}
