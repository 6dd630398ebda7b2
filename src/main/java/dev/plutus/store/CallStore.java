package dev.plutus.store;

import dev.plutus.core.CallOrigin;
import dev.plutus.core.LlmCall;
import dev.plutus.core.ToolCall;
import dev.plutus.core.TokenUsage;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Model and tool calls. Inserts are idempotent on the event id. */
public final class CallStore {
    static final String LEDGER_COLUMNS =
            "id, ts, session_id, root_session_id, cron_job_id, sender_id, provider, model, cost_micros, estimated, priced, provisional,"
                    + " event_id";

    private static final String ENSURE_SESSION =
            "INSERT INTO sessions(session_id, platform, started_at) VALUES (?, ?, ?) ON CONFLICT(session_id) DO NOTHING";
    static final String CALL_COLUMNS = """
            event_id, ts, session_id, root_session_id, platform, cron_job_id, sender_id,
                provider, model, response_model, input_tokens, output_tokens, cache_read_tokens,
                cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, cost_micros, priced,
                price_entry, estimated, latency_ms, reported_ts, provisional""";
    static final int CALL_PARAMS = 23;
    static final int ORIGIN_PARAMS = 7;
    /**
     * Rows per INSERT on a networked store, where each statement is a round trip: 200 × 22
     * parameters stays well inside PostgreSQL's limit. SQLite runs in this process, where one
     * prepared single-row statement re-bound per row is cheapest.
     */
    private static final int ROWS_PER_STATEMENT = 200;

    private final Jdbc jdbc;

    public CallStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores the call and returns its row id, or empty when its event id was already stored. */
    public OptionalLong insert(LlmCall call) {
        return insertAll(List.of(call)).get(0);
    }

    /**
     * Stores the calls in one transaction, in order; for each, its row id, or empty when its event
     * id was already stored (or came earlier in the batch). Ids given in one transaction are
     * consecutive: writers take turns on every store. Running totals are not touched here.
     */
    public List<OptionalLong> insertAll(List<LlmCall> batch) {
        int perStatement = jdbc.dialect() == Dialect.SQLITE ? 1 : ROWS_PER_STATEMENT;
        return jdbc.inTransaction(c -> {
            try (Statements sessions = new Statements(c, n -> "INSERT INTO sessions(session_id, platform, started_at) VALUES "
                    + rows(n, 3) + " ON CONFLICT(session_id) DO NOTHING");
                 Statements calls = new Statements(c, n -> "INSERT INTO llm_calls(" + CALL_COLUMNS + ") VALUES "
                    + rows(n, CALL_PARAMS) + " ON CONFLICT(event_id) DO NOTHING RETURNING id, event_id");
                 Statements origins = new Statements(c, n -> "INSERT INTO ingested_calls(call_id, key_id, workspace, task_type, source,"
                    + " tracked_tokens, over_free_limit) VALUES " + rows(n, ORIGIN_PARAMS))) {
                ensureSessions(sessions, batch, perStatement);
                List<OptionalLong> ids = new ArrayList<>(batch.size());
                for (int from = 0; from < batch.size(); from += perStatement) {
                    ids.addAll(insertChunk(calls, batch.subList(from, Math.min(batch.size(), from + perStatement))));
                }
                insertOrigins(origins, batch, ids, perStatement);
                return ids;
            }
        });
    }

    /** Prepared multi-row statements by row count, for one transaction: a full chunk's statement is prepared once. */
    static final class Statements implements AutoCloseable {
        private final Connection c;
        private final java.util.function.IntFunction<String> sql;
        private final java.util.Map<Integer, java.sql.PreparedStatement> byRows = new java.util.HashMap<>();

        Statements(Connection c, java.util.function.IntFunction<String> sql) {
            this.c = c;
            this.sql = sql;
        }

        java.sql.PreparedStatement bound(int rows, Object[] params) throws SQLException {
            java.sql.PreparedStatement ps = byRows.get(rows);
            if (ps == null) {
                ps = c.prepareStatement(sql.apply(rows));
                byRows.put(rows, ps);
            }
            Jdbc.bind(ps, params);
            return ps;
        }

        @Override
        public void close() throws SQLException {
            for (java.sql.PreparedStatement ps : byRows.values()) {
                ps.close();
            }
        }
    }

