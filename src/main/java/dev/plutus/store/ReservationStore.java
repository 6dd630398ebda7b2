package dev.plutus.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reservations in the database, for processes that share plutus.db. Check-and-hold runs inside one
 * write transaction ({@link #exclusively}): SQLite lets one writer in at a time across processes, so
 * two processes cannot both take the last of a budget.
 */
public final class ReservationStore {
    private final Jdbc jdbc;

    public ReservationStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    private volatile long lastPurgeMillis;

    /** Runs {@code body} holding the database's write lock; expired reservations are dropped about once a second. */
    public <T> T exclusively(Instant now, Jdbc.TransactionBody<T> body) {
        return jdbc.inTransaction(c -> {
            // Expired rows are skipped by every read anyway: deleting them is housekeeping, not correctness.
            if (now.toEpochMilli() - lastPurgeMillis >= 1000) {
                Jdbc.update(c, "DELETE FROM reservations WHERE expires_at <= ?", now.toEpochMilli());
                lastPurgeMillis = now.toEpochMilli();
            }
            return body.run(c);
        });
    }

    /** Money other owners hold now per scope key, for the given keys. */
    public Map<String, Long> heldByOthers(Connection c, Collection<String> scopes, String owner, Instant now) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        if (scopes.isEmpty()) {
            return out;
        }
        String marks = String.join(", ", java.util.Collections.nCopies(scopes.size(), "?"));
        Object[] params = new Object[scopes.size() + 2];
        int i = 0;
        for (String s : scopes) {
            params[i++] = s;
        }
        params[i++] = owner;
        params[i] = now.toEpochMilli();
        Jdbc.query(c, "SELECT rs.scope, SUM(r.micros) FROM reservation_scopes rs JOIN reservations r ON r.id = rs.reservation_id "
                + "WHERE rs.scope IN (" + marks + ") AND r.owner <> ? AND r.expires_at > ? GROUP BY rs.scope",
                rs -> out.put(rs.getString(1), rs.getLong(2)), params);
        return out;
    }

    /** Holds (or, for a retry, renews) the reservation; {@code renewal} when this id may be held already. */
    public void hold(Connection c, String id, String owner, long micros, Instant expiresAt, List<String> scopes, boolean renewal)
            throws SQLException {
        if (renewal) {
            Jdbc.update(c, "DELETE FROM reservations WHERE id = ?", id);
        }
        Jdbc.update(c, "INSERT INTO reservations(id, owner, micros, expires_at) VALUES (?, ?, ?, ?)", id, owner, micros,
                expiresAt.toEpochMilli());
        if (!scopes.isEmpty()) {
            // One statement for all scopes: a round trip each is most of a reservation's time on a networked store.
            Object[] params = new Object[scopes.size() * 2];
            for (int i = 0; i < scopes.size(); i++) {
                params[2 * i] = id;
                params[2 * i + 1] = scopes.get(i);
            }
            Jdbc.update(c, "INSERT INTO reservation_scopes(reservation_id, scope) VALUES "
                    + String.join(", ", java.util.Collections.nCopies(scopes.size(), "(?, ?)")), params);
        }
    }

    /** Ends one hold inside the caller's transaction. */
    public void release(Connection c, String id) throws SQLException {
        Jdbc.update(c, "DELETE FROM reservations WHERE id = ?", id);
    }

    public void release(Collection<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        jdbc.inTransaction(c -> {
            for (String id : ids) {
                Jdbc.update(c, "DELETE FROM reservations WHERE id = ?", id);
            }
            return null;
        });
    }

    public long count(Instant now) {
        return jdbc.queryLong("SELECT COUNT(*) FROM reservations WHERE expires_at > ?", now.toEpochMilli());
    }
}
