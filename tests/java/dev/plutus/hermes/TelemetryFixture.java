package dev.plutus.hermes;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes a database shaped as hermes-telemetry's {@code telemetry.db} at schema version 16, from
 * table definitions written here after reading the peer's description of its schema (its own code is
 * not used). Times are written as the peer writes them: Python's {@code isoformat()} in UTC. Rows go
 * in with the same columns the peer fills; values are taken as given, so a test can store absurd ones.
 */
public final class TelemetryFixture implements AutoCloseable {
    static final DateTimeFormatter PYTHON_ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

    private static final String TABLES = """
            CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
            CREATE TABLE runs (
              session_id TEXT PRIMARY KEY, platform TEXT, cron_job_id TEXT, model TEXT, provider TEXT,
              started_at TEXT NOT NULL, ended_at TEXT, status TEXT DEFAULT 'running',
              tokens_in INTEGER DEFAULT 0, tokens_out INTEGER DEFAULT 0, cost_usd REAL DEFAULT 0.0, duration_ms INTEGER,
              api_calls INTEGER DEFAULT 0, tool_calls INTEGER DEFAULT 0,
              parent_session_id TEXT, estimated_llm_calls INTEGER DEFAULT 0, sender_id TEXT,
              cache_read_tokens INTEGER DEFAULT 0, cache_write_tokens INTEGER DEFAULT 0,
              provider_assumed_calls INTEGER DEFAULT 0, moa_calls INTEGER DEFAULT 0, profile TEXT);
            CREATE TABLE llm_calls (
              id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, ts TEXT NOT NULL, model TEXT, provider TEXT,
              tokens_in INTEGER DEFAULT 0, tokens_out INTEGER DEFAULT 0, cost_usd REAL DEFAULT 0.0, latency_ms INTEGER,
              cache_read_tokens INTEGER DEFAULT 0, cache_write_tokens INTEGER DEFAULT 0, reasoning_tokens INTEGER DEFAULT 0,
              estimated INTEGER DEFAULT 0, provider_assumed INTEGER DEFAULT 0, moa_preset TEXT);
            CREATE TABLE tool_calls (
              id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, ts TEXT NOT NULL, tool_name TEXT NOT NULL,
              ok INTEGER NOT NULL DEFAULT 1, latency_ms INTEGER);
            CREATE TABLE budget_alerts (
              id INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL, scope_id TEXT NOT NULL DEFAULT '',
              window TEXT NOT NULL, period_key TEXT NOT NULL, level TEXT NOT NULL, fired_at TEXT NOT NULL,
              spent_usd REAL, limit_usd REAL, UNIQUE(scope, scope_id, window, period_key, level));
            CREATE TABLE known_free_models (model TEXT NOT NULL, provider TEXT NOT NULL DEFAULT '', first_seen_at TEXT NOT NULL,
              PRIMARY KEY (model, provider));
            CREATE TABLE subagent_edges (
              child_session_id TEXT PRIMARY KEY, parent_session_id TEXT NOT NULL, parent_turn_id TEXT,
              parent_subagent_id TEXT, child_subagent_id TEXT, child_role TEXT, started_at TEXT NOT NULL,
              stopped_at TEXT, child_status TEXT);
            """;

    private final Connection c;

    private TelemetryFixture(Connection c) {
        this.c = c;
    }

    /** A new database at {@code file} whose schema_version table says it is at {@code version} (16 is the real shape). */
    public static TelemetryFixture create(Path file, int version) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement st = c.createStatement()) {
            for (String ddl : TABLES.split(";\\s*\n")) {
                if (!ddl.isBlank()) {
                    st.execute(ddl);
                }
            }
            for (int v = 1; v <= version; v++) {
                st.execute("INSERT INTO schema_version VALUES (" + v + ", '2026-01-0" + Math.min(9, v % 9 + 1) + "T00:00:00+00:00')");
            }
        }
        return new TelemetryFixture(c);
    }

    /** Opens a database made earlier, to add rows as the peer would while it keeps recording. */
    public static TelemetryFixture reopen(Path file) throws SQLException {
        return new TelemetryFixture(DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath()));
    }

    public static String iso(Instant t) {
        return PYTHON_ISO.format(t);
    }

    public TelemetryFixture run(String sessionId, String platform, String cronJobId, String senderId, String parentSessionId,
                         Instant started, Instant ended, String status) throws SQLException {
        exec("INSERT INTO runs (session_id, platform, cron_job_id, sender_id, parent_session_id, started_at, ended_at, status)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", sessionId, platform, cronJobId, senderId, parentSessionId, iso(started),
                ended == null ? null : iso(ended), status);
        return this;
    }

    public TelemetryFixture edge(String child, String parent, Instant at) throws SQLException {
        exec("INSERT INTO subagent_edges (child_session_id, parent_session_id, child_role, started_at) VALUES (?, ?, 'leaf', ?)",
                child, parent, iso(at));
        return this;
    }

    /** An llm_calls row; {@code ts} and the numbers are stored as given, so a test can write what no call has. */
    public TelemetryFixture call(String sessionId, Object ts, String provider, String model, Object in, Object out, Object cacheRead,
                          Object cacheWrite, Object reasoning, Object costUsd) throws SQLException {
        exec("INSERT INTO llm_calls (session_id, ts, model, provider, tokens_in, tokens_out, cost_usd, latency_ms,"
                + " cache_read_tokens, cache_write_tokens, reasoning_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, 1200, ?, ?, ?)",
                sessionId, ts instanceof Instant t ? iso(t) : ts, model, provider, in, out, costUsd, cacheRead, cacheWrite, reasoning);
        return this;
    }

    public TelemetryFixture tool(String sessionId, Instant ts, String name, boolean ok) throws SQLException {
        exec("INSERT INTO tool_calls (session_id, ts, tool_name, ok, latency_ms) VALUES (?, ?, ?, ?, 35)",
                sessionId, iso(ts), name, ok ? 1 : 0);
        return this;
    }

    private void exec(String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
