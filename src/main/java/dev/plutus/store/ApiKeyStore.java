package dev.plutus.store;

import java.security.MessageDigest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** API keys by the SHA-256 of their secret; a leaked database exposes no usable key. */
public final class ApiKeyStore {
    private static final String COLUMNS = "key_id, name, hint, created_at, revoked_at, last_used_at, secret_sha256";

    private final Jdbc jdbc;

    public ApiKeyStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(String keyId, String name, byte[] secretSha256, String hint, Instant at) {
        jdbc.update("INSERT INTO api_keys(key_id, name, secret_sha256, hint, created_at) VALUES (?, ?, ?, ?, ?)",
                keyId, name, secretSha256, hint, at.toEpochMilli());
    }

    /**
     * The key whose secret hashes to {@code secretSha256}, revoked or not. The row is found by its
     * hash, then the stored hash is compared again in constant time, so no answer depends on how
     * many leading bytes matched.
     */
    public Optional<ApiKey> findBySecretHash(byte[] secretSha256) {
        List<Object[]> rows = jdbc.query("SELECT " + COLUMNS + " FROM api_keys WHERE secret_sha256 = ?",
                rs -> new Object[] {map(rs), rs.getBytes(7)}, (Object) secretSha256);
        for (Object[] row : rows) {
            if (MessageDigest.isEqual((byte[]) row[1], secretSha256)) {
                return Optional.of((ApiKey) row[0]);
            }
        }
        return Optional.empty();
    }

    public List<ApiKey> all() {
        return jdbc.query("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at, key_id", ApiKeyStore::map);
    }

    /** Marks the key revoked; false when no such key exists. Revoking twice keeps the first time. */
    public boolean revoke(String keyId, Instant at) {
        jdbc.update("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE key_id = ?", at.toEpochMilli(), keyId);
        return jdbc.queryLong("SELECT COUNT(*) FROM api_keys WHERE key_id = ?", keyId) == 1;
    }

    public void touch(String keyId, Instant at) {
        jdbc.update("UPDATE api_keys SET last_used_at = ? WHERE key_id = ?", at.toEpochMilli(), keyId);
    }

    private static ApiKey map(ResultSet rs) throws SQLException {
        return new ApiKey(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)),
                instant(rs, 5), instant(rs, 6));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}
