package dev.plutus.provider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Provider keys: the process environment first, then a dotenv file (a host such as Hermes keeps
 * them there). Secrets are handed to clients only; nothing here logs or prints one.
 */
public final class Credentials {
    /** The variable a Claude Code OAuth token is read from; without it, Claude Code's own credentials file. */
    public static final String CLAUDE_OAUTH_ENV = "CLAUDE_CODE_OAUTH_TOKEN";

    private final Map<String, String> env;
    private final Map<String, String> dotEnv;
    private final ClaudeOAuthFile claude;
    private final CodexAuthFile codex;

    public Credentials(Map<String, String> env, Map<String, String> dotEnv) {
        this(env, dotEnv, null, null);
    }

    private Credentials(Map<String, String> env, Map<String, String> dotEnv, ClaudeOAuthFile claude, CodexAuthFile codex) {
        this.env = Map.copyOf(env);
        this.dotEnv = Map.copyOf(dotEnv);
        this.claude = claude;
        this.codex = codex;
    }

    /** These keys plus the logins other tools keep in the home directory (either may be null). */
    public Credentials withLogins(ClaudeOAuthFile claude, CodexAuthFile codex) {
        return new Credentials(env, dotEnv, claude, codex);
    }

    /** The ChatGPT plan of the Codex login, when there is one. */
    public Optional<String> chatGptPlan() {
        return codex == null ? Optional.empty() : codex.chatGptPlan();
    }

    /** The environment plus the dotenv {@code file} when it exists (an unreadable file counts as empty). */
    public static Credentials withDotEnv(Map<String, String> env, Path file) {
        Map<String, String> fromFile = Map.of();
        if (file != null && Files.isRegularFile(file)) {
            try {
                fromFile = parseDotEnv(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                fromFile = Map.of();
            }
        }
        return new Credentials(env, fromFile);
    }

    /** The first of {@code names} that holds a non-empty value, to send: an expired Claude Code login is refreshed first. */
    public Optional<ProviderRequest.Credential> first(List<String> names) {
        return find(names, true);
    }

    /**
     * {@link #first}, to look at only (is there a key, which one): a Claude Code login is read as it is,
     * never refreshed, so a command that sends nothing never rotates another tool's tokens.
     */
    public Optional<ProviderRequest.Credential> present(List<String> names) {
        return find(names, false);
    }

    private Optional<ProviderRequest.Credential> find(List<String> names, boolean toSend) {
        for (String n : names) {
            String v = env.get(n);
            if (v == null || v.isBlank()) {
                v = dotEnv.get(n);
            }
            if ((v == null || v.isBlank()) && n.equals(CLAUDE_OAUTH_ENV) && claude != null) {
                v = (toSend ? claude.accessToken() : claude.storedToken()).orElse(null);
            }
            if (v != null && !v.isBlank()) {
                return Optional.of(new ProviderRequest.Credential(n, v.strip()));
            }
        }
        return Optional.empty();
    }

    /** {@code KEY=value} lines; {@code export}, quotes and trailing comments as shells and python-dotenv read them. */
    public static Map<String, String> parseDotEnv(String text) {
        Map<String, String> out = new HashMap<>();
        for (String raw : text.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring(7).strip();
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')) {
                int close = value.indexOf(value.charAt(0), 1);
                value = close > 0 ? value.substring(1, close) : value.substring(1);
            } else {
                int hash = value.indexOf(" #");
                if (hash >= 0) {
                    value = value.substring(0, hash).strip();
                }
            }
            out.put(key, value);
        }
        return out;
    }
}
