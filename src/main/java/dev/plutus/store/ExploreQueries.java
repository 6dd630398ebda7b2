package dev.plutus.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the dashboard's filters and drill-down read: recorded calls between two instants, sliced by
 * quarter hour (every zone offset is a whole number of quarter hours, so slices add up to hours and
 * days in any zone), provider, model, platform, workspace, task type and cron job. Calls that name no
 * workspace (Hermes's own, embedded ones: only /v1/usage and OTLP calls carry one) are in workspace
 * {@value #DEFAULT_WORKSPACE}, where /v1/usage puts its calls without one; calls that name no task type are
 * {@value #NONE_NAMED} (/v1/usage's own default is "general"), as {@code plutus stats workspaces|task_types} shows them. Reads the raw calls, which
 * are kept for the retention period (400 days by default), not the hourly rollups: a range may start
 * mid-hour and the filters need dimensions the rollups do not have.
 */
public final class ExploreQueries {
    /** Quarter-hour slices: the largest unit that divides every UTC offset in use. */
    public static final long SLICE_MS = 15 * 60 * 1000L;
    /** The task type of a call that names none. */
    public static final String NONE_NAMED = "-";
    /** The workspace of a call that names none: the one /v1/usage puts such calls in. */
    public static final String DEFAULT_WORKSPACE = "default";

    /** Which calls to count; a null field matches everything. */
    public record Filter(String provider, String model, String platform, String workspace, String taskType) {
        public static final Filter NONE = new Filter(null, null, null, null, null);

        public Filter(String provider, String model, String platform, String workspace) {
            this(provider, model, platform, workspace, null);
        }

        public boolean any() {
            return provider != null || model != null || platform != null || workspace != null || taskType != null;
        }

        public boolean matches(Slice s) {
            return (provider == null || provider.equals(s.provider())) && (model == null || model.equals(s.model()))
                    && (platform == null || platform.equals(s.platform())) && (workspace == null || workspace.equals(s.workspace()))
                    && (taskType == null || taskType.equals(s.taskType()));
        }

        /** The filter as SQL over {@code llm_calls l} and {@code ingested_calls ic}, with its parameters appended to {@code params}. */
        String where(List<Object> params) {
            StringBuilder sb = new StringBuilder();
            if (provider != null) {
                sb.append(" AND l.provider = ?");
                params.add(provider);
            }
            if (model != null) {
                sb.append(" AND l.model = ?");
                params.add(model);
            }
            if (platform != null) {
                sb.append(" AND COALESCE(l.platform, '') = ?");
                params.add(platform);
            }
            if (workspace != null) {
                sb.append(" AND " + WORKSPACE + " = ?");
                params.add(workspace);
            }
            if (taskType != null) {
                sb.append(" AND " + TASK_TYPE + " = ?");
                params.add(taskType);
            }
            return sb.toString();
        }
    }

    /** Calls in one quarter hour with the same provider, model, platform, workspace, task type and cron job ("" when none). */
    public record Slice(Instant start, String provider, String model, String platform, String workspace, String taskType, String cronJobId,
                        long calls, long estimatedCalls, long unpricedCalls, long provisionalCalls, long inputTokens,
                        long outputTokens, long cacheReadTokens, long cacheWriteTokens, long costMicros, long provisionalMicros) {}

    /**
     * A session's calls in the range that match the filter, with what the sessions table knows of it
     * (null when it has no row); its cron job is the table's, else the one its calls name.
     */
    public record SessionSlice(String sessionId, String platform, String model, String status, Instant startedAt,
                               Instant lastCallAt, long calls, long costMicros, String cronJobId) {}

    public record ToolSlice(String toolName, long calls, long failures, long durationMillis) {}

    public record SessionInfo(String sessionId, String platform, String model, String provider, String cronJobId,
                              String parentSessionId, Instant startedAt, Instant endedAt, String status, String endReason) {}

    public record CallRow(Instant at, String provider, String model, String platform, String workspace, long inputTokens,
                          long outputTokens, long cacheReadTokens, long cacheWriteTokens, long costMicros, boolean priced,
                          boolean provisional, boolean estimated, long latencyMillis) {}

    public record ToolRow(Instant at, String toolName, String status, String errorType, long durationMillis) {}

    private static final String WORKSPACE = "COALESCE(ic.workspace, '" + DEFAULT_WORKSPACE + "')";
    private static final String TASK_TYPE = "COALESCE(ic.task_type, '" + NONE_NAMED + "')";
    private static final String FROM = " FROM llm_calls l LEFT JOIN ingested_calls ic ON ic.call_id = l.id"
            + " WHERE l.ts >= ? AND l.ts < ?";

    private final Jdbc jdbc;

    public ExploreQueries(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Every call in [from, to) in slices, unfiltered: filters are applied by the caller so it also sees what could be chosen. */
    public List<Slice> slices(Instant from, Instant to) {
        jdbc.awaitPendingWrites();
        Dialect d = jdbc.dialect();
        String sql = """
                SELECT l.ts / %d, l.provider, l.model, COALESCE(l.platform, ''), %s, %s,
                       COALESCE(l.cron_job_id, ''), COUNT(*), %s, %s, %s, %s, %s, %s, %s, %s, %s
                %s
                GROUP BY l.ts / %d, l.provider, l.model, COALESCE(l.platform, ''), %s, %s, COALESCE(l.cron_job_id, '')
                ORDER BY 1"""
                .formatted(SLICE_MS, WORKSPACE, TASK_TYPE, d.sum("l.estimated"), d.sum("1 - l.priced"), d.sum("l.provisional"), d.sum("l.input_tokens"),
                        d.sum("l.output_tokens"), d.sum("l.cache_read_tokens"), d.sum("l.cache_write_tokens + l.cache_write_1h_tokens"),
                        d.sum("l.cost_micros"), d.sum("CASE WHEN l.provisional = 1 THEN l.cost_micros ELSE 0 END"), FROM, SLICE_MS,
                        WORKSPACE, TASK_TYPE);
        return jdbc.query(sql, rs -> new Slice(Instant.ofEpochMilli(rs.getLong(1) * SLICE_MS), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getLong(14), rs.getLong(15), rs.getLong(16), rs.getLong(17)),
                from.toEpochMilli(), to.toEpochMilli());
    }

    /** Sessions with a matching call in [from, to), the most recently active first; all of them (the caller counts and cuts). */
    public List<SessionSlice> sessions(Instant from, Instant to, Filter filter) {
        jdbc.awaitPendingWrites();
        List<Object> params = new ArrayList<>(List.of(from.toEpochMilli(), to.toEpochMilli()));
        String where = filter.where(params);
        String sql = """
                SELECT c.session_id, s.platform, s.model, s.status, s.started_at, c.last_ts, c.calls, c.cost, COALESCE(s.cron_job_id, c.cron)
                FROM (SELECT l.session_id AS session_id, MAX(l.ts) AS last_ts, COUNT(*) AS calls, %s AS cost, MAX(l.cron_job_id) AS cron
                      %s AND l.session_id IS NOT NULL%s GROUP BY l.session_id) c
                LEFT JOIN sessions s ON s.session_id = c.session_id
                ORDER BY c.last_ts DESC, c.session_id""".formatted(jdbc.dialect().sum("l.cost_micros"), FROM, where);
        return jdbc.query(sql, rs -> {
            long started = rs.getLong(5);
            Instant startedAt = rs.wasNull() ? null : Instant.ofEpochMilli(started);
            return new SessionSlice(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), startedAt,
                    Instant.ofEpochMilli(rs.getLong(6)), rs.getLong(7), rs.getLong(8), rs.getString(9));
        }, params.toArray());
    }

    /** Tool calls in [from, to), most used first; with a filter, only those of sessions that made a matching call in the range. */
    public List<ToolSlice> tools(Instant from, Instant to, Filter filter, int limit) {
        jdbc.awaitPendingWrites();
        List<Object> params = new ArrayList<>(List.of(from.toEpochMilli(), to.toEpochMilli()));
        String sessions = "";
        if (filter.any()) {
            params.add(from.toEpochMilli());
            params.add(to.toEpochMilli());
            sessions = " AND t.session_id IN (SELECT l.session_id" + FROM + filter.where(params) + ")";
        }
        params.add(limit);
        return jdbc.query("""
                SELECT t.tool_name, COUNT(*), %s, %s FROM tool_calls t WHERE t.ts >= ? AND t.ts < ?%s
                GROUP BY t.tool_name ORDER BY COUNT(*) DESC, t.tool_name LIMIT ?"""
                        .formatted(jdbc.dialect().sum("CASE WHEN t.status <> 'ok' THEN 1 ELSE 0 END"), jdbc.dialect().sum("t.duration_ms"), sessions),
                rs -> new ToolSlice(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)), params.toArray());
    }

    public java.util.Optional<SessionInfo> session(String sessionId) {
        jdbc.awaitPendingWrites();
        return jdbc.query("""
                SELECT session_id, platform, model, provider, cron_job_id, parent_session_id, started_at, ended_at, status, end_reason
                FROM sessions WHERE session_id = ?""", rs -> {
            long ended = rs.getLong(8);
            Instant endedAt = rs.wasNull() ? null : Instant.ofEpochMilli(ended);
            return new SessionInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)), endedAt, rs.getString(9), rs.getString(10));
        }, sessionId).stream().findFirst();
    }

    /** A session's calls, oldest first, at most {@code limit}. */
    public List<CallRow> sessionCalls(String sessionId, int limit) {
        jdbc.awaitPendingWrites();
        return jdbc.query("""
                SELECT l.ts, l.provider, l.model, COALESCE(l.platform, ''), %s, l.input_tokens,
                       l.output_tokens, l.cache_read_tokens, l.cache_write_tokens + l.cache_write_1h_tokens, l.cost_micros,
                       l.priced, l.provisional, l.estimated, l.latency_ms
                FROM llm_calls l LEFT JOIN ingested_calls ic ON ic.call_id = l.id
                WHERE l.session_id = ? ORDER BY l.ts, l.id LIMIT ?""".formatted(WORKSPACE),
                rs -> new CallRow(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                        rs.getInt(11) == 1, rs.getInt(12) == 1, rs.getInt(13) == 1, rs.getLong(14)), sessionId, limit);
    }

    /** A session's tool calls, oldest first, at most {@code limit}. */
    public List<ToolRow> sessionTools(String sessionId, int limit) {
        jdbc.awaitPendingWrites();
        return jdbc.query("""
                SELECT ts, tool_name, status, error_type, duration_ms FROM tool_calls WHERE session_id = ? ORDER BY ts, id LIMIT ?""",
                rs -> new ToolRow(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)),
                sessionId, limit);
    }
}
