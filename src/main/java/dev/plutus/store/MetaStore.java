package dev.plutus.store;

import java.util.List;
import java.util.Optional;

/** Small named values the processes sharing a store agree on: when prices were fetched, the last purge, the last backfill. */
public final class MetaStore {
    private final Jdbc jdbc;

    public MetaStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<String> get(String key) {
        List<String> v = jdbc.query("SELECT value FROM meta WHERE key = ?", rs -> rs.getString(1), key);
        return v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    public void put(String key, String value) {
        jdbc.update("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value);
    }
}
