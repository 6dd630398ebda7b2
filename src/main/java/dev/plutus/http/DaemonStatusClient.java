package dev.plutus.http;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Asks a running daemon for its {@code /status}: for {@code plutus status} and the hook benchmark. */
public final class DaemonStatusClient {
    private static final ObjectMapper JSON = Json.MAPPER;

    private DaemonStatusClient() {}

    public static JsonNode fetch(DaemonInfo d, AccessToken token) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(d.baseUrl() + "/status")).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token.value()).GET().build();
        try {
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
