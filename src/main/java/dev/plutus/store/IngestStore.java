package dev.plutus.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What {@code /v1/usage} keeps besides the calls: workspaces, the month's tracked tokens, idempotent answers. */
public final class IngestStore {
    /**
     * What an Idempotency-Key is bound to: the hash of the request it was first used with, and the
     * answer kept for a retry of that request (status {@link #UNANSWERED} while none is kept yet).
     */
    public record StoredAnswer(String requestSha256, int status, String body) {
        public static final int UNANSWERED = 0;

        public boolean answered() {
            return status != UNANSWERED;
        }
    }

    private final Jdbc jdbc;

    public IngestStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public List<String> workspaces() {
        return jdbc.query("SELECT name FROM workspaces ORDER BY created_at, name", rs -> rs.getString(1));
    }

    /** Adds the workspace unless the cap is reached; true when it exists afterwards. Atomic across processes. */
    public boolean ensureWorkspace(String name, int cap, Instant at) {
        return jdbc.inTransaction(c -> {
            if (!Jdbc.query(c, "SELECT 1 FROM workspaces WHERE name = ?", rs -> 1, name).isEmpty()) {
                return true;
            }
            long count = Jdbc.query(c, "SELECT COUNT(*) FROM workspaces", rs -> rs.getLong(1)).get(0);
            if (count >= cap) {
                return false;
            }
            Jdbc.update(c, "INSERT INTO workspaces(name, created_at) VALUES (?, ?)", name, at.toEpochMilli());
            return true;
        });
    }

    /** Tokens of ingested calls dated at or after {@code since} (the month's start). */
    public long trackedTokensSince(Instant since) {
        jdbc.awaitPendingWrites();
        return jdbc.queryLong("""
                SELECT %s FROM ingested_calls o JOIN llm_calls c ON c.id = o.call_id
                WHERE c.ts >= ?""".formatted(jdbc.dialect().sum("o.tracked_tokens")), since.toEpochMilli());
    }

    /** Ingested cost in micro-dollars over all time (what a prepaid balance is drawn down by). */
    public long ingestedCostMicros() {
        jdbc.awaitPendingWrites();
        return jdbc.queryLong("""
                SELECT %s FROM ingested_calls o JOIN llm_calls c ON c.id = o.call_id""".formatted(jdbc.dialect().sum("c.cost_micros")));
    }

    public Optional<StoredAnswer> answer(String keyId, String idempotencyKey) {
        return jdbc.query("SELECT request_sha256, status, response FROM idempotent_requests WHERE key_id = ? AND idempotency_key = ?",
                rs -> new StoredAnswer(rs.getString(1), rs.getInt(2), rs.getString(3)), keyId, idempotencyKey).stream().findFirst();
    }

    /**
     * Binds the key to the request's hash before any of its events is written, so that a request
     * under the same key with another body, even one in flight at the same moment, finds the binding.
     * Empty when this call made the binding; otherwise what the key was already bound to.
     */
    public Optional<StoredAnswer> claim(String keyId, String idempotencyKey, String requestSha256, Instant at) {
        int bound = jdbc.update("""
                INSERT INTO idempotent_requests(key_id, idempotency_key, request_sha256, status, response, created_at)
                VALUES (?, ?, ?, ?, '', ?) ON CONFLICT(key_id, idempotency_key) DO NOTHING""",
                keyId, idempotencyKey, requestSha256, StoredAnswer.UNANSWERED, at.toEpochMilli());
        // Empty here too if the binding was forgotten in between (a day old): nothing is bound any more.
        return bound == 1 ? Optional.empty() : answer(keyId, idempotencyKey);
    }

    /**
     * Keeps the answer for the key's request: fills in its binding unless an answer is kept already
     * (the first answer stays) or the key is bound to another body; binds the key if nothing does.
     */
    public void keepAnswer(String keyId, String idempotencyKey, StoredAnswer a, Instant at) {
        jdbc.update("""
                INSERT INTO idempotent_requests(key_id, idempotency_key, request_sha256, status, response, created_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key_id, idempotency_key) DO UPDATE
                SET status = excluded.status, response = excluded.response
                WHERE idempotent_requests.status = ? AND idempotent_requests.request_sha256 = excluded.request_sha256""",
                keyId, idempotencyKey, a.requestSha256(), a.status(), a.body(), at.toEpochMilli(), StoredAnswer.UNANSWERED);
    }

    public int forgetAnswersBefore(Instant before) {
        return jdbc.update("DELETE FROM idempotent_requests WHERE created_at < ?", before.toEpochMilli());
    }
}
