package dev.plutus.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.HomeLayout;
import dev.plutus.core.Money;
import dev.plutus.provider.LiveBalance;
import dev.plutus.runway.ProviderRunway;
import dev.plutus.provider.RateLimitStatus;
import dev.plutus.runway.RoutingPlan;
import dev.plutus.runway.RoutingPlanner;
import dev.plutus.runway.RoutingRefused;
import dev.plutus.runway.RunwayView;
import dev.plutus.store.RunwayStore;
import java.math.RoundingMode;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.Locale;

/** /runway: every provider's money left, burn, days left and limits, as text, JSON and a self-contained HTML page. */
public final class RunwayReport {
    private static final JsonNodeFactory J = JsonNodeFactory.instance;
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);
    private static final String SPARKS = "▁▂▃▄▅▆▇█";

    private RunwayReport() {}

    public static Rendered render(RunwayView v) {
        return render(v, words -> "plutus " + words);
    }

    /** The same, naming commands in hints for {@code home} ({@code --home DIR} when it is not the default). */
    public static Rendered render(RunwayView v, HomeLayout home) {
        return render(v, home::command);
    }

    /** {@code command} writes {@code plutus <words>} as the user types it. */
    static Rendered render(RunwayView v, UnaryOperator<String> command) {
        return new Rendered(text(v, command), json(v));
    }

    static String text(RunwayView v) {
        return text(v, words -> "plutus " + words);
    }

    static String text(RunwayView v, UnaryOperator<String> command) {
        StringBuilder sb = new StringBuilder("Runway — " + WHEN.format(v.at().atZone(v.zone())) + " " + dev.plutus.core.ZoneNames.display(v.zone()) + "\n\n");
        if (v.providers().isEmpty()) {
            sb.append("No providers to watch: no provider key was found (environment or Hermes .env) and nothing is recorded.\n")
                    .append("List providers in runway.yaml in PLUTUS_HOME (see the README).\n");
            return sb.toString();
        }
        TextTable t = new TextTable(new String[] {"provider", "left", "source", "burn/day", "trend", "days left", "runs out",
                "today", "7d", "30d", "all time"}, new boolean[] {false, true, false, true, false, true, false, true, true, true, true});
        for (ProviderRunway r : RoutingPlanner.rank(v.providers(), v.config().alerts())) {
            t.add(r.name(), r.remainingMicros() == null ? "?" : Money.display(r.remainingMicros()), r.source().label(),
                    Money.display(r.burnMicrosPerDay()), r.trendLabel(), days(r), r.exhaustsOn() == null ? "-" : r.exhaustsOn().toString(),
                    Money.display(r.spend().todayMicros()), Money.display(r.spend().last7Micros()), Money.display(r.spend().last30Micros()),
                    Money.display(r.spend().allMicros()));
        }
        sb.append(t.render()).append('\n');
        for (ProviderRunway r : RoutingPlanner.rank(v.providers(), v.config().alerts())) {
            for (String note : notes(r, v, command)) {
                sb.append("  ").append(r.name()).append(": ").append(note).append('\n');
            }
        }
        if (!v.alerts().isEmpty()) {
            sb.append('\n');
            v.alerts().forEach(a -> sb.append("⚠ ").append(a.message()).append('\n'));
        }
        String route = routeLine(v, command);
        if (route != null) {
            sb.append('\n').append(route).append('\n');
        }
        return sb.toString();
    }

    private static String days(ProviderRunway r) {
        if (r.daysLeft() != null) {
            return r.daysLeft().toPlainString();
        }
        return r.remainingMicros() == null ? "?" : "∞";
    }

    /** Lines under the table: what the provider said beyond money, what went wrong, where the estimate comes from. */
    static List<String> notes(ProviderRunway r, RunwayView v, UnaryOperator<String> command) {
        List<String> out = new ArrayList<>();
        if (r.error() != null) {
            out.add(r.error() + (r.source() == ProviderRunway.Source.ESTIMATE ? " (showing the estimate)" : ""));
        }
        LiveBalance b = r.balance();
        if (b != null) {
            String limit = b.limitMicros() == null ? "" : " of " + Money.display(b.limitMicros());
            String usage = b.usageMicros() == null ? "" : ", used " + Money.display(b.usageMicros());
            out.add((b.remainingMicros() == null ? "no limit" : Money.display(b.remainingMicros()) + limit) + usage
                    + (b.freeTier() ? " [free tier]" : "") + " — " + b.detail());
        }
        RateLimitStatus l = r.limits();
        if (l != null) {
            out.add("rate limits " + l.status() + ": " + String.join(", ", l.windows().stream().map(w -> window(w, v.zone())).toList())
                    + (l.retryAfterSeconds() == null ? "" : "; retry after " + l.retryAfterSeconds() + " s"));
        }
        if (r.subscription() != null) {
            out.add("ChatGPT " + r.subscription() + " subscription (Codex login): no usage API, and its calls (openai-codex) are not counted"
                    + " against this API account");
        }
        if (r.source() == ProviderRunway.Source.ESTIMATE) {
            out.add("estimate: budget " + Money.display(r.budgetMicros()) + " − " + Money.display(r.spend().allMicros()) + " recorded"
                    + (r.calibratedAt() == null ? " (runway.yaml budget)" : " (calibrated " + WHEN.format(r.calibratedAt().atZone(v.zone())) + ")"));
        }
        String step = v.nextStep(r.name());
        if (step != null) {
            out.add(step);
        }
        List<RunwayStore.Snapshot> h = v.history().getOrDefault(r.name(), List.of());
        if (h.size() >= 2) {
            out.add("history: " + spark(h) + " " + money(h.get(0).remainingMicros()) + " → " + money(h.get(h.size() - 1).remainingMicros())
                    + " over " + h.size() + " snapshots since " + WHEN.format(h.get(0).at().atZone(v.zone())));
        }
        return out;
    }

    private static String window(RateLimitStatus.Window w, ZoneId zone) {
        String what;
        if (w.utilization() != null) {
            what = w.name() + " " + w.utilization().movePointRight(2).setScale(0, RoundingMode.HALF_UP).toPlainString() + "% used";
        } else if (w.remaining() != null && w.limit() != null) {
            what = w.name() + " " + ReportFormat.count(w.remaining()) + "/" + ReportFormat.count(w.limit()) + " left";
        } else {
            what = w.name() + (w.remaining() == null ? "" : " " + ReportFormat.count(w.remaining()) + " left");
        }
        return what + (w.resetsAt() == null ? "" : " (resets " + DateTimeFormatter.ofPattern("MM-dd HH:mm:ss", Locale.ROOT)
                .format(w.resetsAt().atZone(zone)) + ")");
    }

    private static String money(Long micros) {
        return micros == null ? "?" : Money.display(micros);
    }

    /** Money left over the snapshots as bars, oldest first; unknown points are blank. */
    static String spark(List<RunwayStore.Snapshot> h) {
        long max = 0;
        long min = Long.MAX_VALUE;
        for (RunwayStore.Snapshot s : h) {
            if (s.remainingMicros() != null) {
                max = Math.max(max, s.remainingMicros());
                min = Math.min(min, s.remainingMicros());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (RunwayStore.Snapshot s : h) {
            if (s.remainingMicros() == null) {
                sb.append(' ');
            } else {
                int i = max == min ? SPARKS.length() - 1 : (int) ((s.remainingMicros() - min) * (SPARKS.length() - 1) / (max - min));
                sb.append(SPARKS.charAt(Math.max(0, i)));
            }
        }
        return sb.toString();
    }

    private static String routeLine(RunwayView v, UnaryOperator<String> command) {
        if (v.providers().stream().noneMatch(r -> r.config().routable())) {
            return null;
        }
        try {
            RoutingPlan p = RoutingPlanner.plan(v.providers(), v.config().alerts());
            return "Router: " + p.summary() + (v.config().router().apply() ? " (applied every " + human(v.config().router().every()) + ")"
                    : " (plan only; router.apply: true writes it, or run `" + command.apply("route") + "`)");
        } catch (RoutingRefused e) {
            return "Router: " + e.getMessage();
        }
    }

    private static String human(java.time.Duration d) {
        return d.toMinutes() % 60 == 0 ? d.toHours() + "h" : d.toMinutes() + "m";
    }

    static ObjectNode json(RunwayView v) {
        ObjectNode o = J.objectNode();
        o.put("at", v.at().toString()).put("zone", v.zone().getId());
        ArrayNode ps = o.putArray("providers");
        int rank = 0;
        for (ProviderRunway r : RoutingPlanner.rank(v.providers(), v.config().alerts())) {
            ObjectNode p = ps.addObject();
            p.put("rank", ++rank).put("provider", r.name()).put("kind", r.config().kind().label()).put("source", r.source().label());
            putUsd(p, "remaining_usd", r.remainingMicros());
            putUsd(p, "budget_usd", r.budgetMicros());
            p.put("burn_usd_per_day", Money.microsToUsd(r.burnMicrosPerDay()));
            if (r.trendPct() == null) {
                p.putNull("trend_pct");
            } else {
                p.put("trend_pct", r.trendPct());
            }
            if (r.daysLeft() == null) {
                p.putNull("days_left");
            } else {
                p.put("days_left", r.daysLeft());
            }
            p.put("exhausts_on", r.exhaustsOn() == null ? null : r.exhaustsOn().toString());
            ObjectNode s = p.putObject("spend_usd");
            s.put("today", Money.microsToUsd(r.spend().todayMicros())).put("7d", Money.microsToUsd(r.spend().last7Micros()))
                    .put("prev_7d", Money.microsToUsd(r.spend().prev7Micros())).put("30d", Money.microsToUsd(r.spend().last30Micros()))
                    .put("all", Money.microsToUsd(r.spend().allMicros()));
            if (r.balance() != null) {
                ObjectNode b = p.putObject("balance");
                putUsd(b, "remaining_usd", r.balance().remainingMicros());
                putUsd(b, "limit_usd", r.balance().limitMicros());
                putUsd(b, "usage_usd", r.balance().usageMicros());
                b.put("free_tier", r.balance().freeTier()).put("available", r.balance().available()).put("detail", r.balance().detail());
            }
            if (r.limits() != null) {
                ObjectNode l = p.putObject("rate_limits");
                l.put("status", r.limits().status());
                if (r.limits().retryAfterSeconds() != null) {
                    l.put("retry_after_s", r.limits().retryAfterSeconds());
                }
                ArrayNode ws = l.putArray("windows");
                for (RateLimitStatus.Window w : r.limits().windows()) {
                    ObjectNode wn = ws.addObject().put("name", w.name());
                    if (w.limit() != null) {
                        wn.put("limit", w.limit());
                    }
                    if (w.remaining() != null) {
                        wn.put("remaining", w.remaining());
                    }
                    if (w.utilization() != null) {
                        wn.put("utilization", w.utilization());
                    }
                    if (w.resetsAt() != null) {
                        wn.put("resets_at", w.resetsAt().toString());
                    }
                    if (w.status() != null) {
                        wn.put("status", w.status());
                    }
                }
            }
            p.put("error", r.error());
            p.put("next_step", v.nextStep(r.name()));
            p.put("calibrated_at", r.calibratedAt() == null ? null : r.calibratedAt().toString());
            if (r.subscription() != null) {
                p.put("chatgpt_plan", r.subscription());
            }
            p.put("fetched_at", r.fetchedAt() == null ? null : r.fetchedAt().toString());
            ArrayNode h = p.putArray("history");
            for (RunwayStore.Snapshot snap : v.history().getOrDefault(r.name(), List.of())) {
                ObjectNode sn = h.addObject().put("at", snap.at().toString());
                putUsd(sn, "remaining_usd", snap.remainingMicros());
                if (snap.daysLeft() != null) {
                    sn.put("days_left", snap.daysLeft());
                }
            }
        }
        ArrayNode alerts = o.putArray("alerts");
        v.alerts().forEach(a -> alerts.addObject().put("provider", a.provider()).put("kind", a.kind()).put("message", a.message())
                .put("since", a.firedAt().toString()));
        if (v.providers().stream().anyMatch(r -> r.config().routable())) {
            ObjectNode route = o.putObject("router");
            route.put("apply", v.config().router().apply());
            try {
                RoutingPlan p = RoutingPlanner.plan(v.providers(), v.config().alerts());
                route.put("primary", p.primary().describe()).put("delegation", p.delegation().describe());
                ArrayNode f = route.putArray("fallbacks");
                p.fallbacks().forEach(x -> f.add(x.describe()));
                ArrayNode reasons = route.putArray("reasons");
                p.reasons().forEach(reasons::add);
            } catch (RoutingRefused e) {
                route.put("refused", e.getMessage());
            }
        }
        return o;
    }

    private static void putUsd(ObjectNode o, String field, Long micros) {
        if (micros == null) {
            o.putNull(field);
        } else {
            o.put(field, Money.microsToUsd(micros));
        }
    }

    /** A page with no outside resources: styles inline, history as inline SVG. */
    public static String html(RunwayView v) {
        return html(v, words -> "plutus " + words);
    }

    /** The page, naming commands in hints for {@code home}. */
    public static String html(RunwayView v, HomeLayout home) {
        return html(v, home::command);
    }

    private static String html(RunwayView v, UnaryOperator<String> command) {
        StringBuilder sb = new StringBuilder("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Plutus runway</title>
                <style>
                body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2430;background:#f7f8fa}
                h1{font-size:1.4rem;margin:0 0 .2rem} .when{color:#667085;margin-bottom:1.2rem}
                table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0001;width:100%}
                th,td{padding:.5rem .7rem;border-bottom:1px solid #eaecf0;text-align:left;vertical-align:top}
                td.n{text-align:right;font-variant-numeric:tabular-nums} th{background:#f2f4f7;font-weight:600}
                .bar{height:6px;background:#eaecf0;border-radius:3px;margin-top:4px;min-width:80px}
                .bar>span{display:block;height:6px;border-radius:3px;background:#12b76a} .low>span{background:#f04438}
                .note{color:#475467;font-size:.9em} .err{color:#b42318} .alert{background:#fef3f2;border:1px solid #fecdca;
                padding:.6rem .8rem;border-radius:6px;margin:.8rem 0;color:#b42318} .route{margin-top:1rem;color:#344054}
                </style></head><body>
                """);
        sb.append("<h1>Provider runway</h1><div class=\"when\">").append(esc(WHEN.format(v.at().atZone(v.zone())) + " " + dev.plutus.core.ZoneNames.display(v.zone())))
                .append("</div>\n");
        v.alerts().forEach(a -> sb.append("<div class=\"alert\">").append(esc(a.message())).append("</div>\n"));
        sb.append("<table><thead><tr><th>Provider</th><th>Left</th><th>Source</th><th>Burn/day</th><th>Trend</th><th>Days left</th>"
                + "<th>Runs out</th><th>7d</th><th>30d</th><th>All time</th><th>History</th></tr></thead><tbody>\n");
        for (ProviderRunway r : RoutingPlanner.rank(v.providers(), v.config().alerts())) {
            boolean low = v.alerts().stream().anyMatch(a -> a.provider().equals(r.name()));
            sb.append("<tr data-provider=\"").append(esc(r.name())).append("\"><td><b>").append(esc(r.name())).append("</b>");
            for (String note : notes(r, v, command)) {
                sb.append("<div class=\"note").append(r.error() != null && note.startsWith(r.error()) ? " err" : "").append("\">")
                        .append(esc(note)).append("</div>");
            }
            sb.append("</td><td class=\"n\">").append(esc(money(r.remainingMicros())));
            Long of = r.budgetMicros();
            if (of != null && of > 0 && r.remainingMicros() != null) {
                long pct = Math.max(0, Math.min(100, r.remainingMicros() * 100 / of));
                sb.append("<div class=\"bar").append(low ? " low" : "").append("\"><span style=\"width:").append(pct).append("%\"></span></div>");
            }
            sb.append("</td><td>").append(esc(r.source().label())).append("</td><td class=\"n\">").append(esc(Money.display(r.burnMicrosPerDay())))
                    .append("</td><td>").append(esc(r.trendLabel())).append("</td><td class=\"n\">").append(esc(days(r)))
                    .append("</td><td>").append(r.exhaustsOn() == null ? "-" : esc(r.exhaustsOn().toString()))
                    .append("</td><td class=\"n\">").append(esc(Money.display(r.spend().last7Micros())))
                    .append("</td><td class=\"n\">").append(esc(Money.display(r.spend().last30Micros())))
                    .append("</td><td class=\"n\">").append(esc(Money.display(r.spend().allMicros())))
                    .append("</td><td>").append(svg(v.history().getOrDefault(r.name(), List.of()))).append("</td></tr>\n");
        }
        sb.append("</tbody></table>\n");
        String route = routeLine(v, command);
        if (route != null) {
            sb.append("<div class=\"route\">").append(esc(route)).append("</div>\n");
        }
        return sb.append("</body></html>\n").toString();
    }

    private static String svg(List<RunwayStore.Snapshot> h) {
        List<long[]> pts = new ArrayList<>();
        for (int i = 0; i < h.size(); i++) {
            if (h.get(i).remainingMicros() != null) {
                pts.add(new long[] {i, h.get(i).remainingMicros()});
            }
        }
        if (pts.size() < 2) {
            return "";
        }
        long max = pts.stream().mapToLong(p -> p[1]).max().orElse(1);
        long min = pts.stream().mapToLong(p -> p[1]).min().orElse(0);
        StringBuilder path = new StringBuilder();
        for (long[] p : pts) {
            long x = p[0] * 120 / Math.max(1, h.size() - 1);
            long y = max == min ? 12 : 22 - (p[1] - min) * 20 / (max - min);
            path.append(path.length() == 0 ? "M" : " L").append(x).append(',').append(y);
        }
        return "<svg width=\"120\" height=\"24\" viewBox=\"0 0 120 24\" role=\"img\" aria-label=\"money left over time\">"
                + "<path d=\"" + path + "\" fill=\"none\" stroke=\"#2e90fa\" stroke-width=\"2\"/></svg>";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** One line per active low-runway alert, for /budget. */
    public static String alertLines(List<String> messages) {
        StringBuilder sb = new StringBuilder();
        messages.forEach(m -> sb.append("⚠ ").append(m).append('\n'));
        return sb.toString();
    }
}
