package dev.plutus.ingest;

import dev.plutus.store.ApiKey;
import dev.plutus.store.ApiKeyStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates, lists, revokes and checks {@code plutus_sk_…} keys. The secret is shown once at creation;
 * only its SHA-256 is stored. Every check reads the store, so a revocation made by another process
 * (the CLI while the daemon runs) takes effect on the next request.
 */
public final class ApiKeys {
    public static final String SECRET_PREFIX = "plutus_sk_";
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    /** A newly created key: the only time its secret exists outside the caller's hands. */
    public record Created(ApiKey key, String secret) {}

    private final ApiKeyStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** When each key's last_used_at was last written: a write per request would halve ingestion speed. */
    private final ConcurrentHashMap<String, Instant> touched = new ConcurrentHashMap<>();

    public ApiKeys(ApiKeyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public Created create(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a key needs a name (--name)");
        }
        if (name.length() > 100) {
            throw new IllegalArgumentException("key name longer than 100 characters");
        }
        String secret = SECRET_PREFIX + randomText(40);
        String keyId = "key_" + randomText(16);
        Instant now = clock.instant();
        String hint = secret.substring(0, SECRET_PREFIX.length() + 4) + "…";
        store.insert(keyId, name.strip(), sha256(secret), hint, now);
        return new Created(new ApiKey(keyId, name.strip(), hint, now, null, null), secret);
    }

    public List<ApiKey> list() {
        return store.all();
    }

    /** Revokes the key; false when there is no key with that id. */
    public boolean revoke(String keyId) {
        return store.revoke(keyId, clock.instant());
    }

    /** The live key the Authorization header carries, or why there is none. */
    public Authentication authenticate(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            return new Authentication.Refused("missing Authorization header (Authorization: Bearer plutus_sk_…)");
        }
        String h = authorizationHeader.strip();
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Authentication.Refused("Authorization must be 'Bearer plutus_sk_…'");
        }
        String secret = h.substring(7).strip();
        if (!secret.startsWith(SECRET_PREFIX)) {
            return new Authentication.Refused("not a Plutus API key (they start with " + SECRET_PREFIX + ")");
        }
        Optional<ApiKey> key = store.findBySecretHash(sha256(secret));
        if (key.isEmpty()) {
            return new Authentication.Refused("invalid API key");
        }
        if (key.get().revoked()) {
            return new Authentication.Refused("API key " + key.get().keyId() + " was revoked at " + key.get().revokedAt());
        }
        Instant now = clock.instant();
        Instant last = touched.get(key.get().keyId());
        if (last == null || Duration.between(last, now).compareTo(TOUCH_EVERY) >= 0) {
            touched.put(key.get().keyId(), now);
            store.touch(key.get().keyId(), now);
        }
        return new Authentication.Accepted(key.get());
    }

    /** The outcome of checking a key. */
    public sealed interface Authentication {
        record Accepted(ApiKey key) implements Authentication {}

        record Refused(String reason) implements Authentication {}
    }

    static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private String randomText(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }
}