    static void ensureSessions(Statements insert, List<LlmCall> batch, int perStatement) throws SQLException {
        java.util.Map<String, LlmCall> first = new java.util.LinkedHashMap<>();
        for (LlmCall call : batch) {
            if (call.sessionId() != null) {
                first.putIfAbsent(call.sessionId(), call);
            }
        }
        List<LlmCall> sessions = List.copyOf(first.values());
        for (int from = 0; from < sessions.size(); from += perStatement) {
            List<LlmCall> chunk = sessions.subList(from, Math.min(sessions.size(), from + perStatement));
            Object[] params = new Object[chunk.size() * 3];
            int i = 0;
            for (LlmCall call : chunk) {
                params[i++] = call.sessionId();
                params[i++] = call.platform();
                params[i++] = call.timestamp().toEpochMilli();
            }
            insert.bound(chunk.size(), params).executeUpdate();
        }
    }

    /**
     * One multi-row INSERT. Rows skipped as duplicates return nothing, so which rows were stored is
     * read off the event ids returned; the stored rows, in the order given, took increasing ids.
     */
    static List<OptionalLong> insertChunk(Statements insert, List<LlmCall> chunk) throws SQLException {
        Object[] params = new Object[chunk.size() * CALL_PARAMS];
        int i = 0;
        for (LlmCall call : chunk) {
            TokenUsage u = call.usage();
            for (Object v : new Object[] {call.eventId(), call.timestamp().toEpochMilli(), call.sessionId(),
                    call.rootSessionId(), call.platform(), call.cronJobId(), call.senderId(), call.provider(),
                    call.model(), call.responseModel(), u.input(), u.output(), u.cacheRead(), u.cacheWrite(),
                    u.cacheWrite1h(), u.reasoning(), call.costMicros(), call.priced(), call.priceEntry(),
                    call.estimated(), call.latencyMillis(), call.reportedAt() == null ? null : call.reportedAt().toEpochMilli(),
                    call.provisional()}) {
                params[i++] = v;
            }
        }
        java.util.Set<String> storedEvents = new java.util.HashSet<>();
        List<Long> storedIds = new ArrayList<>(chunk.size());
        try (ResultSet rs = insert.bound(chunk.size(), params).executeQuery()) {
            while (rs.next()) {
                storedIds.add(rs.getLong(1));
                String event = rs.getString(2);
                if (event != null) {
                    storedEvents.add(event);
                }
            }
        }
        storedIds.sort(null);
        List<OptionalLong> out = new ArrayList<>(chunk.size());
        java.util.Set<String> taken = new java.util.HashSet<>();
        int next = 0;
        for (LlmCall call : chunk) {
            // A repeated event id is stored once, for its first row.
            boolean stored = call.eventId() == null || (storedEvents.contains(call.eventId()) && taken.add(call.eventId()));
            out.add(stored ? OptionalLong.of(storedIds.get(next++)) : OptionalLong.empty());
        }
        if (next != storedIds.size()) {
            throw new SQLException("stored " + storedIds.size() + " calls but matched " + next + " to the batch");
        }
        return out;
    }

    static void insertOrigins(Statements insert, List<LlmCall> batch, List<OptionalLong> ids, int perStatement)
            throws SQLException {
        List<Object> params = new ArrayList<>();
        int rows = 0;
        for (int k = 0; k < batch.size(); k++) {
            CallOrigin o = batch.get(k).origin();
            if (o != null && ids.get(k).isPresent()) {
                params.addAll(java.util.Arrays.asList(ids.get(k).getAsLong(), o.keyId(), o.workspace(), o.taskType(), o.source(),
                        o.trackedTokens(), o.overFreeLimit()));
                rows++;
            }
            if (rows == perStatement || (k == batch.size() - 1 && rows > 0)) {
                insert.bound(rows, params.toArray()).executeUpdate();
                params.clear();
                rows = 0;
            }
        }
    }

    /** {@code n} parenthesised rows of {@code width} placeholders: the VALUES of a multi-row INSERT. */
    static String rows(int n, int width) {
        String row = "(" + String.join(", ", java.util.Collections.nCopies(width, "?")) + ")";
        return String.join(", ", java.util.Collections.nCopies(n, row));
    }

    /** Stores the tool call; returns false when its event id was already stored. */
    public boolean insertTool(ToolCall t) {
        return jdbc.inTransaction(c -> {
            if (t.sessionId() != null) {
                ensureSession(c, t.sessionId(), null, t.timestamp());
            }
            return Jdbc.update(c, """
                    INSERT INTO tool_calls(event_id, ts, session_id, tool_name, status, error_type, duration_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING""",
                    t.eventId(), t.timestamp().toEpochMilli(), t.sessionId(), t.toolName(), t.status(),
                    t.errorType(), t.durationMillis()) == 1;
        });
    }

    /** Calls with ids in (afterId, upToId], oldest first: what another process added meanwhile. */
    public List<LedgerEntry> ledgerBetween(long afterId, long upToId) {
        return jdbc.query("SELECT " + LEDGER_COLUMNS + " FROM llm_calls WHERE id > ? AND id <= ? ORDER BY id",
                CallStore::mapLedger, afterId, upToId);
    }

