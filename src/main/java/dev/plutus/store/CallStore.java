package dev.plutus.store;

import dev.plutus.CallOrigin;
import dev.plutus.LlmCall;
import dev.plutus.ToolCall;
import dev.plutus.TokenUsage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Model and tool calls. Inserts are idempotent on the event id. */
public final class CallStore {
    static final String LEDGER_COLUMNS =
            "id, ts, session_id, root_session_id, cron_job_id, sender_id, provider, model, cost_micros, estimated, priced";

    private static final String ENSURE_SESSION =
            "INSERT INTO sessions(session_id, platform, started_at) VALUES (?, ?, ?) ON CONFLICT(session_id) DO NOTHING";
    private static final String INSERT_CALL = """
            INSERT INTO llm_calls(event_id, ts, session_id, root_session_id, platform, cron_job_id, sender_id,
                provider, model, response_model, input_tokens, output_tokens, cache_read_tokens,
                cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, cost_micros, priced,
                price_entry, estimated, latency_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(event_id) DO NOTHING RETURNING id""";
    private static final String INSERT_ORIGIN = """
            INSERT INTO ingested_calls(call_id, key_id, workspace, task_type, source, tracked_tokens, over_free_limit)
            VALUES (?, ?, ?, ?, ?, ?, ?)""";

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
     * id was already stored. Ids given in one transaction are consecutive: SQLite runs one writer at
     * a time. Running totals are not touched here.
     */
    public List<OptionalLong> insertAll(List<LlmCall> batch) {
        return jdbc.inTransaction(c -> {
            List<OptionalLong> ids = new ArrayList<>(batch.size());
            try (PreparedStatement session = c.prepareStatement(ENSURE_SESSION);
                 PreparedStatement insert = c.prepareStatement(INSERT_CALL);
                 PreparedStatement origin = c.prepareStatement(INSERT_ORIGIN)) {
                java.util.Set<String> sessionsEnsured = new java.util.HashSet<>();
                for (LlmCall call : batch) {
                    if (call.sessionId() != null && sessionsEnsured.add(call.sessionId())) {
                        Jdbc.bind(session, call.sessionId(), call.platform(), call.timestamp().toEpochMilli());
                        session.executeUpdate();
                    }
                    TokenUsage u = call.usage();
                    Jdbc.bind(insert, call.eventId(), call.timestamp().toEpochMilli(), call.sessionId(),
                            call.rootSessionId(), call.platform(), call.cronJobId(), call.senderId(), call.provider(),
                            call.model(), call.responseModel(), u.input(), u.output(), u.cacheRead(), u.cacheWrite(),
                            u.cacheWrite1h(), u.reasoning(), call.costMicros(), call.priced(), call.priceEntry(),
                            call.estimated(), call.latencyMillis());
                    OptionalLong id;
                    try (ResultSet rs = insert.executeQuery()) {
                        id = rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                    }
                    CallOrigin o = call.origin();
                    if (o != null && id.isPresent()) {
                        Jdbc.bind(origin, id.getAsLong(), o.keyId(), o.workspace(), o.taskType(), o.source(),
                                o.trackedTokens(), o.overFreeLimit());
                        origin.executeUpdate();
                    }
                    ids.add(id);
                }
            }
            return ids;
        });
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

    /** Sessions with calls recorded through hooks or the API (not imported from Hermes's state.db). */
    public List<String> sessionsWithCalls() {
        return jdbc.query("""
                SELECT DISTINCT session_id FROM llm_calls
                WHERE session_id IS NOT NULL AND (event_id IS NULL OR event_id NOT LIKE 'hermes-state:%')""", rs -> rs.getString(1));
    }

    public long maxId() {
        return jdbc.queryLong("SELECT COALESCE(MAX(id), 0) FROM llm_calls");
    }

    public long count() {
        return jdbc.queryLong("SELECT COUNT(*) FROM llm_calls");
    }

    /** The newest calls, newest first. */
    public List<LlmCall> recent(int limit) {
        return jdbc.query("""
                SELECT c.*, o.key_id AS o_key, o.workspace AS o_workspace, o.task_type AS o_task, o.source AS o_source,
                       o.tracked_tokens AS o_tracked, o.over_free_limit AS o_over
                FROM llm_calls c LEFT JOIN ingested_calls o ON o.call_id = c.id
                ORDER BY c.ts DESC, c.id DESC LIMIT ?""", CallStore::mapCall, limit);
    }

    private static void ensureSession(Connection c, String sessionId, String platform, Instant at) throws SQLException {
        Jdbc.update(c, ENSURE_SESSION, sessionId, platform, at.toEpochMilli());
    }

    static LedgerEntry mapLedger(ResultSet rs) throws SQLException {
        return new LedgerEntry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getLong(9), rs.getInt(10) != 0, rs.getInt(11) != 0);
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
                                rs.getString("o_source"), rs.getLong("o_tracked"), rs.getInt("o_over") != 0));
    }
}
