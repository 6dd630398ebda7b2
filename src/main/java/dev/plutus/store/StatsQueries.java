package dev.plutus.store;

import java.time.Instant;
import java.util.List;

/**
 * Read-only aggregates for /stats. Usage over a window is the rollup of every full hour in it,
 * plus raw rows for the partial first hour, plus raw rows not rolled up yet; each in one statement
 * so all three parts read the same snapshot.
 */
public final class StatsQueries {
    /** Fixed groupings; their column lists are constants, never user text. */
    public enum Grouping {
        TOTAL("NULL", "NULL", "NULL"),
        PROVIDER("provider", "NULL", "NULL"),
        MODEL("provider", "model", "NULL"),
        CRON_JOB("NULL", "NULL", "cron_job_id");

        final String provider;
        final String model;
        final String cron;

        Grouping(String provider, String model, String cron) {
            this.provider = provider;
            this.model = model;
            this.cron = cron;
        }
    }

    private final Jdbc jdbc;

    public StatsQueries(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Far enough ahead to stand for "no end": every query bound is a millisecond count. */
    private static final Instant OPEN_END = Instant.ofEpochMilli(Long.MAX_VALUE / 2);

    public List<UsageTotals> usage(Grouping g, Instant since) {
        return usage(g, since, OPEN_END);
    }

    /**
     * Usage of calls with {@code from <= ts < to}: rollup hours wholly inside the range, raw rows for
     * the partial hours at either end, and raw rows not rolled up yet.
     */
    public List<UsageTotals> usage(Grouping g, Instant from, Instant to) {
        jdbc.awaitPendingWrites();
        Dialect d = jdbc.dialect();
        HourSpan h = HourSpan.of(from, to);
        String rawCols = """
                %s AS p, %s AS m, %s AS j, 1 AS calls, estimated AS est, 1 - priced AS unpriced, input_tokens AS i,
                output_tokens AS o, cache_read_tokens AS cr, cache_write_tokens + cache_write_1h_tokens AS cw,
                reasoning_tokens AS r, cost_micros AS cost, latency_ms AS lat, provisional AS pc,
                CASE WHEN provisional = 1 THEN cost_micros ELSE 0 END AS pm,
                CASE WHEN latency_ms > 0 THEN 1 ELSE 0 END AS lc"""
                .formatted(g.provider, g.model, g.cron.equals("NULL") ? "NULL" : "COALESCE(cron_job_id, '')");
        String rollCols = """
                %s AS p, %s AS m, %s AS j, calls, estimated_calls AS est, unpriced_calls AS unpriced,
                input_tokens AS i, output_tokens AS o, cache_read_tokens AS cr, cache_write_tokens AS cw,
                reasoning_tokens AS r, cost_micros AS cost, latency_ms AS lat, provisional_calls AS pc,
                provisional_micros AS pm, latency_calls AS lc"""
                .formatted(g.provider, g.model, g.cron);
        String sql = """
                WITH w AS (SELECT last_id FROM rollup_state WHERE source = 'llm_calls'),
                u AS (
                    SELECT %1$s FROM usage_hourly WHERE hour >= ? AND hour < ?
                    UNION ALL
                    SELECT %2$s FROM llm_calls WHERE ts >= ? AND ts < ? AND id <= (SELECT last_id FROM w)
                    UNION ALL
                    SELECT %2$s FROM llm_calls WHERE ts >= ? AND ts < ? AND id <= (SELECT last_id FROM w)
                    UNION ALL
                    SELECT %2$s FROM llm_calls WHERE id > (SELECT last_id FROM w) AND +ts >= ? AND +ts < ?
                )
                SELECT p, m, j, SUM(calls), SUM(est), SUM(unpriced), %3$s, %4$s, %5$s, %6$s, %7$s,
                       %8$s, %9$s, SUM(pc), %10$s, SUM(lc)
                FROM u GROUP BY p, m, j HAVING SUM(calls) > 0
                ORDER BY p, SUM(calls) DESC, m, j""".formatted(rollCols, rawCols, d.sum("i"), d.sum("o"), d.sum("cr"), d.sum("cw"),
                d.sum("r"), d.sum("cost"), d.sum("lat"), d.sum("pm"));
        return jdbc.query(sql, rs -> new UsageTotals(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                rs.getLong(10), rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getLong(14), rs.getLong(15), rs.getLong(16)),
                h.firstHour, h.endHour, h.from, h.headEnd(), h.tailStart(), h.to, h.from, h.to);
    }

    // The calls not rolled up yet are found by id ('+ts' keeps the planner off the ts index, which would read every call
    // of the range): rollups are caught up before /stats, so they are few.

    /**
     * The whole hours of {@code [from, to)}, which rollups answer, and its millisecond bounds. A range
     * inside one hour has no whole hour ({@code endHour == firstHour}).
     */
    private record HourSpan(long from, long to, long firstHour, long endHour) {
        static HourSpan of(Instant from, Instant to) {
            long f = from.toEpochMilli();
            long t = Math.max(f, to.toEpochMilli());
            long first = Math.floorDiv(f, RollupStore.HOUR_MS) + 1;
            return new HourSpan(f, t, first, Math.max(first, Math.floorDiv(t, RollupStore.HOUR_MS)));
        }

        /**
         * The raw part before the whole hours is {@code [from, headEnd)}, the one after them {@code [tailStart, to)}:
         * two ranges of the ts index each, not the whole range filtered (which reads every call of a week).
         */
        long headEnd() {
            return Math.min(to, firstHour * RollupStore.HOUR_MS);
        }

        long tailStart() {
            return Math.max(from, endHour * RollupStore.HOUR_MS);
        }
    }

    public UsageTotals total(Instant since) {
        return total(since, OPEN_END);
    }

    public UsageTotals total(Instant from, Instant to) {
        List<UsageTotals> rows = usage(Grouping.TOTAL, from, to);
        return rows.isEmpty() ? UsageTotals.empty() : rows.get(0);
    }

    /** What calls reported over /v1/usage can be grouped by, besides provider, model and cron job. */
    public enum Breakdown {
        /** Calls that name no workspace (Hermes's own) are in {@code default}, as /v1/usage and the dashboard file them. */
        WORKSPACE("COALESCE(i.workspace, 'default')"),
        TASK_TYPE("i.task_type");

        final String column;

        Breakdown(String column) {
            this.column = column;
        }
    }

    /** One group of a breakdown: its key (workspace {@code default}, or a {@code null} task type, for calls that carry none) and its usage. */
    public record Slice(String key, UsageTotals usage) {}

    /**
     * Usage of calls in {@code [from, to)} per workspace or task type. These live beside the calls,
     * not in the hourly rollups, so they are read from raw rows: calls purged past retention are not in them.
     */
    public List<Slice> usageBy(Breakdown b, Instant from, Instant to) {
        jdbc.awaitPendingWrites();
        Dialect d = jdbc.dialect();
        String sql = """
                SELECT %1$s, COUNT(*), SUM(l.estimated), SUM(1 - l.priced), %2$s, %3$s, %4$s, %5$s, %6$s, %7$s,
                       %8$s, SUM(l.provisional), %9$s, SUM(CASE WHEN l.latency_ms > 0 THEN 1 ELSE 0 END)
                FROM llm_calls l LEFT JOIN ingested_calls i ON i.call_id = l.id
                WHERE l.ts >= ? AND l.ts < ?
                GROUP BY %1$s ORDER BY %7$s DESC, COUNT(*) DESC""".formatted(b.column, d.sum("l.input_tokens"), d.sum("l.output_tokens"),
                d.sum("l.cache_read_tokens"), d.sum("l.cache_write_tokens + l.cache_write_1h_tokens"), d.sum("l.reasoning_tokens"),
                d.sum("l.cost_micros"), d.sum("l.latency_ms"), d.sum("CASE WHEN l.provisional = 1 THEN l.cost_micros ELSE 0 END"));
        return jdbc.query(sql, rs -> new Slice(rs.getString(1), new UsageTotals(null, null, null, rs.getLong(2), rs.getLong(3),
                rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getLong(14))), from.toEpochMilli(), to.toEpochMilli());
    }

    /** {@code timedCalls}: the calls whose duration was measured (tool_calls.duration_ms holds 0 for the others). */
    public record ToolTotals(String toolName, long calls, long failures, long durationMillis, long timedCalls) {
        /** Every call timed when there is any duration, none otherwise: totals from before durations were told apart. */
        public ToolTotals(String toolName, long calls, long failures, long durationMillis) {
            this(toolName, calls, failures, durationMillis, durationMillis > 0 ? calls : 0);
        }

        /** The average over the timed calls only; empty when none was timed, which is not "0 ms". */
        public java.util.OptionalLong avgMillis() {
            return timedCalls == 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(durationMillis / timedCalls);
        }
    }

    /** Side-task model calls of one kind (compression, title_generation, vision, ...). */
    public record AuxiliaryTotals(String task, long calls, long costMicros) {}

    /**
     * Auxiliary calls since {@code since}, by task, dearest first. The Hermes bridge stores them with
     * an event id {@code aux:<task>:<request id>} (HookDispatcher.AUXILIARY_PREFIX); read from the raw
     * calls, so calls already purged past retention are only in the totals.
     */
    public List<AuxiliaryTotals> auxiliary(Instant since) {
        return auxiliary(since, OPEN_END);
    }

    /** {@link #auxiliary(Instant)} in {@code [from, to)}. */
    public List<AuxiliaryTotals> auxiliary(Instant from, Instant to) {
        jdbc.awaitPendingWrites();
        // The condition is written as the partial index llm_calls_auxiliary's, so only auxiliary calls are read.
        java.util.Map<String, long[]> byTask = new java.util.TreeMap<>();
        jdbc.query("SELECT event_id, cost_micros FROM llm_calls WHERE ts >= ? AND ts < ? AND event_id LIKE 'aux:%'", rs -> {
            String id = rs.getString(1);
            int end = id.indexOf(':', 4);
            long[] t = byTask.computeIfAbsent(end < 0 ? "other" : id.substring(4, end), k -> new long[2]);
            t[0]++;
            t[1] = dev.plutus.core.Money.plus(t[1], rs.getLong(2));
            return null;
        }, from.toEpochMilli(), to.toEpochMilli());
        return byTask.entrySet().stream().map(e -> new AuxiliaryTotals(e.getKey(), e.getValue()[0], e.getValue()[1]))
                .sorted(java.util.Comparator.comparingLong(AuxiliaryTotals::costMicros).reversed()).toList();
    }

    /** Calls of one provider and model whose stored price entry carries a given mark ({@code mark}). */
    public record MarkedTotals(String provider, String model, long calls, long costMicros, String mark) {
        public MarkedTotals(String provider, String model, long calls, long costMicros) {
            this(provider, model, calls, costMicros, null);
        }
    }

    /**
     * Calls in {@code [from, to)} whose price entry ends with {@code mark} (the pricing layer's
     * " (maker price)": priced at the model maker's list price because the host had none), per
     * provider and model, dearest first. Read from the raw calls: calls purged past retention are
     * only in the totals.
     */
    public List<MarkedTotals> pricedWithMark(String mark, Instant from, Instant to) {
        String like = "%" + mark.replace("!", "!!").replace("%", "!%").replace("_", "!_");
        // Every mark ends in ')': saying so in the words of the partial index llm_calls_price_marked lets it find the few
        // marked calls instead of reading every call of the range (for a mark that did not, every call is read).
        String indexed = mark.endsWith(")") ? " AND price_entry LIKE '%)'" : "";
        return jdbc.query("""
                SELECT provider, model, COUNT(*), %s FROM llm_calls
                WHERE ts >= ? AND ts < ?%s AND price_entry LIKE ? ESCAPE '!'
                GROUP BY provider, model ORDER BY %s DESC, COUNT(*) DESC, provider, model"""
                .formatted(jdbc.dialect().sum("cost_micros"), indexed, jdbc.dialect().sum("cost_micros")),
                rs -> new MarkedTotals(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), mark),
                from.toEpochMilli(), to.toEpochMilli(), like);
    }

