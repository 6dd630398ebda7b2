package dev.plutus.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
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

    /**
     * Runs {@code body} in a write transaction: whoever holds it sees every committed call and hold.
     * Holds are republished with every check, so their commits need not wait for the disk.
     */
    public <T> T exclusively(Jdbc.TransactionBody<T> body) {
        return jdbc.inEphemeralTransaction(body);
    }

    /** What a check in the store reads: calls recorded after the reader's watermark (in id order), and what other owners hold per scope key. */
    public record Look(List<LedgerEntry> calls, Map<String, Long> heldByOthers) {}

    /**
     * Reads, in one statement (one round trip on a networked store), up to {@code limit} calls after
     * {@code afterId} and the money other owners hold now for the given scope keys; rows older than
     * {@code ttl} are a dead owner's.
     */
    public Look look(Connection c, long afterId, int limit, Collection<String> scopes, String owner, Instant now, Duration ttl)
            throws SQLException {
        List<LedgerEntry> calls = new ArrayList<>();
        Map<String, Long> held = new HashMap<>();
        Object[] params = new Object[scopes.size() + 4];
        int i = 0;
        params[i++] = afterId;
        params[i++] = limit;
        for (String s : scopes) {
            params[i++] = s;
        }
        params[i++] = owner;
        params[i] = now.minus(ttl).toEpochMilli();
        int ledgerColumns = CallStore.LEDGER_COLUMNS.split(",").length;
        String nulls = String.join(", ", Collections.nCopies(ledgerColumns, "NULL"));
        String holds = scopes.isEmpty() ? "" : " UNION ALL SELECT " + nulls + ", scope, SUM(micros) FROM reservation_holds WHERE scope IN ("
                + String.join(", ", Collections.nCopies(scopes.size(), "?")) + ") AND owner <> ? AND refreshed_at > ? GROUP BY scope";
        if (scopes.isEmpty()) {
            params = java.util.Arrays.copyOf(params, 2);
        }
        Jdbc.query(c, "SELECT later.*, NULL, NULL FROM (SELECT " + CallStore.LEDGER_COLUMNS
                + " FROM llm_calls WHERE id > ? ORDER BY id LIMIT ?) later" + holds, rs -> {
                    String scope = rs.getString(ledgerColumns + 1);
                    if (scope == null) {
                        calls.add(CallStore.mapLedger(rs));
                    } else {
                        held.put(scope, rs.getLong(ledgerColumns + 2));
                    }
                    return Boolean.TRUE;
                }, params);
        // UNION ALL promises no order; a watermark needs the calls in id order.
        calls.sort(java.util.Comparator.comparingLong(LedgerEntry::id));
        return new Look(calls, held);
    }

    /**
     * Publishes what {@code owner} holds now for each scope (absolute totals, so a lost or repeated
     * write corrects itself). A scope it holds nothing for loses its row: the table keeps live holds
     * only, not one row for every session ever seen.
     */
    public void publish(Connection c, String owner, Map<String, Long> totals, Instant now) throws SQLException {
        List<Object> upserts = new ArrayList<>();
        List<Object> zeros = new ArrayList<>();
        zeros.add(owner);
        for (Map.Entry<String, Long> e : totals.entrySet()) {
            if (e.getValue() == 0) {
                zeros.add(e.getKey());
            } else {
                upserts.addAll(List.of(owner, e.getKey(), e.getValue(), now.toEpochMilli()));
            }
        }
        // One statement for all scopes (two when some drop to nothing): a round trip each is most of a check's time on a networked store.
        if (zeros.size() > 1) {
            Jdbc.update(c, "DELETE FROM reservation_holds WHERE owner = ? AND scope IN ("
                    + String.join(", ", Collections.nCopies(zeros.size() - 1, "?")) + ")", zeros.toArray());
        }
        if (!upserts.isEmpty()) {
            Jdbc.update(c, "INSERT INTO reservation_holds(owner, scope, micros, refreshed_at) VALUES "
                    + String.join(", ", Collections.nCopies(upserts.size() / 4, "(?, ?, ?, ?)"))
                    + " ON CONFLICT(scope, owner) DO UPDATE SET micros = excluded.micros, refreshed_at = excluded.refreshed_at",
                    upserts.toArray());
        }
    }

    /** Deletes rows no process has refreshed since {@code before}: those of processes that died holding money. */
    public int purgeStale(Instant before) {
        return jdbc.inTransaction(c -> Jdbc.update(c, "DELETE FROM reservation_holds WHERE refreshed_at < ?", before.toEpochMilli()));
    }

    /** Deletes everything {@code owner} published (it is closing). */
    public void withdraw(String owner) {
        jdbc.inTransaction(c -> Jdbc.update(c, "DELETE FROM reservation_holds WHERE owner = ?", owner));
    }

    /** Money all owners with fresh rows hold for the scope. */
    public long held(String scope, Instant now, Duration ttl) {
        return jdbc.queryLong("SELECT COALESCE(SUM(micros), 0) FROM reservation_holds WHERE scope = ? AND refreshed_at > ?",
                scope, now.minus(ttl).toEpochMilli());
    }
}
