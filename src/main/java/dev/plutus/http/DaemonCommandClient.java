package dev.plutus.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Runs a slash command in the running daemon ({@code POST /commands/{name}} with the access
 * token), so the shell shows what the daemon enforces rather than what a fresh read of the files
 * would give.
 */
public final class DaemonCommandClient {
    /** The daemon's answer: its text (or JSON), and whether it was a refusal. */
    public record Answer(String body, boolean refused) {}

    private DaemonCommandClient() {}

    /** The daemon's answer to a hook: its status, its body, and its X-Plutus-Error header ("" when none). */
    public record HookAnswer(int status, String body, String error) {}

    /** Sends one hook event to the running daemon ({@code POST /hooks/{event}}), as the bridge does. */
    public static HookAnswer hook(DaemonInfo d, AccessToken token, String event, String kwargsJson) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(d.baseUrl() + "/hooks/"
                        + java.net.URLEncoder.encode(event, StandardCharsets.UTF_8).replace("+", "%20")))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token.value())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(kwargsJson, StandardCharsets.UTF_8)).build();
        try {
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new HookAnswer(r.statusCode(), r.body(), r.headers().firstValue("X-Plutus-Error").orElse(""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public static Answer run(DaemonInfo d, AccessToken token, String name, String args, boolean json) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(d.baseUrl() + "/commands/" + name + (json ? "?format=json" : "")))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token.value())
                .POST(HttpRequest.BodyPublishers.ofString(args, StandardCharsets.UTF_8)).build();
        try {
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
            }
            return new Answer(r.body(), r.headers().firstValue(HttpApi.REFUSED_HEADER).map("true"::equals).orElse(false));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
