package dev.plutus.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Reservations in the database, for processes and hosts that share it: each publishes, per scope,
 * the total it holds now (one row per process and scope, overwritten, never a row per call), and
 * reads the others' totals. Check-and-hold runs inside one write transaction ({@link #exclusively}),
 * where writers take turns on every store, so two processes cannot both take the last of a budget.
 * A process that dies stops refreshing its rows; they count for one reservation lifetime at most.
 */
public final class ReservationStore {
    private final Jdbc jdbc;

    public ReservationStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Runs {@code body} in a write transaction: whoever holds it sees every committed call and hold. */
    public <T> T exclusively(Jdbc.TransactionBody<T> body) {
        return jdbc.inTransaction(body);
    }

    /** Money other owners hold now per scope key, for the given keys; rows older than {@code ttl} are a dead owner's. */
    public Map<String, Long> heldByOthers(Connection c, java.util.Collection<String> scopes, String owner, Instant now, Duration ttl)
            throws SQLException {
        Map<String, Long> out = new HashMap<>();
        if (scopes.isEmpty()) {
            return out;
        }
        Object[] params = new Object[scopes.size() + 2];
        int i = 0;
        for (String s : scopes) {
            params[i++] = s;
        }
        params[i++] = owner;
        params[i] = now.minus(ttl).toEpochMilli();
        Jdbc.query(c, "SELECT scope, SUM(micros) FROM reservation_holds WHERE scope IN ("
                + String.join(", ", Collections.nCopies(scopes.size(), "?")) + ") AND owner <> ? AND refreshed_at > ? GROUP BY scope",
                rs -> out.put(rs.getString(1), rs.getLong(2)), params);
        return out;
    }

    /** Publishes what {@code owner} holds now for each scope (absolute totals, so a lost or repeated write corrects itself). */
    public void publish(Connection c, String owner, Map<String, Long> totals, Instant now) throws SQLException {
        if (totals.isEmpty()) {
            return;
        }
        Object[] params = new Object[totals.size() * 4];
        int i = 0;
        for (Map.Entry<String, Long> e : totals.entrySet()) {
            params[i++] = owner;
            params[i++] = e.getKey();
            params[i++] = e.getValue();
            params[i++] = now.toEpochMilli();
        }
        // One statement for all scopes: a round trip each is most of a reservation's time on a networked store.
        Jdbc.update(c, "INSERT INTO reservation_holds(owner, scope, micros, refreshed_at) VALUES "
                + String.join(", ", Collections.nCopies(totals.size(), "(?, ?, ?, ?)"))
                + " ON CONFLICT(scope, owner) DO UPDATE SET micros = excluded.micros, refreshed_at = excluded.refreshed_at", params);
    }

    /** The same, in its own transaction (after a hold ends). */
    public void publish(String owner, Map<String, Long> totals, Instant now) {
        if (!totals.isEmpty()) {
            jdbc.inTransaction(c -> {
                publish(c, owner, totals, now);
                return null;
            });
        }
    }

    /** Money all owners with fresh rows hold for the scope. */
    public long held(String scope, Instant now, Duration ttl) {
        return jdbc.queryLong("SELECT COALESCE(SUM(micros), 0) FROM reservation_holds WHERE scope = ? AND refreshed_at > ?",
                scope, now.minus(ttl).toEpochMilli());
    }
}
