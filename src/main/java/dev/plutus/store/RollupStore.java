package dev.plutus.store;

import java.time.Instant;

/**
 * Keeps the hourly rollups in step with the raw call tables, and purges raw rows past retention.
 * Rollups advance by row id, not by time, so a late event (a replayed spool, a clock skew) still
 * lands in the hour it belongs to. Raw rows are purged only once rolled up, so rollups never lose
 * spend; they are kept forever and stay small (one row per hour, provider, model, platform, job).
 */
public final class RollupStore {
    static final long HOUR_MS = 3_600_000L;
    private static final int BATCH = 200_000;
    private static final int PURGE_BATCH = 20_000;

    private final Jdbc jdbc;

    public RollupStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Folds every call not yet rolled up into the hourly tables. Safe to run from several processes. */
    public void catchUp() {
        while (catchUpCalls()) {
            // keep going: each pass is one bounded transaction
        }
        while (catchUpSessions()) {
            // likewise
        }
        while (catchUpTools()) {
            // likewise
        }
    }

    /** Folds the rows of a table with ids in (last, upTo] into a rollup. */
    @FunctionalInterface
    private interface Fold {
        void rows(java.sql.Connection c, long last, long upTo) throws java.sql.SQLException;
    }

    /**
     * One bounded pass of the rollup {@code source} over {@code table}: folds up to {@link #BATCH} rows past its position
     * and moves the position, in one transaction. True while rows remain.
     */
    private boolean step(String source, String table, Fold fold) {
        return jdbc.inTransaction(c -> {
            long last = Jdbc.query(c, "SELECT last_id FROM rollup_state WHERE source = ?", rs -> rs.getLong(1), source).get(0);
            long max = Jdbc.query(c, "SELECT COALESCE(MAX(id), 0) FROM " + table, rs -> rs.getLong(1)).get(0);
            if (max <= last) {
                return false;
            }
            long upTo = Math.min(max, last + BATCH);
            fold.rows(c, last, upTo);
            Jdbc.update(c, "UPDATE rollup_state SET last_id = ? WHERE source = ?", upTo, source);
            return upTo < max;
        });
    }

    private boolean catchUpCalls() {
        return step("llm_calls", "llm_calls", (c, last, upTo) -> {
        Dialect d = jdbc.dialect();
        Jdbc.update(c, """
                INSERT INTO usage_hourly(hour, provider, model, platform, cron_job_id, calls, estimated_calls,
                    unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
                    reasoning_tokens, cost_micros, latency_ms, provisional_calls, provisional_micros, latency_calls)
                SELECT ts / 3600000, provider, model, COALESCE(platform, ''), COALESCE(cron_job_id, ''),
                       COUNT(*), SUM(estimated), SUM(1 - priced), %s, %s,
                       %s, %s,
                       %s, %s, %s, SUM(provisional),
                       %s, SUM(CASE WHEN latency_ms > 0 THEN 1 ELSE 0 END)
                FROM llm_calls WHERE id > ? AND id <= ?
                GROUP BY 1, 2, 3, 4, 5
                ON CONFLICT(hour, provider, model, platform, cron_job_id) DO UPDATE SET
                    calls = usage_hourly.calls + excluded.calls,
                    estimated_calls = usage_hourly.estimated_calls + excluded.estimated_calls,
                    unpriced_calls = usage_hourly.unpriced_calls + excluded.unpriced_calls,
                    input_tokens = %s,
                    output_tokens = %s,
                    cache_read_tokens = %s,
                    cache_write_tokens = %s,
                    reasoning_tokens = %s,
                    cost_micros = %s,
                    latency_ms = %s,
                    provisional_calls = usage_hourly.provisional_calls + excluded.provisional_calls,
                    provisional_micros = %s,
                    latency_calls = usage_hourly.latency_calls + excluded.latency_calls""".formatted(d.sum("input_tokens"), d.sum("output_tokens"),
                d.sum("cache_read_tokens"), d.sum("cache_write_tokens + cache_write_1h_tokens"), d.sum("reasoning_tokens"),
                d.sum("cost_micros"), d.sum("latency_ms"), d.sum("CASE WHEN provisional = 1 THEN cost_micros ELSE 0 END"),
                grown(d, "input_tokens"), grown(d, "output_tokens"),
                grown(d, "cache_read_tokens"), grown(d, "cache_write_tokens"), grown(d, "reasoning_tokens"),
                grown(d, "cost_micros"), grown(d, "latency_ms"), grown(d, "provisional_micros")), last, upTo);
        });
    }

