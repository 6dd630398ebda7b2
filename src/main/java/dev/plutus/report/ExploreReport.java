package dev.plutus.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.Money;
import dev.plutus.store.ExploreQueries;
import dev.plutus.store.ExploreQueries.Filter;
import dev.plutus.store.ExploreQueries.Slice;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The dashboard's filtered view: one set of slices becomes the cards, the chart's buckets, the
 * provider and model tables and the rows a CSV export holds, so they always add up to each other.
 * Times are in the budget zone; "today" is the calendar day there, "24h" the rolling day.
 */
public final class ExploreReport {
    private static final JsonNodeFactory J = JsonNodeFactory.instance;
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("MM-dd HH:mm");
    private static final DateTimeFormatter SHORT_ZONE = DateTimeFormatter.ofPattern("zzz", java.util.Locale.ENGLISH);
    /** The raw calls are kept this long by default; a longer range would silently miss what was purged. */
    public static final Duration LONGEST = Duration.ofDays(400);

    private ExploreReport() {}

    /** The instants a range covers, its name and whether the chart shows hours or days. */
    public record Range(String name, Instant from, Instant to, boolean hourly) {
        /**
         * {@code range} (today, 24h, 7d, 30d) or {@code from}/{@code to} (a date, a local date-time in
         * {@code zone}, or an instant with its offset; a date as {@code to} includes that whole day).
         * A range ending in the future ends now.
         */
        public static Range parse(String range, String fromText, String toText, Instant now, ZoneId zone) {
            if (fromText != null || toText != null) {
                if (fromText == null) {
                    throw new IllegalArgumentException("'to' needs a 'from'");
                }
                Instant from = instant("from", fromText, zone, false);
                Instant to = toText == null ? now : instant("to", toText, zone, true);
                if (to.isAfter(now)) {
                    to = now;
                }
                if (!from.isBefore(to)) {
                    throw new IllegalArgumentException("'from' (" + fromText + ") must be before 'to' (" + (toText == null ? "now" : toText) + ")");
                }
                if (Duration.between(from, to).compareTo(LONGEST) > 0) {
                    throw new IllegalArgumentException("a range is at most 400 days (calls older than that are purged)");
                }
                return new Range("custom", from, to, Duration.between(from, to).compareTo(Duration.ofHours(48)) <= 0);
            }
            String r = range == null ? "24h" : range;
            return switch (r) {
                case "today" -> new Range(r, LocalDate.ofInstant(now, zone).atStartOfDay(zone).toInstant(), now, true);
                case "24h" -> new Range(r, now.minus(Duration.ofHours(24)), now, true);
                case "7d" -> new Range(r, now.minus(Duration.ofDays(7)), now, false);
                case "30d" -> new Range(r, now.minus(Duration.ofDays(30)), now, false);
                default -> throw new IllegalArgumentException("range must be today, 24h, 7d or 30d, got '" + r + "'");
            };
        }

        /** The same reading as {@code plutus stats --from/--to}: one parser, so the page and the terminal never disagree on a time. */
        private static Instant instant(String field, String text, ZoneId zone, boolean endOfDay) {
            return StatsRange.instant(text, zone, endOfDay, field);
        }
    }

    /** The view of {@code slices} (every call in the range) through {@code filter}, with cron jobs by id only. */
    public static ObjectNode render(Range range, ZoneId zone, Filter filter, List<Slice> slices,
            List<ExploreQueries.SessionSlice> sessions, List<ExploreQueries.ToolSlice> tools, int sessionRows) {
        return render(range, zone, filter, slices, sessions, tools, sessionRows, Map.of());
    }