    public List<LedgerEntry> ledgerAfter(long afterId, int limit) {
        return jdbc.query(LEDGER_AFTER, CallStore::mapLedger, afterId, limit);
    }

    /** The same, on a connection the caller holds (inside its transaction, without taking a second one from the pool). */
    public List<LedgerEntry> ledgerAfter(java.sql.Connection c, long afterId, int limit) throws java.sql.SQLException {
        return Jdbc.query(c, LEDGER_AFTER, CallStore::mapLedger, afterId, limit);
    }

    private static final String LEDGER_AFTER = "SELECT " + LEDGER_COLUMNS + " FROM llm_calls WHERE id > ? ORDER BY id LIMIT ?";

    /** Calls dated at or after {@code since} with ids up to {@code upToId}: the start-up rebuild of running totals. */
    public void forEachLedgerSince(Instant since, long upToId, java.util.function.Consumer<LedgerEntry> sink) {
        jdbc.query("SELECT " + LEDGER_COLUMNS + " FROM llm_calls WHERE ts >= ? AND id <= ?",
                rs -> {
                    sink.accept(mapLedger(rs));
                    return Boolean.TRUE;
                }, since.toEpochMilli(), upToId);
    }

    /** Sessions with calls whose event id does not start with {@code importedPrefix} (those an import wrote itself). */
    public List<String> sessionsWithCallsNotFrom(String importedPrefix) {
        jdbc.awaitPendingWrites();
        return jdbc.query("""
                SELECT DISTINCT session_id FROM llm_calls
                WHERE session_id IS NOT NULL AND (event_id IS NULL OR event_id NOT LIKE ? ESCAPE '!')""", rs -> rs.getString(1),
                importedPrefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
    }

    /** What earlier imports stored for one session: the sums of its imported calls and the time of the newest. */
    public record ImportedTotals(long input, long output, long cacheRead, long cacheWrite, long reasoning, long costMicros,
                                 java.time.Instant lastAt) {}

    /** Per session, the totals of the calls whose event id starts with {@code importedPrefix}. */
    public java.util.Map<String, ImportedTotals> importedTotals(String importedPrefix) {
        java.util.Map<String, ImportedTotals> out = new java.util.HashMap<>();
        jdbc.query("""
                SELECT session_id, SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens),
                       SUM(cache_write_tokens + cache_write_1h_tokens), SUM(reasoning_tokens), SUM(cost_micros), MAX(ts)
                FROM llm_calls WHERE session_id IS NOT NULL AND event_id LIKE ? ESCAPE '!' GROUP BY session_id""",
                rs -> new Object[] {rs.getString(1), new ImportedTotals(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getLong(6), rs.getLong(7), java.time.Instant.ofEpochMilli(rs.getLong(8)))},
                importedPrefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%")
                .forEach(row -> out.put((String) row[0], (ImportedTotals) row[1]));
        return out;
    }

    public long maxId() {
        return jdbc.queryLong("SELECT COALESCE(MAX(id), 0) FROM llm_calls");
    }

    public long count() {
        jdbc.awaitPendingWrites();
        return jdbc.queryLong("SELECT COUNT(*) FROM llm_calls");
    }

    /** The newest calls, newest first. */
    public List<LlmCall> recent(int limit) {
        jdbc.awaitPendingWrites();
        return jdbc.query("""
                SELECT c.*, o.key_id AS o_key, o.workspace AS o_workspace, o.task_type AS o_task, o.source AS o_source,
                       o.tracked_tokens AS o_tracked, o.over_free_limit AS o_over
                FROM llm_calls c LEFT JOIN ingested_calls o ON o.call_id = c.id
                ORDER BY c.ts DESC, c.id DESC LIMIT ?""", CallStore::mapCall, limit);
    }

    private static void ensureSession(Connection c, String sessionId, String platform, Instant at) throws SQLException {
        Jdbc.update(c, ENSURE_SESSION, sessionId, platform, at.toEpochMilli());
    }

    private static Instant reportedAt(ResultSet rs) throws SQLException {
        long ms = rs.getLong("reported_ts");
        return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
    }

    static LedgerEntry mapLedger(ResultSet rs) throws SQLException {
        return new LedgerEntry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getLong(9), rs.getInt(10) != 0, rs.getInt(11) != 0,
                rs.getInt(12) != 0, rs.getString(13));
    }

    static LlmCall mapCall(ResultSet rs) throws SQLException {
        TokenUsage u = new TokenUsage(rs.getLong("input_tokens"), rs.getLong("output_tokens"),
                rs.getLong("cache_read_tokens"), rs.getLong("cache_write_tokens"), rs.getLong("cache_write_1h_tokens"),
                rs.getLong("reasoning_tokens"));
        return new LlmCall(rs.getString("event_id"), Instant.ofEpochMilli(rs.getLong("ts")), rs.getString("session_id"),
                rs.getString("root_session_id"), rs.getString("platform"), rs.getString("cron_job_id"),
                rs.getString("sender_id"), rs.getString("provider"), rs.getString("model"), rs.getString("response_model"),
                u, rs.getInt("estimated") != 0, rs.getLong("cost_micros"), rs.getInt("priced") != 0,
                rs.getString("price_entry"), rs.getLong("latency_ms"), rs.getString("o_key") == null ? null
                        : new CallOrigin(rs.getString("o_key"), rs.getString("o_workspace"), rs.getString("o_task"),
                                rs.getString("o_source"), rs.getLong("o_tracked"), rs.getInt("o_over") != 0),
                reportedAt(rs), rs.getInt("provisional") != 0);
    }

    /** A stored call counted at a provisional price: what re-pricing it needs. */
    public record ProvisionalCall(long id, long timestampMillis, String platform, String cronJobId, String provider,
                                  String model, String responseModel, TokenUsage usage, long costMicros, String priceEntry) {}

    /**
     * A provisional call's new price: real ({@code priced}, no longer provisional) or another stand-in.
     * Applied only while the row still holds the cost {@code call} was read with.
     */
    public record Repricing(ProvisionalCall call, long toMicros, boolean priced, String priceEntry) {}

    /** Provisional calls with ids above {@code afterId}, oldest first. */
    public List<ProvisionalCall> provisionalAfter(long afterId, int limit) {
        jdbc.awaitPendingWrites();
        return jdbc.query("""
                SELECT id, ts, platform, cron_job_id, provider, model, response_model, input_tokens, output_tokens,
                       cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, cost_micros, price_entry
                FROM llm_calls WHERE provisional = 1 AND id > ? ORDER BY id LIMIT ?""",
                rs -> new ProvisionalCall(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), new TokenUsage(rs.getLong(8), rs.getLong(9), rs.getLong(10),
                        rs.getLong(11), rs.getLong(12), rs.getLong(13)), rs.getLong(14), rs.getString(15)), afterId, limit);
    }

