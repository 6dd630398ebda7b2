package dev.plutus.hermes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.sqlite.SQLiteConfig;

/**
 * hermes-telemetry's SQLite database ({@code telemetry.db}), opened read-only: its schema version is
 * checked before anything is read, then its sessions ({@code runs}), model calls and tool calls come
 * out as the raw values stored. SQLite keeps whatever a writer put in a column, so values are handed
 * on as found ({@link Object}) and judged by {@link TelemetryImport}, never trusted here.
 */
final class TelemetryDb implements AutoCloseable {
    /** Schema versions whose tables and columns this reader knows (hermes-telemetry's {@code _SCHEMA_VERSION}). */
    static final List<Integer> UNDERSTOOD_VERSIONS = List.of(16);

    private static final Map<String, List<String>> REQUIRED = Map.of(
            "runs", List.of("session_id", "platform", "cron_job_id", "model", "provider", "started_at", "ended_at", "status",
                    "parent_session_id", "sender_id"),
            "llm_calls", List.of("id", "session_id", "ts", "model", "provider", "tokens_in", "tokens_out", "cost_usd",
                    "latency_ms", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "estimated"),
            "tool_calls", List.of("id", "session_id", "ts", "tool_name", "ok", "latency_ms"),
            "subagent_edges", List.of("child_session_id", "parent_session_id"));

    /** A session as the peer recorded it. */
    record Run(String sessionId, String platform, String cronJobId, String senderId, String parentSessionId, String model,
               String provider, Object startedAt, Object endedAt, String status) {}

    /** One {@code llm_calls} row. */
    record CallRow(long id, String sessionId, Object ts, String model, String provider, Object tokensIn, Object tokensOut,
                   Object cacheRead, Object cacheWrite, Object reasoning, Object estimated, Object costUsd, Object latencyMs) {}

    /** One {@code tool_calls} row. */
    record ToolRow(long id, String sessionId, Object ts, String toolName, Object ok, Object latencyMs) {}

    private final Path file;
    private final Connection connection;
    private final int version;

    private TelemetryDb(Path file, Connection connection, int version) {
        this.file = file;
        this.connection = connection;
        this.version = version;
    }

    /** Opens {@code file}; refused, naming the file and the problem, when it is missing, unreadable or of another schema. */
    static TelemetryDb open(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + ": no such file (hermes-telemetry keeps telemetry.db in "
                    + "~/.hermes/telemetry/, or $HERMES_TELEMETRY_HOME/telemetry/; name another with --db FILE)");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(file + ": not a readable file");
        }
        SQLiteConfig ro = new SQLiteConfig();
        ro.setReadOnly(true);
        ro.setBusyTimeout(5000);
        Connection c = null;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), ro.toProperties());
            int v = checkSchema(file, c);
            return new TelemetryDb(file, c, v);
        } catch (SQLException e) {
            close(c);
            throw new IllegalArgumentException(file + ": cannot be read as an SQLite database (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            close(c);
            throw e;
        }
    }

    private static int checkSchema(Path file, Connection c) throws SQLException {
        Set<String> tables = new HashSet<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        if (!tables.contains("schema_version")) {
            throw new IllegalArgumentException(file + ": not a hermes-telemetry database (it has no schema_version table)");
        }
        int v;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
            v = rs.next() ? rs.getInt(1) : 0;
        }
        if (!UNDERSTOOD_VERSIONS.contains(v)) {
            throw new IllegalArgumentException(file + ": hermes-telemetry schema version " + v + " is not one this import understands ("
                    + UNDERSTOOD_VERSIONS.stream().map(String::valueOf).collect(Collectors.joining(", "))
                    + (v < UNDERSTOOD_VERSIONS.get(0) ? "); start Hermes once with an up-to-date hermes-telemetry so it migrates its database"
                    : "); a newer Plutus may read it"));
        }
        for (Map.Entry<String, List<String>> t : REQUIRED.entrySet()) {
            if (!tables.contains(t.getKey())) {
                throw new IllegalArgumentException(file + ": schema version " + v + " but its " + t.getKey() + " table is missing");
            }
            Set<String> columns = new HashSet<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(" + t.getKey() + ")")) {
                while (rs.next()) {
                    columns.add(rs.getString("name"));
                }
            }
            List<String> missing = t.getValue().stream().filter(col -> !columns.contains(col)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(file + ": schema version " + v + " but table " + t.getKey()
                        + " lacks column(s) " + String.join(", ", missing));
            }
        }
        return v;
    }

    int version() {
        return version;
    }

    Path file() {
        return file;
    }

    List<Run> runs() {
        return read("SELECT session_id, platform, cron_job_id, sender_id, parent_session_id, model, provider, started_at, ended_at,"
                + " status FROM runs ORDER BY started_at", rs -> new Run(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getObject(8), rs.getObject(9),
                rs.getString(10)));
    }

    /** Child session to the session that delegated to it, from {@code subagent_edges}. */
    Map<String, String> delegations() {
        Map<String, String> out = new HashMap<>();
        for (String[] e : read("SELECT child_session_id, parent_session_id FROM subagent_edges",
                rs -> new String[] {rs.getString(1), rs.getString(2)})) {
            if (e[0] != null && e[1] != null) {
                out.put(e[0], e[1]);
            }
        }
        return out;
    }

    List<CallRow> calls() {
        return read("SELECT id, session_id, ts, model, provider, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens,"
                + " reasoning_tokens, estimated, cost_usd, latency_ms FROM llm_calls ORDER BY id", rs -> new CallRow(rs.getLong(1),
                rs.getString(2), rs.getObject(3), rs.getString(4), rs.getString(5), rs.getObject(6), rs.getObject(7),
                rs.getObject(8), rs.getObject(9), rs.getObject(10), rs.getObject(11), rs.getObject(12), rs.getObject(13)));
    }

    List<ToolRow> tools() {
        return read("SELECT id, session_id, ts, tool_name, ok, latency_ms FROM tool_calls ORDER BY id", rs -> new ToolRow(
                rs.getLong(1), rs.getString(2), rs.getObject(3), rs.getString(4), rs.getObject(5), rs.getObject(6)));
    }

    private interface Mapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> read(String sql, Mapper<T> mapper) {
        List<T> out = new ArrayList<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        return out;
    }

    @Override
    public void close() {
        close(connection);
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // read-only: nothing to lose
            }
        }
    }
}