    /** Which sessions had calls in which hour, for counting a range's sessions without its raw calls. */
    private boolean catchUpSessions() {
        return step("llm_call_sessions", "llm_calls", (c, last, upTo) -> {
        Jdbc.update(c, """
                INSERT INTO session_hours(hour, session_id)
                SELECT DISTINCT ts / 3600000, session_id FROM llm_calls WHERE id > ? AND id <= ? AND session_id IS NOT NULL
                ON CONFLICT(hour, session_id) DO NOTHING""", last, upTo);
        });
    }

    /** An hour's total plus the rows being folded in, held to the largest long. */
    private static String grown(Dialect d, String column) {
        return d.plus("usage_hourly." + column, "excluded." + column);
    }

    private boolean catchUpTools() {
        return step("tool_calls", "tool_calls", (c, last, upTo) -> {
        Jdbc.update(c, """
                INSERT INTO tools_hourly(hour, tool_name, calls, failures, duration_ms, timed_calls)
                SELECT ts / 3600000, tool_name, COUNT(*), SUM(CASE WHEN status <> 'ok' THEN 1 ELSE 0 END), SUM(duration_ms),
                       SUM(CASE WHEN duration_ms > 0 THEN 1 ELSE 0 END)
                FROM tool_calls WHERE id > ? AND id <= ?
                GROUP BY 1, 2
                ON CONFLICT(hour, tool_name) DO UPDATE SET
                    calls = tools_hourly.calls + excluded.calls,
                    failures = tools_hourly.failures + excluded.failures,
                    duration_ms = tools_hourly.duration_ms + excluded.duration_ms,
                    timed_calls = tools_hourly.timed_calls + excluded.timed_calls""", last, upTo);
        });
    }

    /** Deletes raw rows older than the cutoff that are already rolled up; returns how many calls went. */
    public long purgeBefore(Instant cutoff) {
        catchUp();
        long ms = cutoff.toEpochMilli();
        long removed = 0;
        int n;
        do {
            n = jdbc.update("""
                    DELETE FROM llm_calls WHERE id IN (
                        SELECT id FROM llm_calls
                        WHERE ts < ? AND id <= (SELECT MIN(last_id) FROM rollup_state WHERE source IN ('llm_calls', 'llm_call_sessions'))
                        LIMIT ?)""", ms, PURGE_BATCH);
            removed += n;
        } while (n > 0);
        do {
            n = jdbc.update("""
                    DELETE FROM tool_calls WHERE id IN (
                        SELECT id FROM tool_calls
                        WHERE ts < ? AND id <= (SELECT last_id FROM rollup_state WHERE source = 'tool_calls')
                        LIMIT ?)""", ms, PURGE_BATCH);
        } while (n > 0);
        jdbc.update("""
                DELETE FROM sessions WHERE started_at < ?
                  AND NOT EXISTS (SELECT 1 FROM llm_calls l WHERE l.session_id = sessions.session_id)
                  AND NOT EXISTS (SELECT 1 FROM tool_calls t WHERE t.session_id = sessions.session_id)""", ms);
        // Sessions are counted from raw calls: the hours up to the cutoff's are worked out again from the calls left.
        long cutoffHour = Math.floorDiv(ms, HOUR_MS);
        jdbc.inTransaction(c -> {
            Jdbc.update(c, "DELETE FROM session_hours WHERE hour <= ?", cutoffHour);
            return Jdbc.update(c, """
                    INSERT INTO session_hours(hour, session_id)
                    SELECT DISTINCT ts / 3600000, session_id FROM llm_calls
                    WHERE ts < ? AND session_id IS NOT NULL
                      AND id <= (SELECT last_id FROM rollup_state WHERE source = 'llm_call_sessions')
                    ON CONFLICT(hour, session_id) DO NOTHING""", (cutoffHour + 1) * HOUR_MS);
        });
        jdbc.update("DELETE FROM budget_alerts WHERE fired_at < ?", ms);
        jdbc.update("DELETE FROM cron_pauses WHERE paused_at < ?", ms);
        jdbc.update("DELETE FROM provisional_notices WHERE noticed_at < ?", ms);
        return removed;
    }
}
