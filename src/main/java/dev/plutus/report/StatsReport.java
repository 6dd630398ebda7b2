package dev.plutus.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.LlmCall;
import dev.plutus.core.Money;
import dev.plutus.core.TerminalSafe;
import dev.plutus.store.StatsQueries;
import dev.plutus.store.StatsQueries.CronRuns;
import dev.plutus.store.StatsQueries.SessionTotals;
import dev.plutus.store.StatsQueries.ToolTotals;
import dev.plutus.store.UsageTotals;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Pure renderers for /stats: data in, text and JSON out. */
public final class StatsReport {
    private static final JsonNodeFactory J = JsonNodeFactory.instance;
    private static final String RULE = "=".repeat(56);
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** An auxiliary task's name is Hermes's (or any host's) text: held to this many characters on the summary line. */
    static final int AUX_TASK_CHARS = 40;

    private StatsReport() {}

    public static Rendered summary(StatsRange w, UsageTotals u, SessionTotals s, List<ToolTotals> tools) {
        return summary(w, u, s, tools, List.of());
    }

    /** {@code aux}: Hermes's side-task model calls (compression, titles, vision, ...), included in the totals and shown apart. */
    public static Rendered summary(StatsRange w, UsageTotals u, SessionTotals s, List<ToolTotals> tools,
            List<StatsQueries.AuxiliaryTotals> aux) {
        return summary(w, u, s, tools, aux, List.of());
    }

    /** {@code makerPriced}: calls priced at the model maker's list price for want of the host's, shown apart. */
    public static Rendered summary(StatsRange w, UsageTotals u, SessionTotals s, List<ToolTotals> tools,
            List<StatsQueries.AuxiliaryTotals> aux, List<StatsQueries.MarkedTotals> makerPriced) {
        StringBuilder t = new StringBuilder();
        t.append("Plutus — ").append(w.title()).append('\n').append(RULE).append('\n');
        long finished = s.ok() + s.failed();
        // Sessions = sessions with a model call in the range (the dashboard counts the same); outcomes are known at the end.
        t.append(kv("Sessions", ReportFormat.count(s.sessions()) + (s.subagents() > 0 ? " (" + s.subagents() + " subagents)" : "")
                + " with model calls"));
        t.append(kv("Success rate", finished == 0 ? "n/a (none ended)" : ReportFormat.percent(s.ok(), finished)
                + " of the " + ReportFormat.count(finished) + " that ended (ok=" + s.ok() + ", failed=" + s.failed() + ")"));
        t.append(kv("API calls", ReportFormat.count(u.calls()) + qualifiers(u)));
        if (!aux.isEmpty()) {
            long calls = aux.stream().mapToLong(StatsQueries.AuxiliaryTotals::calls).sum();
            long cost = aux.stream().mapToLong(StatsQueries.AuxiliaryTotals::costMicros).reduce(0L, Money::plus);
            t.append(kv("  auxiliary", ReportFormat.count(calls) + " (" + Money.display(cost) + "): " + String.join(", ",
                    aux.stream().map(a -> TerminalSafe.of(a.task(), AUX_TASK_CHARS) + " " + ReportFormat.count(a.calls()) + " " + Money.display(a.costMicros())).toList())));
        }
        t.append(kv("Tool calls", ReportFormat.count(tools.stream().mapToLong(ToolTotals::calls).sum())));
        t.append(kv("Tokens in", ReportFormat.count(u.promptTokens())
                + " (uncached " + ReportFormat.count(u.inputTokens()) + ", cache read " + ReportFormat.count(u.cacheReadTokens())
                + ", cache write " + ReportFormat.count(u.cacheWriteTokens()) + ")"));
        t.append(kv("Tokens out", ReportFormat.count(u.outputTokens()) + (u.reasoningTokens() > 0 ? " (reasoning " + ReportFormat.count(u.reasoningTokens()) + ")" : "")));
        t.append(kv("Cost", (u.estimatedCalls() > 0 ? "~" : "") + Money.display(u.costMicros())
                + (u.provisionalCalls() > 0 ? " (" + Money.display(u.provisionalMicros()) + " provisional)" : "")));
        if (!makerPriced.isEmpty()) {
            t.append(kv("  flagged price", ReportFormat.count(markedCalls(makerPriced)) + " call(s) ("
                    + Money.display(markedCost(makerPriced)) + "): " + flagCounts(makerPriced) + "; see /stats models"));
        }
        t.append(kv("Avg latency", avgLatency(u)));
        t.append(kv("Avg duration", s.endedCount() == 0 ? "n/a" : ReportFormat.duration(s.avgDurationMillis())
                + " (" + ReportFormat.count(s.endedCount()) + " ended)"));
        if (!tools.isEmpty()) {
            t.append("\nTop tools:\n");
            TextTable tt = new TextTable(new String[] {"Tool", "Calls", "Failures", "Avg ms"}, new boolean[] {false, true, true, true});
            for (ToolTotals x : tools) {
                tt.add(x.toolName(), ReportFormat.count(x.calls()), ReportFormat.count(x.failures()), toolAvg(x));
            }
            t.append(tt.render());
        }
        if (u.provisionalCalls() > 0) {
            t.append("\n").append(u.provisionalCalls()).append(" call(s) used models with no known price and are counted")
                    .append(" at provisional prices (").append(Money.display(u.provisionalMicros())).append("), re-priced once a price")
                    .append(" is known: see /stats models, then add prices to pricing.yaml or run /setup pricing auto.\n");
        }
        if (u.unpricedCalls() > u.provisionalCalls()) {
            t.append("\n").append(u.unpricedCalls() - u.provisionalCalls())
                    .append(" call(s) used models with no known price and are counted at $0: ")
                    .append("see /stats models, then add prices to pricing.yaml or run /setup pricing auto.\n");
        }
        ObjectNode j = rangeJson(w);
        j.set("usage", usageJson(u));
        ObjectNode sj = j.putObject("sessions");
        sj.put("sessions", s.sessions()).put("subagents", s.subagents()).put("ok", s.ok()).put("failed", s.failed())
                .put("running", s.running()).put("ended", s.endedCount()).put("avg_duration_ms", s.avgDurationMillis());
        j.set("tools", toolsJson(tools));
        if (!aux.isEmpty()) {
            ArrayNode auxJson = j.putArray("auxiliary");
            aux.forEach(a -> auxJson.addObject().put("task", a.task()).put("calls", a.calls()).put("cost_usd", Money.usd6(a.costMicros())));
        }
        if (!makerPriced.isEmpty()) {
            setFlagged(j, makerPriced);
        }
        return new Rendered(t.toString(), j);
    }

    /** "2 price from maker, 1 price estimated": calls per flag, in the flags' order. */
    private static String flagCounts(List<StatsQueries.MarkedTotals> flagged) {
        List<String> out = new java.util.ArrayList<>();
        for (var f : dev.plutus.pricing.CallCost.FLAGS) {
            long n = flagged.stream().filter(m -> f.getKey().equals(m.mark())).mapToLong(StatsQueries.MarkedTotals::calls).sum();
            if (n > 0) {
                out.add(n + " " + f.getValue());
            }
        }
        return String.join("; ", out);
    }

    /** {@code flagged_price}: every flagged call with its reason; {@code maker_price_fallback}: those priced at the maker's price. */
    private static void setFlagged(ObjectNode j, List<StatsQueries.MarkedTotals> flagged) {
        j.set("flagged_price", makerPricedJson(flagged));
        List<StatsQueries.MarkedTotals> maker = flagged.stream()
                .filter(m -> m.mark() == null || dev.plutus.pricing.CallCost.MAKER_PRICE_MARK.equals(m.mark())
                        || dev.plutus.pricing.CallCost.MAKER_AND_ESTIMATED_MARK.equals(m.mark())).toList();
        if (!maker.isEmpty()) {
            j.set("maker_price_fallback", makerPricedJson(maker));
        }
    }

    public static Rendered providers(StatsRange w, List<UsageTotals> rows) {
        StringBuilder t = header("providers", w);
        TextTable tt = new TextTable(new String[] {"Provider", "Calls", "Real", "Est", "Est%", "Unpriced", "Cost"},
                new boolean[] {false, true, true, true, true, true, true});
        ArrayNode arr = J.arrayNode();
        for (UsageTotals u : rows) {
            tt.add(u.provider(), ReportFormat.count(u.calls()), ReportFormat.count(u.realCalls()), ReportFormat.count(u.estimatedCalls()),
                    ReportFormat.percent(u.estimatedCalls(), u.calls()), ReportFormat.count(u.unpricedCalls()), cost(u));
            arr.add(usageJson(u));
        }
        t.append(tt.isEmpty() ? "No model calls in this window.\n" : tt.render());
        t.append("\nEst% = share of calls whose provider returned no usage (tokens estimated locally).\n")
                .append("Under on_estimated: warn_only, a hard verdict that rests on estimates is lowered to soft.\n");
        ObjectNode j = rangeJson(w);
        j.set("providers", arr);
        return new Rendered(t.toString(), j);
    }

    public static Rendered models(StatsRange w, List<UsageTotals> rows) {
        return models(w, rows, List.of());
    }

    /**
     * {@code makerPriced}: the calls of those rows priced at the model maker's list price because
     * their host had no price of its own; listed apart, since the host may bill more or less.
     */
    public static Rendered models(StatsRange w, List<UsageTotals> rows, List<StatsQueries.MarkedTotals> makerPriced) {
        StringBuilder t = header("models", w);
        TextTable tt = new TextTable(new String[] {"Provider", "Model", "Calls", "Real", "Est", "Unpriced", "Cost"},
                new boolean[] {false, false, true, true, true, true, true});
        ArrayNode arr = J.arrayNode();
        for (UsageTotals u : rows) {
            tt.add(u.provider(), u.model(), ReportFormat.count(u.calls()), ReportFormat.count(u.realCalls()), ReportFormat.count(u.estimatedCalls()),
                    ReportFormat.count(u.unpricedCalls()),
                    u.unpricedCalls() == u.calls() && u.provisionalCalls() == 0 ? "unpriced" : cost(u));
            arr.add(usageJson(u));
        }
        t.append(tt.isEmpty() ? "No model calls in this window.\n" : tt.render());
        t.append("\nRows are grouped by provider, then by calls. 'unpriced' means no price entry matched:\n")
                .append("run /setup pricing auto, or add the model to pricing.yaml.\n");
        if (rows.stream().anyMatch(u -> u.provisionalCalls() > 0)) {
            t.append("'provisional': counted at a stand-in price (the provider's dearest known model) until a price is known.\n");
        }
        if (!makerPriced.isEmpty()) {
            t.append('\n').append(ReportFormat.count(markedCalls(makerPriced))).append(" call(s), ")
                    .append(Money.display(markedCost(makerPriced)))
                    .append(", were priced at a flagged price (a stand-in for the price they are billed):\n");
            TextTable mt = new TextTable(new String[] {"Host", "Model", "Calls", "Cost", "Why"},
                    new boolean[] {false, false, true, true, false});
            makerPriced.forEach(m -> mt.add(m.provider() == null ? "-" : m.provider(), m.model(), ReportFormat.count(m.calls()),
                    Money.display(m.costMicros()), reason(m)));
            t.append(mt.render()).append("The host may bill more or less: add its price to pricing.yaml (e.g. "
                    + "'<host>/<model>:' or 'provider: <host>'), or run /setup pricing auto.\n");
        }
        ObjectNode j = rangeJson(w);
        j.set("models", arr);
        if (!makerPriced.isEmpty()) {
            setFlagged(j, makerPriced);
        }
        return new Rendered(t.toString(), j);
    }

    private static long markedCalls(List<StatsQueries.MarkedTotals> m) {
        return m.stream().mapToLong(StatsQueries.MarkedTotals::calls).sum();
    }

    private static long markedCost(List<StatsQueries.MarkedTotals> m) {
        return m.stream().mapToLong(StatsQueries.MarkedTotals::costMicros).reduce(0L, Money::plus);
    }

    private static ObjectNode makerPricedJson(List<StatsQueries.MarkedTotals> makerPriced) {
        ObjectNode o = J.objectNode();
        o.put("calls", markedCalls(makerPriced)).put("cost_usd", Money.microsToUsd(markedCost(makerPriced)));
        ArrayNode models = o.putArray("models");
        makerPriced.forEach(m -> models.addObject().put("provider", m.provider()).put("model", m.model())
                .put("calls", m.calls()).put("cost_usd", Money.microsToUsd(m.costMicros())).put("reason", reason(m)));
        return o;
    }

    private static String reason(StatsQueries.MarkedTotals m) {
        String r = m.mark() == null ? null : dev.plutus.pricing.CallCost.flagReason(m.mark());
        return r != null ? r : dev.plutus.pricing.CallCost.flagReason(dev.plutus.pricing.CallCost.MAKER_PRICE_MARK);
    }

    /** Cron jobs by name where Hermes's cron/jobs.json names them ({@code names}: id to name), else by id. */
    /**
     * Every cron job with a run or with spend in the range: spend comes from the calls' cron job id,
     * so a job whose sessions Hermes did not mark as cron runs is listed too (its runs unknown, "-").
     * Dearest first; names from the host beside the ids.
     */
    public static Rendered cron(StatsRange w, List<CronRuns> runs, List<UsageTotals> usageByJob, Map<String, String> names) {
        StringBuilder t = header("cron jobs", w);
        Map<String, UsageTotals> byJob = new HashMap<>();
        for (UsageTotals u : usageByJob) {
            if (u.cronJobId() != null && !u.cronJobId().isBlank()) {
                byJob.put(u.cronJobId(), u);
            }
        }
        Map<String, CronRuns> runsByJob = new HashMap<>();
        runs.forEach(r -> runsByJob.put(r.cronJobId(), r));
        java.util.Set<String> jobs = new java.util.HashSet<>(byJob.keySet());
        jobs.addAll(runsByJob.keySet());
        List<String> order = jobs.stream().sorted(java.util.Comparator.comparingLong(
                (String id) -> -byJob.getOrDefault(id, UsageTotals.empty()).costMicros()).thenComparing(id -> id)).toList();
        TextTable tt = new TextTable(new String[] {"Job", "ID", "Runs", "OK", "Fail", "Calls", "Tok-in", "Tok-out", "Cost", "Avg dur"},
                new boolean[] {false, false, true, true, true, true, true, true, true, true});
        ArrayNode arr = J.arrayNode();
        for (String id : order) {
            UsageTotals u = byJob.getOrDefault(id, UsageTotals.empty());
            CronRuns r = runsByJob.get(id);
            String name = names.get(id);
            tt.add(nz(name), id, r == null ? "-" : ReportFormat.count(r.runs()), r == null ? "-" : ReportFormat.count(r.ok()),
                    r == null ? "-" : ReportFormat.count(r.failed()), ReportFormat.count(u.calls()), ReportFormat.count(u.promptTokens()),
                    ReportFormat.count(u.outputTokens()), Money.display(u.costMicros()),
                    r == null || r.endedCount() == 0 ? "n/a" : ReportFormat.duration(r.avgDurationMillis()));
            ObjectNode o = arr.addObject();
            o.put("cron_job_id", id).put("name", name);
            if (r == null) {
                o.putNull("runs").putNull("ok").putNull("failed").putNull("avg_duration_ms");
            } else {
                o.put("runs", r.runs()).put("ok", r.ok()).put("failed", r.failed()).put("avg_duration_ms", r.avgDurationMillis());
            }
            o.set("usage", usageJson(u));
        }
        t.append(tt.isEmpty() ? "No cron job ran or spent in this window.\n" : tt.render());
        t.append("\nCost includes work the job delegated to subagents. Runs are counted from the sessions Hermes marks as cron runs;"
                + " '-' where none was seen, though the job's calls carried its id.\n");
        ObjectNode j = rangeJson(w);
        j.set("cron_jobs", arr);
        return new Rendered(t.toString(), j);
    }

    /**
     * Usage per workspace or task type ({@code what}), as calls sent to /v1/usage name them; calls
     * that name no workspace (Hermes's own) are in {@code default}, as everywhere else; a missing task type is {@code -}.
     */
    public static Rendered breakdown(StatsRange w, String what, List<StatsQueries.Slice> slices) {
        StringBuilder t = header(what.replace('_', ' '), w);
        TextTable tt = new TextTable(new String[] {what.equals("task_type") ? "Task type" : "Workspace", "Calls", "Tok-in", "Tok-out",
                "Cost", "Avg latency"}, new boolean[] {false, true, true, true, true, true});
        ArrayNode arr = J.arrayNode();
        for (StatsQueries.Slice x : slices) {
            UsageTotals u = x.usage();
            tt.add(nz(x.key()), ReportFormat.count(u.calls()), ReportFormat.count(u.promptTokens()), ReportFormat.count(u.outputTokens()),
                    cost(u), avgLatency(u));
            ObjectNode o = usageJson(u);
            o.put(what, x.key());
            arr.add(o);
        }
        t.append(tt.isEmpty() ? "No model calls in this window.\n" : tt.render());
        t.append(what.equals("workspace")
                ? "\n'default' holds the calls that name no workspace (Hermes's own, and /v1/usage calls without one).\n"
                : "\n'-' = calls that name no task type (Hermes's own; /v1/usage calls without one are 'general').\n");
        ObjectNode j = rangeJson(w);
        j.set(what.equals("task_type") ? "task_types" : "workspaces", arr);
        return new Rendered(t.toString(), j);
    }

    public static Rendered tools(StatsRange w, List<ToolTotals> tools) {
        StringBuilder t = header("tools", w);
        TextTable tt = new TextTable(new String[] {"Tool", "Calls", "Failures", "Fail%", "Avg ms"},
                new boolean[] {false, true, true, true, true});
        for (ToolTotals x : tools) {
            tt.add(x.toolName(), ReportFormat.count(x.calls()), ReportFormat.count(x.failures()), ReportFormat.percent(x.failures(), x.calls()), toolAvg(x));
        }
        t.append(tt.isEmpty() ? "No tool calls in this window.\n" : tt.render());
        ObjectNode j = rangeJson(w);
        j.set("tools", toolsJson(tools));
        return new Rendered(t.toString(), j);
    }

    public static Rendered sessions(StatsRange w, List<StatsQueries.SessionRow> rows, ZoneId zone) {
        return sessions(w, rows, rows.size(), zone);
    }

    /** {@code active}: how many sessions the window holds in all; a list cut short says so, so it is never read as complete. */
    public static Rendered sessions(StatsRange w, List<StatsQueries.SessionRow> rows, long active, ZoneId zone) {
        StringBuilder t = header("sessions", w);
        TextTable tt = new TextTable(new String[] {"Started", "Session", "Platform", "Model", "Status", "Calls", "Cost"},
                new boolean[] {false, false, false, false, false, true, true});
        ArrayNode arr = J.arrayNode();
        boolean cut = false;
        for (StatsQueries.SessionRow r : rows) {
            cut |= ReportFormat.cut(r.sessionId());
            tt.add(TS.format(r.startedAt().atZone(zone)), ReportFormat.id(r.sessionId()), nz(r.platform()), nz(r.model()), r.status(),
                    ReportFormat.count(r.calls()), (r.estimatedCalls() > 0 ? "~" : "") + Money.display(r.costMicros()));
            arr.addObject().put("session_id", r.sessionId()).put("platform", r.platform()).put("model", r.model())
                    .put("status", r.status()).put("started_at", r.startedAt().toString())
                    .put("calls", r.calls()).put("cost_usd", Money.microsToUsd(r.costMicros()));
        }
        t.append(tt.isEmpty() ? "No sessions in this window.\n" : tt.render());
        if (active > rows.size()) {
            t.append("The ").append(rows.size()).append(" latest started of ").append(active).append(" sessions active in this window"
                    + " (started in it, or with a call or tool call in it); the dashboard lists them all, by last call.\n");
        }
        t.append(cut ? ReportFormat.IDS_CUT : "");
        ObjectNode j = rangeJson(w);
        j.set("sessions", arr);
        j.put("active_sessions", active);
        return new Rendered(t.toString(), j);
    }

    /** Cost per calendar day in the user's zone, for the dashboard's chart. */
    public static Rendered daily(StatsRange w, List<StatsQueries.DayCost> days, ZoneId zone) {
        StringBuilder t = header("cost per day", w);
        TextTable tt = new TextTable(new String[] {"Day", "Calls", "Cost"}, new boolean[] {false, true, true});
        ArrayNode arr = J.arrayNode();
        for (StatsQueries.DayCost d : days) {
            tt.add(d.day().toString(), ReportFormat.count(d.calls()), Money.display(d.costMicros()));
            arr.addObject().put("day", d.day().toString()).put("calls", d.calls()).put("cost_usd", Money.microsToUsd(d.costMicros()));
        }
        t.append(tt.render());
        ObjectNode j = rangeJson(w);
        j.set("days", arr);
        return new Rendered(t.toString(), j);
    }

    public static Rendered raw(List<LlmCall> calls, ZoneId zone) {
        StringBuilder t = new StringBuilder("Plutus — last " + calls.size() + " model calls (times in " + dev.plutus.core.ZoneNames.display(zone) + ")\n" + RULE + "\n");
        TextTable tt = new TextTable(new String[] {"Time", "Session", "Provider", "Model", "In", "Out", "Cost", "Flags"},
                new boolean[] {false, false, false, false, true, true, true, false});
        ArrayNode arr = J.arrayNode();
        boolean cut = false;
        for (LlmCall c : calls) {
            String flags = (c.estimated() ? "est " : "") + (c.provisional() ? "provisional" : c.priced() ? "" : "unpriced");
            cut |= ReportFormat.cut(c.sessionId());
            tt.add(TS.format(c.timestamp().atZone(zone)), ReportFormat.id(nz(c.sessionId())), c.provider(), c.model(),
                    ReportFormat.count(c.usage().promptTokens()), ReportFormat.count(c.usage().output()), Money.display(c.costMicros()), flags.trim());
            ObjectNode o = arr.addObject();
            o.put("ts", c.timestamp().toString()).put("session_id", c.sessionId()).put("provider", c.provider())
                    .put("model", c.model()).put("input_tokens", c.usage().input()).put("output_tokens", c.usage().output())
                    .put("cache_read_tokens", c.usage().cacheRead()).put("cache_write_tokens", c.usage().cacheWrite())
                    .put("reasoning_tokens", c.usage().reasoning()).put("cost_usd", Money.microsToUsd(c.costMicros()))
                    .put("estimated", c.estimated()).put("priced", c.priced()).put("provisional", c.provisional())
                    .put("price_entry", c.priceEntry());
        }
        t.append(tt.isEmpty() ? "No model calls recorded.\n" : tt.render());
        t.append(cut ? ReportFormat.IDS_CUT : "");
        return new Rendered(t.toString(), J.objectNode().set("calls", arr));
    }

    private static StringBuilder header(String what, StatsRange w) {
        return new StringBuilder("Plutus — " + what + " (" + w.title() + ")\n" + "=".repeat(72) + "\n");
    }

    /** The range as every /stats answer carries it: its word, its bounds and the zone its dates are read in. */
    private static ObjectNode rangeJson(StatsRange w) {
        return J.objectNode().put("window", w.key()).put("from", w.from().toString()).put("to", w.to().toString())
                .put("zone", w.zone().getId());
    }

    /** Averaged over the calls that had a latency measured; "n/a" when none had. */
    private static String avgLatency(UsageTotals u) {
        java.util.OptionalLong avg = u.avgLatencyMillis();
        return avg.isEmpty() ? "n/a" : ReportFormat.duration(avg.getAsLong())
                + (u.latencyCalls() < u.calls() ? " (of " + ReportFormat.count(u.latencyCalls()) + " measured)" : "");
    }

    /** A tool's average duration over its timed calls, as model latency is averaged; "not measured" when none was timed, never "0ms". */
    private static String toolAvg(ToolTotals x) {
        java.util.OptionalLong avg = x.avgMillis();
        return avg.isEmpty() ? "not measured" : avg.getAsLong() + "ms"
                + (x.timedCalls() < x.calls() ? " (of " + ReportFormat.count(x.timedCalls()) + " measured)" : "");
    }

    /** A cost cell; one that rests partly on provisional prices says so. */
    private static String cost(UsageTotals u) {
        return Money.display(u.costMicros()) + (u.provisionalCalls() > 0 ? " provisional" : "");
    }

    private static String qualifiers(UsageTotals u) {
        if (u.estimatedCalls() == 0 && u.unpricedCalls() == 0) {
            return "";
        }
        return " (" + (u.estimatedCalls() > 0 ? u.estimatedCalls() + " estimated" : "")
                + (u.estimatedCalls() > 0 && u.unpricedCalls() > 0 ? ", " : "")
                + (u.unpricedCalls() > 0 ? u.unpricedCalls() + " unpriced" : "") + ")";
    }

    private static String kv(String k, String v) {
        return String.format("%-13s: %s%n", k, v);
    }

    private static String nz(String s) {
        return s == null ? "-" : s;
    }

    static ObjectNode usageJson(UsageTotals u) {
        ObjectNode o = J.objectNode();
        if (u.provider() != null) {
            o.put("provider", u.provider());
        }
        if (u.model() != null) {
            o.put("model", u.model());
        }
        o.put("calls", u.calls()).put("estimated_calls", u.estimatedCalls()).put("unpriced_calls", u.unpricedCalls())
                .put("input_tokens", u.inputTokens()).put("output_tokens", u.outputTokens())
                .put("cache_read_tokens", u.cacheReadTokens()).put("cache_write_tokens", u.cacheWriteTokens())
                .put("reasoning_tokens", u.reasoningTokens()).put("cost_usd", Money.microsToUsd(u.costMicros()))
                .put("latency_ms", u.latencyMillis()).put("latency_calls", u.latencyCalls())
                .put("avg_latency_ms", u.avgLatencyMillis().isPresent() ? u.avgLatencyMillis().getAsLong() : null)
                .put("provisional_calls", u.provisionalCalls())
                .put("provisional_usd", Money.microsToUsd(u.provisionalMicros()));
        return o;
    }

    private static ArrayNode toolsJson(List<ToolTotals> tools) {
        ArrayNode a = J.arrayNode();
        for (ToolTotals x : tools) {
            a.addObject().put("tool", x.toolName()).put("calls", x.calls()).put("failures", x.failures()).put("timed_calls", x.timedCalls())
                    .put("avg_ms", x.avgMillis().isPresent() ? x.avgMillis().getAsLong() : null);
        }
        return a;
    }
}
