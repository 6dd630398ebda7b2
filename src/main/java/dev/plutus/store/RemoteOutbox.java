package dev.plutus.store;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Model calls a Plutus in remote mode has accepted but the central instance has not confirmed. A
 * batch, once formed, keeps its rows and its key until it is confirmed, so a retry after a lost
 * answer sends the same body under the same Idempotency-Key and the central side records it once.
 */
public final class RemoteOutbox {
    private final Jdbc jdbc;

    public RemoteOutbox(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Queues one event (its /v1/usage JSON); false when its id is already queued. */
    public boolean add(String eventId, String body, Instant at) {
        return jdbc.update("INSERT INTO remote_outbox(event_id, body, created_at) VALUES (?, ?, ?) ON CONFLICT(event_id) DO NOTHING",
                eventId, body, at.toEpochMilli()) == 1;
    }

    public record Batch(String key, List<Long> ids, List<String> bodies) {
        public boolean isEmpty() {
            return ids.isEmpty();
        }
    }

    /** The batch to send next: one already formed and unconfirmed, else up to {@code max} of the oldest queued rows. */
    public Batch next(int max) {
        return jdbc.inTransaction(c -> {
            List<String> open = Jdbc.query(c, """
                    SELECT batch_key FROM remote_outbox WHERE batch_key IS NOT NULL AND rejected IS NULL ORDER BY id LIMIT 1""",
                    rs -> rs.getString(1));
            String key;
            if (!open.isEmpty()) {
                key = open.get(0);
            } else {
                key = "plutus-remote-" + UUID.randomUUID();
                Jdbc.update(c, """
                        UPDATE remote_outbox SET batch_key = ? WHERE id IN (
                            SELECT id FROM remote_outbox WHERE batch_key IS NULL AND rejected IS NULL ORDER BY id LIMIT ?)""", key, max);
            }
            List<String> bodies = new java.util.ArrayList<>();
            List<Long> idList = new java.util.ArrayList<>();
            Jdbc.query(c, "SELECT id, body FROM remote_outbox WHERE batch_key = ? AND rejected IS NULL ORDER BY id", rs -> {
                idList.add(rs.getLong(1));
                bodies.add(rs.getString(2));
                return null;
            }, key);
            return new Batch(key, List.copyOf(idList), List.copyOf(bodies));
        });
    }

    /** The central instance committed the batch. */
    public int confirm(Batch b) {
        return jdbc.update("DELETE FROM remote_outbox WHERE batch_key = ?", b.key());
    }

    public void failed(Batch b, String error) {
        jdbc.update("UPDATE remote_outbox SET attempts = attempts + 1, last_error = ? WHERE batch_key = ?", error, b.key());
    }

    /**
     * The central instance refused one event of the batch and recorded none of it: that event is set
     * aside with the reason (kept, listable); the others form a new batch on the next send.
     */
    public void reject(Batch b, int index, String reason) {
        jdbc.inTransaction(c -> {
            Jdbc.update(c, "UPDATE remote_outbox SET rejected = ?, batch_key = NULL WHERE id = ?", reason, b.ids().get(index));
            Jdbc.update(c, "UPDATE remote_outbox SET batch_key = NULL WHERE batch_key = ?", b.key());
            return null;
        });
    }

    public record Counts(long pending, long rejected, Instant oldest, String lastError) {}

    public Counts counts() {
        return jdbc.query("""
                SELECT COALESCE(SUM(CASE WHEN rejected IS NULL THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN rejected IS NOT NULL THEN 1 ELSE 0 END), 0),
                       MIN(CASE WHEN rejected IS NULL THEN created_at END),
                       (SELECT last_error FROM remote_outbox WHERE last_error IS NOT NULL AND rejected IS NULL ORDER BY id LIMIT 1)
                FROM remote_outbox""",
                rs -> {
                    long oldest = rs.getLong(3);
                    boolean none = rs.wasNull();
                    return new Counts(rs.getLong(1), rs.getLong(2), none ? null : Instant.ofEpochMilli(oldest), rs.getString(4));
                }).get(0);
    }

    public record Rejected(String eventId, String body, String reason) {}

    public List<Rejected> rejected() {
        return jdbc.query("SELECT event_id, body, rejected FROM remote_outbox WHERE rejected IS NOT NULL ORDER BY id",
                rs -> new Rejected(rs.getString(1), rs.getString(2), rs.getString(3)));
    }
}
