package dev.plutus.store;

import java.time.Instant;

/** An API key for {@code /v1/usage} as stored: never the secret, only its id, name and a hint of its start. */
public record ApiKey(String keyId, String name, String hint, Instant createdAt, Instant revokedAt, Instant lastUsedAt) {
    public boolean revoked() {
        return revokedAt != null;
    }
}