    /**
     * The view of {@code slices} (every call in the range) through {@code filter}. {@code cronJobNames}:
     * the host's names for its cron jobs by id (Hermes's cron/jobs.json), which the page shows instead
     * of the ids, as {@code plutus stats cron} does.
     */
    public static ObjectNode render(Range range, ZoneId zone, Filter filter, List<Slice> slices,
            List<ExploreQueries.SessionSlice> sessions, List<ExploreQueries.ToolSlice> tools, int sessionRows,
            Map<String, String> cronJobNames) {
        ObjectNode o = J.objectNode();
        o.put("zone", zoneName(zone)).put("range", range.name()).put("from", range.from().toString()).put("to", range.to().toString())
                .put("bucket", range.hourly() ? "hour" : "day").put("none_named", ExploreQueries.NONE_NAMED);
        ObjectNode f = o.putObject("filter");
        f.put("provider", filter.provider()).put("model", filter.model()).put("platform", filter.platform()).put("workspace", filter.workspace())
                .put("task_type", filter.taskType());

        ObjectNode options = o.putObject("options");
        TreeSet<String> providers = new TreeSet<>(), models = new TreeSet<>(), platforms = new TreeSet<>(), workspaces = new TreeSet<>(),
                taskTypes = new TreeSet<>();
        for (Slice s : slices) {
            providers.add(s.provider());
            models.add(s.model());
            platforms.add(s.platform());
            workspaces.add(s.workspace());
            taskTypes.add(s.taskType());
        }
        providers.forEach(options.putArray("providers")::add);
        models.forEach(options.putArray("models")::add);
        platforms.forEach(options.putArray("platforms")::add);
        workspaces.forEach(options.putArray("workspaces")::add);
        taskTypes.forEach(options.putArray("task_types")::add);
        ObjectNode names = o.putObject("cron_job_names");
        new TreeMap<>(cronJobNames).forEach(names::put);

        List<Slice> shown = slices.stream().filter(filter::matches).toList();
        Totals total = new Totals();
        TreeMap<Instant, Map<String, Totals>> buckets = emptyBuckets(range, zone);
        Map<String, Totals> byProvider = new TreeMap<>();
        Map<List<String>, Totals> byModel = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0)).thenComparing(k -> k.get(1)));
        Map<String, Totals> byCron = new TreeMap<>();
        Map<String, Totals> byWorkspace = new TreeMap<>();
        Map<String, Totals> byTaskType = new TreeMap<>();
        Map<List<String>, Totals> rows = new LinkedHashMap<>();
        for (Slice s : shown) {
            total.add(s);
            Instant at = s.start().isBefore(range.from()) ? range.from() : s.start();
            Map.Entry<Instant, Map<String, Totals>> b = buckets.floorEntry(at);
            if (b != null) {
                b.getValue().computeIfAbsent(s.provider(), k -> new Totals()).add(s);
            }
            byProvider.computeIfAbsent(s.provider(), k -> new Totals()).add(s);
            byModel.computeIfAbsent(List.of(s.provider(), s.model()), k -> new Totals()).add(s);
            if (!s.cronJobId().isEmpty()) {
                byCron.computeIfAbsent(s.cronJobId(), k -> new Totals()).add(s);
            }
            byWorkspace.computeIfAbsent(s.workspace(), k -> new Totals()).add(s);
            byTaskType.computeIfAbsent(s.taskType(), k -> new Totals()).add(s);
            rows.computeIfAbsent(List.of(b == null ? at.toString() : b.getKey().toString(), s.provider(), s.model(), s.platform(),
                    s.workspace(), s.taskType()), k -> new Totals()).add(s);
        }
        total.put(o.putObject("totals"));

        ArrayNode bs = o.putArray("buckets");
        List<Instant> starts = new ArrayList<>(buckets.keySet());
        for (int i = 0; i < starts.size(); i++) {
            Instant start = starts.get(i);
            Instant end = i + 1 < starts.size() ? starts.get(i + 1) : range.to();
            Totals sum = new Totals();
            ObjectNode b = bs.addObject().put("start", start.toString()).put("end", end.toString()).put("label", label(start, range, zone));
            ObjectNode per = J.objectNode();
            buckets.get(start).forEach((p, t) -> {
                sum.addAll(t);
                per.put(p, Money.microsToUsd(t.cost));
            });
            b.put("calls", sum.calls).put("cost_usd", Money.microsToUsd(sum.cost)).set("by_provider", per);
        }

        ArrayNode ps = o.putArray("providers");
        byProvider.entrySet().stream().sorted(Map.Entry.<String, Totals>comparingByValue(Comparator.comparingLong((Totals t) -> t.cost).reversed()))
                .forEach(e -> e.getValue().put(ps.addObject().put("provider", e.getKey())));
        ArrayNode ms = o.putArray("models");
        byModel.entrySet().stream().sorted(Map.Entry.comparingByValue(Comparator.comparingLong((Totals t) -> t.cost).reversed()))
                .forEach(e -> e.getValue().put(ms.addObject().put("provider", e.getKey().get(0)).put("model", e.getKey().get(1))));
        ArrayNode cs = o.putArray("cron_jobs");
        dearestFirst(byCron).forEach(e -> e.getValue().put(cs.addObject().put("cron_job_id", e.getKey()).put("name", cronJobNames.get(e.getKey()))));
        ArrayNode wsOut = o.putArray("workspaces");
        dearestFirst(byWorkspace).forEach(e -> e.getValue().put(wsOut.addObject().put("workspace", e.getKey())));
        ArrayNode ttOut = o.putArray("task_types");
        dearestFirst(byTaskType).forEach(e -> e.getValue().put(ttOut.addObject().put("task_type", e.getKey())));
        ArrayNode rs = o.putArray("rows");
        rows.forEach((k, t) -> t.put(rs.addObject().put("start", k.get(0)).put("provider", k.get(1)).put("model", k.get(2))
                .put("platform", k.get(3)).put("workspace", k.get(4)).put("task_type", k.get(5))));

        ObjectNode ss = o.putObject("sessions");
        long ok = 0, failed = 0, running = 0;
        for (ExploreQueries.SessionSlice s : sessions) {
            String st = s.status() == null ? "" : s.status();
            if (st.equals("ok")) {
                ok++;
            } else if (st.equals("running")) {
                running++;
            } else if (!st.isEmpty()) {
                failed++;
            }
        }
        ss.put("count", sessions.size()).put("ok", ok).put("failed", failed).put("running", running);
        ArrayNode sr = ss.putArray("rows");
        for (ExploreQueries.SessionSlice s : sessions.subList(0, Math.min(sessionRows, sessions.size()))) {
            sr.addObject().put("session_id", s.sessionId()).put("platform", s.platform()).put("model", s.model()).put("status", s.status())
                    .put("started_at", s.startedAt() == null ? null : s.startedAt().toString()).put("last_call_at", s.lastCallAt().toString())
                    .put("calls", s.calls()).put("cost_usd", Money.microsToUsd(s.costMicros())).put("cron_job_id", s.cronJobId())
                    .put("cron_job_name", s.cronJobId() == null ? null : cronJobNames.get(s.cronJobId()));
        }
        ArrayNode ts = o.putArray("tools");
        for (ExploreQueries.ToolSlice t : tools) {
            ts.addObject().put("tool", t.toolName()).put("calls", t.calls()).put("failures", t.failures())
                    .put("avg_ms", t.calls() == 0 ? 0 : t.durationMillis() / t.calls());
        }
        return o;
    }

    /** One session: what the sessions table holds, its calls and its tool calls. */
    public static ObjectNode session(ExploreQueries.SessionInfo info, List<ExploreQueries.CallRow> calls, List<ExploreQueries.ToolRow> tools,
            ZoneId zone, int limit) {
        return session(info, calls, tools, zone, limit, Map.of());
    }

    /** One session, its cron job named as {@code cronJobNames} (Hermes's cron/jobs.json) names it. */
    public static ObjectNode session(ExploreQueries.SessionInfo info, List<ExploreQueries.CallRow> calls, List<ExploreQueries.ToolRow> tools,
            ZoneId zone, int limit, Map<String, String> cronJobNames) {
        ObjectNode o = J.objectNode();
        o.put("zone", zoneName(zone)).put("session_id", info.sessionId()).put("platform", info.platform()).put("model", info.model())
                .put("provider", info.provider()).put("cron_job_id", info.cronJobId())
                .put("cron_job_name", info.cronJobId() == null ? null : cronJobNames.get(info.cronJobId()))
                .put("parent_session_id", info.parentSessionId())
                .put("started_at", info.startedAt().toString()).put("ended_at", info.endedAt() == null ? null : info.endedAt().toString())
                .put("status", info.status()).put("end_reason", info.endReason());
        long cost = 0;
        ArrayNode cs = o.putArray("calls");
        for (ExploreQueries.CallRow c : calls) {
            cost = Money.plus(cost, c.costMicros());
            cs.addObject().put("at", c.at().toString()).put("provider", c.provider()).put("model", c.model()).put("platform", c.platform())
                    .put("workspace", c.workspace()).put("input_tokens", c.inputTokens()).put("output_tokens", c.outputTokens())
                    .put("cache_read_tokens", c.cacheReadTokens()).put("cache_write_tokens", c.cacheWriteTokens())
                    .put("cost_usd", Money.microsToUsd(c.costMicros())).put("priced", c.priced()).put("provisional", c.provisional())
                    .put("estimated", c.estimated()).put("latency_ms", c.latencyMillis());
        }
        o.put("cost_usd", Money.microsToUsd(cost)).put("calls_truncated", calls.size() >= limit);
        ArrayNode ts = o.putArray("tools");
        for (ExploreQueries.ToolRow t : tools) {
            ts.addObject().put("at", t.at().toString()).put("tool", t.toolName()).put("status", t.status()).put("error_type", t.errorType())
                    .put("duration_ms", t.durationMillis());
        }
        o.put("tools_truncated", tools.size() >= limit);
        return o;
    }

    /** Groups by cost, dearest first; equal costs by name. */
    private static List<Map.Entry<String, Totals>> dearestFirst(Map<String, Totals> groups) {
        return groups.entrySet().stream().sorted(Map.Entry.<String, Totals>comparingByValue(Comparator.comparingLong((Totals t) -> t.cost)
                .reversed()).thenComparing(Map.Entry.comparingByKey())).toList();
    }

    /** Bucket starts from the range's start (clipped: the first bucket may begin mid-hour or mid-day) to its end. */
    private static TreeMap<Instant, Map<String, Totals>> emptyBuckets(Range range, ZoneId zone) {
        TreeMap<Instant, Map<String, Totals>> out = new TreeMap<>();
        out.put(range.from(), new TreeMap<>());
        ZonedDateTime z = range.from().atZone(zone);
        ZonedDateTime next = range.hourly() ? z.truncatedTo(ChronoUnit.HOURS).plusHours(1) : z.toLocalDate().plusDays(1).atStartOfDay(zone);
        while (next.toInstant().isBefore(range.to())) {
            out.put(next.toInstant(), new TreeMap<>());
            next = range.hourly() ? next.plusHours(1) : next.toLocalDate().plusDays(1).atStartOfDay(zone);
        }
        return out;
    }

    /** The zone as a browser's Intl names it: a region, "UTC", or a fixed offset like "+05:30". */
    static String zoneName(ZoneId zone) {
        ZoneId z = zone.normalized();
        return z instanceof java.time.ZoneOffset o ? (o.getTotalSeconds() == 0 ? "UTC" : o.getId()) : z.getId();
    }

    /**
     * An hour's label is its local time; the hour the clocks go back over shows twice that night, so
     * there each of the two carries its zone's short name (EDT, EST), or its offset where the two names
     * are the same.
     */
    static String label(Instant start, Range range, ZoneId zone) {
        ZonedDateTime z = start.atZone(zone);
        if (!range.hourly()) {
            return z.toLocalDate().toString();
        }
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(z.toLocalDateTime().truncatedTo(ChronoUnit.HOURS));
        if (offsets.size() < 2) {
            return HOUR.format(z);
        }
        String first = SHORT_ZONE.format(z.withEarlierOffsetAtOverlap()), second = SHORT_ZONE.format(z.withLaterOffsetAtOverlap());
        return HOUR.format(z) + " " + (first.equals(second) ? z.getOffset().getId() : SHORT_ZONE.format(z));
    }

    /** Sums of slices, saturating like every other total. */
    private static final class Totals {
        long calls, estimated, unpriced, provisional, input, output, cacheRead, cacheWrite, cost, provisionalCost;

        void add(Slice s) {
            calls += s.calls();
            estimated += s.estimatedCalls();
            unpriced += s.unpricedCalls();
            provisional += s.provisionalCalls();
            input = Money.plus(input, s.inputTokens());
            output = Money.plus(output, s.outputTokens());
            cacheRead = Money.plus(cacheRead, s.cacheReadTokens());
            cacheWrite = Money.plus(cacheWrite, s.cacheWriteTokens());
            cost = Money.plus(cost, s.costMicros());
            provisionalCost = Money.plus(provisionalCost, s.provisionalMicros());
        }

        void addAll(Totals t) {
            calls += t.calls;
            cost = Money.plus(cost, t.cost);
        }

        void put(ObjectNode o) {
            o.put("calls", calls).put("estimated_calls", estimated).put("unpriced_calls", unpriced).put("provisional_calls", provisional)
                    .put("input_tokens", input).put("output_tokens", output).put("cache_read_tokens", cacheRead)
                    .put("cache_write_tokens", cacheWrite).put("cost_usd", Money.microsToUsd(cost))
                    .put("provisional_usd", Money.microsToUsd(provisionalCost));
        }
    }
}
