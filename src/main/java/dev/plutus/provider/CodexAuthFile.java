package dev.plutus.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The Codex CLI's login ({@code <codex home>/auth.json}): on a ChatGPT subscription its
 * {@code tokens.id_token} is a JWT whose {@code https://api.openai.com/auth} claim names the plan
 * ({@code plus}, {@code pro}, ...). There is no usage API behind it, so the plan name is all there is
 * to show. Only read; the token itself is never kept or shown.
 */
public final class CodexAuthFile {
    private final Path file;

    public CodexAuthFile(Path file) {
        this.file = file;
    }

    /** {@code CODEX_HOME}, else {@code $HOME/.codex}; null when neither is known. */
    public static CodexAuthFile fromEnvironment(Map<String, String> env) {
        Path dir = ClaudeOAuthFile.dir(env, "CODEX_HOME", ".codex");
        return dir == null ? null : new CodexAuthFile(dir.resolve("auth.json"));
    }

    /** The ChatGPT plan, empty when there is no such login (or the file cannot be read). */
    public Optional<String> chatGptPlan() {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode auth = Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
            String jwt = auth.path("tokens").path("id_token").asText("");
            String[] parts = jwt.split("\\.");
            if (parts.length < 2) {
                return Optional.empty();
            }
            JsonNode claims = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(pad(parts[1])));
            String plan = claims.path("https://api.openai.com/auth").path("chatgpt_plan_type").asText("");
            return plan.matches("[A-Za-z0-9_ -]{1,40}") ? Optional.of(plan) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String pad(String b64) {
        String s = b64.replace('=', ' ').strip();
        return s + "=".repeat((4 - s.length() % 4) % 4);
    }
}
