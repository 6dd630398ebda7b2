package dev.plutus.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.config.AtomicFiles;
import dev.plutus.core.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claude Code's OAuth token in {@code <claude dir>/.credentials.json} ({@code claudeAiOauth}:
 * {@code accessToken}, {@code refreshToken}, {@code expiresAt} in epoch ms), used for Anthropic when
 * {@code CLAUDE_CODE_OAUTH_TOKEN} is not set. An expired token is refreshed with a refresh-token
 * grant and the new tokens are written back into that same file (other fields kept, mode 0600) —
 * the only place a token is ever written; Claude Code rotates the refresh token, so keeping the old
 * one elsewhere would break its next refresh. A failed refresh is not retried for a minute.
 */
public final class ClaudeOAuthFile {
    private static final Logger LOG = LoggerFactory.getLogger(ClaudeOAuthFile.class);
    public static final URI DEFAULT_TOKEN_URL = URI.create("https://console.anthropic.com/v1/oauth/token");
    /** Claude Code's public OAuth client id: refresh tokens it minted are bound to it. */
    public static final String CLAUDE_CODE_CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";
    private static final Duration EARLY = Duration.ofMinutes(1);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(1);

    private final Path file;
    private final URI tokenUrl;
    private final String clientId;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Instant lastFailure;

    public ClaudeOAuthFile(Path file, URI tokenUrl, String clientId, Clock clock) {
        this.file = file;
        this.tokenUrl = tokenUrl;
        this.clientId = clientId;
        this.clock = clock;
    }

    /**
     * From the environment: {@code CLAUDE_CONFIG_DIR}, else {@code $HOME/.claude}; the token URL from
     * {@code PLUTUS_ANTHROPIC_OAUTH_TOKEN_URL}. Null when neither directory is known (no HOME: a test or a bare service).
     */
    public static ClaudeOAuthFile fromEnvironment(Map<String, String> env, Clock clock) {
        Path dir = dir(env, "CLAUDE_CONFIG_DIR", ".claude");
        if (dir == null) {
            return null;
        }
        String url = env.get("PLUTUS_ANTHROPIC_OAUTH_TOKEN_URL");
        return new ClaudeOAuthFile(dir.resolve(".credentials.json"), url == null || url.isBlank() ? DEFAULT_TOKEN_URL : URI.create(url.strip()),
                CLAUDE_CODE_CLIENT_ID, clock);
    }

    static Path dir(Map<String, String> env, String override, String underHome) {
        String d = env.get(override);
        if (d != null && !d.isBlank()) {
            return Path.of(d.strip());
        }
        String home = env.get("HOME");
        return home == null || home.isBlank() ? null : Path.of(home.strip(), underHome);
    }

    public Path file() {
        return file;
    }

    /**
     * The access token as the file holds it, never refreshed: for asking whether there is a login at
     * all, which must not rotate Claude Code's tokens behind its back.
     */
    public synchronized Optional<String> storedToken() {
        JsonNode oauth = read().map(r -> r.path("claudeAiOauth")).orElse(null);
        if (oauth == null || !oauth.path("accessToken").isTextual() || oauth.path("accessToken").asText().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(oauth.path("accessToken").asText());
    }

    /** The access token, refreshed first when it has expired (or is about to); empty when the file holds none. */
    public synchronized Optional<String> accessToken() {
        JsonNode oauth = read().map(r -> r.path("claudeAiOauth")).orElse(null);
        if (oauth == null || !oauth.path("accessToken").isTextual() || oauth.path("accessToken").asText().isBlank()) {
            return Optional.empty();
        }
        String token = oauth.path("accessToken").asText();
        Instant now = clock.instant();
        boolean expired = oauth.path("expiresAt").isNumber() && Instant.ofEpochMilli(oauth.path("expiresAt").asLong()).isBefore(now.plus(EARLY));
        if (!expired || !oauth.path("refreshToken").isTextual() || (lastFailure != null && now.isBefore(lastFailure.plus(RETRY_AFTER_FAILURE)))) {
            return Optional.of(token);
        }
        try {
            return Optional.of(refresh(oauth.path("refreshToken").asText()));
        } catch (IOException e) {
            lastFailure = now;
            LOG.warn("Anthropic OAuth token in {} expired and could not be refreshed: {} (run a Claude Code session to mint a fresh one,"
                    + " or set ANTHROPIC_API_KEY)", file, e.getMessage());
            return Optional.of(token);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(token);
        }
    }

    private String refresh(String refreshToken) throws IOException, InterruptedException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("grant_type", "refresh_token").put("refresh_token", refreshToken)
                .put("client_id", clientId);
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(tokenUrl).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("User-Agent", "plutus")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() / 100 != 2) {
            throw new IOException("the token endpoint answered HTTP " + resp.statusCode());
        }
        JsonNode answer;
        try {
            answer = Json.MAPPER.readTree(resp.body());
        } catch (IOException e) {
            throw new IOException("the token endpoint's answer is not JSON");
        }
        String access = answer.path("access_token").asText("");
        if (access.isBlank()) {
            throw new IOException("the token endpoint's answer has no access_token");
        }
        // Re-read just before writing: Claude Code may have refreshed the file meanwhile; only our three fields change.
        ObjectNode root = read().filter(JsonNode::isObject).map(n -> (ObjectNode) n).orElseThrow(() -> new IOException(file + " is gone"));
        ObjectNode oauth = root.with("claudeAiOauth");
        oauth.put("accessToken", access);
        if (answer.path("refresh_token").isTextual() && !answer.path("refresh_token").asText().isBlank()) {
            oauth.put("refreshToken", answer.path("refresh_token").asText());
        }
        long expiresIn = answer.path("expires_in").asLong(3600);
        oauth.put("expiresAt", clock.instant().plusSeconds(expiresIn).toEpochMilli());
        AtomicFiles.write(file.toRealPath(), Json.MAPPER.writeValueAsString(root), PosixFilePermissions.fromString("rw-------"));
        LOG.info("Anthropic OAuth token in {} refreshed", file);
        return access;
    }

    private Optional<JsonNode> read() {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