    /**
     * Applies new prices to provisional calls in one transaction, with the hourly rollups of the rows
     * already rolled up (each row's change is applied exactly once: only a row still provisional at the
     * cost it was read with is changed), and marks the store re-priced under {@link #REPRICED_KEY} so
     * every process sharing it rebuilds its running totals. Returns how many rows changed.
     */
    public int reprice(List<Repricing> changes) {
        if (changes.isEmpty()) {
            return 0;
        }
        return jdbc.inTransaction(c -> {
            long rolledUpTo = Jdbc.query(c, "SELECT last_id FROM rollup_state WHERE source = 'llm_calls'", rs -> rs.getLong(1)).get(0);
            int changed = 0;
            for (Repricing r : changes) {
                ProvisionalCall p = r.call();
                int n = Jdbc.update(c, """
                        UPDATE llm_calls SET cost_micros = ?, priced = ?, provisional = ?, price_entry = ?
                        WHERE id = ? AND provisional = 1 AND cost_micros = ?""",
                        r.toMicros(), r.priced(), !r.priced(), r.priceEntry(), p.id(), p.costMicros());
                if (n == 0) {
                    continue;
                }
                changed++;
                if (p.id() <= rolledUpTo) {
                    Jdbc.update(c, """
                            UPDATE usage_hourly SET cost_micros = cost_micros + ?, unpriced_calls = unpriced_calls - ?,
                                provisional_calls = provisional_calls - ?, provisional_micros = provisional_micros + ?
                            WHERE hour = ? AND provider = ? AND model = ? AND platform = ? AND cron_job_id = ?""",
                            r.toMicros() - p.costMicros(), r.priced() ? 1 : 0, r.priced() ? 1 : 0,
                            r.priced() ? -p.costMicros() : r.toMicros() - p.costMicros(),
                            p.timestampMillis() / RollupStore.HOUR_MS, p.provider(), p.model(),
                            p.platform() == null ? "" : p.platform(), p.cronJobId() == null ? "" : p.cronJobId());
                }
            }
            if (changed > 0) {
                Jdbc.update(c, "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        REPRICED_KEY, java.util.UUID.randomUUID().toString());
            }
            return changed;
        });
    }

    /** The meta key whose value changes whenever stored calls are re-priced. */
    public static final String REPRICED_KEY = "calls_repriced";
}