    public List<ToolTotals> tools(Instant since, int limit) {
        return tools(since, OPEN_END, limit);
    }

    public List<ToolTotals> tools(Instant from, Instant to, int limit) {
        jdbc.awaitPendingWrites();
        HourSpan h = HourSpan.of(from, to);
        return jdbc.query("""
                WITH w AS (SELECT last_id FROM rollup_state WHERE source = 'tool_calls'),
                u AS (
                    SELECT tool_name AS t, calls AS n, failures AS f, duration_ms AS d, timed_calls AS m FROM tools_hourly
                      WHERE hour >= ? AND hour < ?
                    UNION ALL
                    SELECT tool_name, 1, CASE WHEN status <> 'ok' THEN 1 ELSE 0 END, duration_ms, CASE WHEN duration_ms > 0 THEN 1 ELSE 0 END
                      FROM tool_calls WHERE ts >= ? AND ts < ? AND id <= (SELECT last_id FROM w)
                    UNION ALL
                    SELECT tool_name, 1, CASE WHEN status <> 'ok' THEN 1 ELSE 0 END, duration_ms, CASE WHEN duration_ms > 0 THEN 1 ELSE 0 END
                      FROM tool_calls WHERE ts >= ? AND ts < ? AND id <= (SELECT last_id FROM w)
                    UNION ALL
                    SELECT tool_name, 1, CASE WHEN status <> 'ok' THEN 1 ELSE 0 END, duration_ms, CASE WHEN duration_ms > 0 THEN 1 ELSE 0 END
                      FROM tool_calls WHERE id > (SELECT last_id FROM w) AND +ts >= ? AND +ts < ?
                )
                SELECT t, SUM(n), SUM(f), %s, SUM(m) FROM u GROUP BY t ORDER BY SUM(n) DESC, t LIMIT ?""".formatted(jdbc.dialect().sum("d")),
                rs -> new ToolTotals(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)),
                h.firstHour, h.endHour, h.from, h.headEnd(), h.tailStart(), h.to, h.from, h.to, limit);
    }

    public record SessionTotals(long sessions, long subagents, long ok, long failed, long running,
                                long endedCount, long durationMillisSum) {
        public long avgDurationMillis() {
            return endedCount == 0 ? 0 : durationMillisSum / endedCount;
        }
    }

    public SessionTotals sessions(Instant since) {
        return sessions(since, OPEN_END);
    }

    /**
     * Sessions in {@code [from, to)}, as every view counts them (the dashboard's explore too): a
     * session with at least one model call in the range, whenever it started; a session started last
     * week that spends today counts today, one that only ended today with no call in it does not.
     * {@code running} is among those. {@code ok}, {@code failed} and the durations are over the
     * sessions that ended in the range (an outcome is known only at the end), and are labelled so.
     */
    public SessionTotals sessions(Instant from, Instant to) {
        jdbc.awaitPendingWrites();
        long f = from.toEpochMilli();
        long t = to.toEpochMilli();
        HourSpan h = HourSpan.of(from, to);
        // Whole hours from the sessions rolled up per hour, the partial hours at either end and calls not rolled up yet
        // from the raw calls: the same sessions as the distinct ids of the range's calls, without reading them all.
        long[] withCalls = jdbc.query("""
                WITH w AS (SELECT last_id FROM rollup_state WHERE source = 'llm_call_sessions'),
                c AS (
                    SELECT session_id FROM session_hours WHERE hour >= ? AND hour < ?
                    UNION
                    SELECT session_id FROM llm_calls WHERE ts >= ? AND ts < ? AND id <= (SELECT last_id FROM w) AND session_id IS NOT NULL
                    UNION
                    SELECT session_id FROM llm_calls WHERE ts >= ? AND ts < ? AND id <= (SELECT last_id FROM w) AND session_id IS NOT NULL
                    UNION
                    SELECT session_id FROM llm_calls WHERE id > (SELECT last_id FROM w) AND +ts >= ? AND +ts < ? AND session_id IS NOT NULL
                )
                SELECT COUNT(*), COALESCE(SUM(CASE WHEN s.platform = 'subagent' THEN 1 ELSE 0 END), 0),
                       COALESCE(SUM(CASE WHEN s.status = 'running' THEN 1 ELSE 0 END), 0)
                FROM c LEFT JOIN sessions s ON s.session_id = c.session_id""",
                rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)},
                h.firstHour, h.endHour, h.from, h.headEnd(), h.tailStart(), h.to, h.from, h.to).get(0);
        long[] ended = jdbc.query("""
                SELECT COALESCE(SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END), 0),
                       COALESCE(SUM(CASE WHEN status IN ('error', 'interrupted', 'stopped') THEN 1 ELSE 0 END), 0),
                       COUNT(*), %s
                FROM sessions WHERE ended_at >= ? AND ended_at < ?""".formatted(jdbc.dialect().sum("ended_at - started_at")),
                rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)}, f, t).get(0);
        return new SessionTotals(withCalls[0], withCalls[1], ended[0], ended[1], withCalls[2], ended[2], ended[3]);
    }

    /** A session active in [?, ?): started in it, or a model or tool call in it; bound with {@link #activeArgs}. */
    private static final String ACTIVE = """
            ((started_at >= ? AND started_at < ?)
             OR session_id IN (SELECT session_id FROM llm_calls WHERE ts >= ? AND ts < ? AND session_id IS NOT NULL)
             OR session_id IN (SELECT session_id FROM tool_calls WHERE ts >= ? AND ts < ? AND session_id IS NOT NULL))""";

    private static Object[] activeArgs(Instant from, Instant to) {
        long f = from.toEpochMilli();
        long t = to.toEpochMilli();
        return new Object[] {f, t, f, t, f, t};
    }

    public record CronRuns(String cronJobId, long runs, long ok, long failed, long endedCount, long durationMillisSum,
                           Instant lastRun) {
        public long avgDurationMillis() {
            return endedCount == 0 ? 0 : durationMillisSum / endedCount;
        }
    }

    public List<CronRuns> cronRuns(Instant since) {
        return cronRuns(since, OPEN_END);
    }

    /** Cron runs active in {@code [from, to)}, as {@link #sessions(Instant, Instant)} counts them. */
    public List<CronRuns> cronRuns(Instant from, Instant to) {
        jdbc.awaitPendingWrites();
        return jdbc.query("""
                SELECT cron_job_id, COUNT(*), SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END),
                       SUM(CASE WHEN status IN ('error', 'interrupted', 'stopped') THEN 1 ELSE 0 END),
                       COUNT(ended_at), %s, MAX(started_at)
                FROM sessions WHERE platform = 'cron' AND cron_job_id IS NOT NULL AND %s
                GROUP BY cron_job_id ORDER BY cron_job_id""".formatted(jdbc.dialect().sum("ended_at - started_at"), ACTIVE),
                rs -> new CronRuns(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getLong(6), Instant.ofEpochMilli(rs.getLong(7))), activeArgs(from, to));
    }

    public record SessionRow(String sessionId, String platform, String model, String status, Instant startedAt,
                             Instant endedAt, long calls, long costMicros, long estimatedCalls) {}

    public List<SessionRow> recentSessions(Instant since, int limit) {
        return recentSessions(since, OPEN_END, limit);
    }

    /**
     * Up to {@code limit} sessions active in {@code [from, to)}, latest started first, with their calls
     * and cost inside the range (a long session shows what it spent in the range, not its lifetime).
     */
    public List<SessionRow> recentSessions(Instant from, Instant to, int limit) {
        jdbc.awaitPendingWrites();
        Object[] active = activeArgs(from, to);
        Object[] args = java.util.Arrays.copyOf(active, active.length + 3);
        args[active.length] = limit;
        args[active.length + 1] = from.toEpochMilli();
        args[active.length + 2] = to.toEpochMilli();
        return jdbc.query("""
                SELECT s.session_id, s.platform, s.model, s.status, s.started_at, s.ended_at,
                       COUNT(l.id), %s, COALESCE(SUM(l.estimated), 0)
                FROM (SELECT * FROM sessions WHERE %s ORDER BY started_at DESC LIMIT ?) s
                LEFT JOIN llm_calls l ON l.session_id = s.session_id AND l.ts >= ? AND l.ts < ?
                GROUP BY s.session_id, s.platform, s.model, s.status, s.started_at, s.ended_at
                ORDER BY s.started_at DESC""".formatted(jdbc.dialect().sum("l.cost_micros"), ACTIVE),
                rs -> {
                    long ended = rs.getLong(6);
                    boolean none = rs.wasNull();
                    return new SessionRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            Instant.ofEpochMilli(rs.getLong(5)), none ? null : Instant.ofEpochMilli(ended),
                            rs.getLong(7), rs.getLong(8), rs.getLong(9));
                }, args);
    }

    /** How many sessions were active in {@code [from, to)}, as {@link #recentSessions(Instant, Instant, int)} reads "active". */
    public long activeSessions(Instant from, Instant to) {
        jdbc.awaitPendingWrites();
        return jdbc.queryLong("SELECT COUNT(*) FROM sessions WHERE " + ACTIVE, activeArgs(from, to));
    }

    public record DayCost(java.time.LocalDate day, long calls, long costMicros) {}

    /**
     * Cost and calls per calendar day in {@code zone}, oldest first, every day from {@code since}'s
     * date to {@code now}'s (days without calls included). Hourly rollups serve zones whose offset is
     * a whole number of hours throughout; other zones (India, Nepal, Lord Howe...) are bucketed from
     * raw rows so no call lands on the wrong day.
     */
    public List<DayCost> dailyCost(Instant since, Instant now, java.time.ZoneId zone) {
        jdbc.awaitPendingWrites();
        java.time.LocalDate first = java.time.LocalDate.ofInstant(since, zone);
        java.time.LocalDate last = java.time.LocalDate.ofInstant(now, zone);
        Instant start = first.atStartOfDay(zone).toInstant();
        java.util.TreeMap<java.time.LocalDate, long[]> days = new java.util.TreeMap<>();
        for (java.time.LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            days.put(d, new long[2]);
        }
        java.util.function.Consumer<long[]> add = row -> {
            long[] acc = days.get(java.time.LocalDate.ofInstant(Instant.ofEpochMilli(row[0]), zone));
            if (acc != null) {
                acc[0] += row[1];
                acc[1] = dev.plutus.core.Money.plus(acc[1], row[2]);
            }
        };
        if (wholeHourOffsets(zone, start, now)) {
            long firstHour = Math.floorDiv(start.toEpochMilli(), RollupStore.HOUR_MS);
            jdbc.query("""
                    WITH w AS (SELECT last_id FROM rollup_state WHERE source = 'llm_calls')
                    SELECT hour * 3600000, SUM(calls), %1$s FROM usage_hourly WHERE hour >= ? GROUP BY hour
                    UNION ALL
                    SELECT (ts / 3600000) * 3600000, COUNT(*), %1$s FROM llm_calls
                    WHERE id > (SELECT last_id FROM w) AND +ts >= ? GROUP BY ts / 3600000""".formatted(jdbc.dialect().sum("cost_micros")),
                    rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}, firstHour, start.toEpochMilli()).forEach(add);
        } else {
            jdbc.query("SELECT ts, 1, cost_micros FROM llm_calls WHERE ts >= ?",
                    rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}, start.toEpochMilli()).forEach(add);
        }
        List<DayCost> out = new java.util.ArrayList<>();
        days.forEach((d, v) -> out.add(new DayCost(d, v[0], v[1])));
        return out;
    }

    private static boolean wholeHourOffsets(java.time.ZoneId zone, Instant from, Instant to) {
        java.time.zone.ZoneRules rules = zone.getRules();
        if (rules.getOffset(from).getTotalSeconds() % 3600 != 0) {
            return false;
        }
        for (java.time.zone.ZoneOffsetTransition t = rules.nextTransition(from); t != null && t.getInstant().isBefore(to);
             t = rules.nextTransition(t.getInstant())) {
            if (t.getOffsetAfter().getTotalSeconds() % 3600 != 0) {
                return false;
            }
        }
        return true;
    }
}
