package dev.plutus.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.Money;
import dev.plutus.budget.BudgetFile;
import dev.plutus.budget.Level;
import dev.plutus.budget.RefusalLog;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.ScopeStatus;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/** Pure renderer for /budget: one line per scope and window. */
public final class BudgetReport {
    private static final DateTimeFormatter RESET = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z");

    private BudgetReport() {}

    public static Rendered render(String title, List<ScopeStatus> statuses, ZoneId zone, BudgetFile.Standing standing) {
        return render(title, statuses, List.of(), zone, standing);
    }

    /**
     * {@code statuses} in the order given (worst first, as {@link #WORST_FIRST} sorts them), with a
     * forecast column for the scopes {@code forecasts} covers.
     */
    public static Rendered render(String title, List<ScopeStatus> statuses, List<BudgetForecast> forecasts, ZoneId zone,
            BudgetFile.Standing standing) {
        return render(title, statuses, forecasts, zone, standing, java.util.Map.of());
    }

    /** As above, with each cron job's name beside its id ({@code cronJobNames} by id, from the host). */
    public static Rendered render(String title, List<ScopeStatus> statuses, List<BudgetForecast> forecasts, ZoneId zone,
            BudgetFile.Standing standing, java.util.Map<String, String> cronJobNames) {
        return render(title, statuses, forecasts, zone, standing, cronJobNames, scope -> 0, List.of());
    }

    /**
     * As above, with the money {@code held} per scope for calls in flight (a note, not part of the level: a hold
     * refuses model calls but never blocks tools) and the model calls {@code refused} lately, newest first.
     */
    public static Rendered render(String title, List<ScopeStatus> statuses, List<BudgetForecast> forecasts, ZoneId zone,
            BudgetFile.Standing standing, java.util.Map<String, String> cronJobNames, ToLongFunction<ScopeRef> held,
            List<RefusalLog.Refusal> refused) {
        java.util.Map<ScopeStatus, BudgetForecast> ahead = new java.util.IdentityHashMap<>();
        forecasts.forEach(f -> ahead.put(f.status(), f));
        Optional<String> fileError = standing.refusal();
        boolean anyLimit = standing.anyLimit();
        StringBuilder t = new StringBuilder("Plutus — " + title + "\n" + "=".repeat(72) + "\n");
        String notice = standing.notice();
        if (!notice.isEmpty()) {
            t.append(notice).append('\n');
        }
        boolean withForecast = !forecasts.isEmpty();
        TextTable tt = withForecast
                ? new TextTable(new String[] {"", "Scope", "Window", "Spent", "Limit", "%", "Resets", "At today's pace", "Notes"},
                        new boolean[] {false, false, false, true, true, true, false, false, false})
                : new TextTable(new String[] {"", "Scope", "Window", "Spent", "Limit", "%", "Resets", "Notes"},
                        new boolean[] {false, false, false, true, true, true, false, false});
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (ScopeStatus s : statuses) {
            String flag = s.level() == Level.HARD ? "█" : s.level() == Level.SOFT ? "!" : " ";
            String notes = (s.restsOnEstimates() ? "~est " : "") + (s.degraded() ? "(hard→soft: estimates) " : "")
                    + (s.spend().unpricedCalls() > 0 ? "~unpriced:" + s.spend().unpricedCalls() + " " : "")
                    + (s.spend().provisionalMicros() > 0 ? "~provisional:" + Money.display(s.spend().provisionalMicros(), s.limitMicros()) + " " : "");
            long heldNow = held.applyAsLong(s.scope());
            if (heldNow > 0) {
                notes += "held:" + Money.display(heldNow, s.limitMicros());
            }
            String pct = s.percent() >= 10_000 ? ">9999%" : s.percent() + "%";
            BudgetForecast f = ahead.get(s);
            String spent = Money.display(s.spentMicros(), s.limitMicros());
            String resets = s.resetsAt() == null ? "-" : RESET.format(s.resetsAt().atZone(zone));
            String cronName = s.scope().kind() == dev.plutus.budget.ScopeKind.CRON_JOB ? cronJobNames.get(s.scope().id()) : null;
            String scope = s.scope().describe() + (cronName == null ? "" : " (" + cronName + ")");
            if (withForecast) {
                tt.add(flag, scope, s.window().label(), spent, Money.display(s.limitMicros()), pct, resets,
                        forecastCell(f, zone), notes.trim());
            } else {
                tt.add(flag, scope, s.window().label(), spent, Money.display(s.limitMicros()), pct, resets, notes.trim());
            }
            ObjectNode o = arr.addObject();
            o.put("scope", s.scope().kind().label()).put("id", s.scope().written());
            if (cronName != null) {
                o.put("name", cronName);
            }
            o.put("window", s.window().label())
                    .put("spent_usd", Money.microsToUsd(s.spentMicros())).put("limit_usd", Money.microsToUsd(s.limitMicros()))
                    .put("level", s.level().label()).put("percent", s.percent())
                    .put("estimated_usd", Money.microsToUsd(s.spend().estimatedMicros()))
                    .put("unpriced_calls", s.spend().unpricedCalls())
                    .put("provisional_usd", Money.microsToUsd(s.spend().provisionalMicros())).put("degraded", s.degraded())
                    .put("period", s.periodKey()).put("resets_at", s.resetsAt() == null ? null : s.resetsAt().toString())
                    .put("held_usd", Money.microsToUsd(heldNow));
            if (f != null) {
                o.putObject("forecast").put("outlook", f.outlook().name().toLowerCase(java.util.Locale.ROOT))
                        .put("burn_usd_per_day", Money.microsToUsd(f.burnMicrosPerDay()))
                        .put("hits_cap_at", f.hitsCapAt() == null ? null : f.hitsCapAt().toString())
                        .put("text", forecastCell(f, zone));
            }
        }
        if (standing.verdictUnknown()) {
            t.append("No limit is known: spend is tracked, and every budget verdict is unknown (hooks answer 503, so your\n")
                    .append("fail_mode decides) until budget.yaml is fixed.\n");
        } else if (!anyLimit && fileError.isPresent()) {
            t.append("No limit is in force: spend is tracked but nothing is enforced until budget.yaml is fixed.\n");
        } else if (!anyLimit) {
            t.append("No budgets are set: spend is tracked but nothing is enforced.\n")
                    .append("Set one with /budget set global daily 5.00, or /setup budget default.\n");
        } else if (tt.isEmpty()) {
            t.append("No scope in this view has a limit.\n");
        } else {
            t.append(tt.render());
        }
        if (!refused.isEmpty()) {
            t.append('\n').append(refusedLines(refused, zone));
        }
        t.append("\nIn force: ").append(inForce(standing)).append("; times in ").append(dev.plutus.core.ZoneNames.display(zone)).append('\n');
        t.append("Legend: (blank)=ok  !=soft  █=hard (tools blocked, cron paused)  ~est=rests partly on estimated tokens\n");
        if (statuses.stream().anyMatch(s -> s.spend().provisionalMicros() > 0)) {
            t.append("~provisional=that much of the spend is calls to models with no known price, counted at a stand-in\n")
                    .append("price (on_unpriced: provisional) until a real one is known; they are then re-priced.\n");
        }
        ObjectNode j = JsonNodeFactory.instance.objectNode();
        j.set("scopes", arr);
        j.put("zone", zone.getId());
        fileError.ifPresent(e -> j.put("error", e));
        ArrayNode refusedJson = j.putArray("refused_calls");
        for (RefusalLog.Refusal r : refused) {
            refusedJson.addObject().put("at", r.at().toString()).put("session_id", r.sessionId())
                    .put("scope", r.scope().kind().label()).put("id", r.scope().written()).put("window", r.window().label())
                    .put("expected_usd", Money.microsToUsd(r.expectedMicros())).put("spent_usd", Money.microsToUsd(r.spentMicros()))
                    .put("held_usd", Money.microsToUsd(r.heldMicros())).put("limit_usd", Money.microsToUsd(r.limitMicros()))
                    .put("cause", r.onlyHeld() ? "held" : "spent");
        }
        if (standing.verdictUnknown()) {
            j.put("verdict", "unknown");
        }
        ObjectNode f = j.putObject("budget_file");
        f.put("path", standing.file().toString()).put("in_force", standing.source().name().toLowerCase(java.util.Locale.ROOT))
                .put("digest", standing.digest()).put("state", standing.fileState()).put("any_limit", anyLimit);
        fileError.ifPresent(e -> f.put("error", e));
        standing.copyProblem().ifPresent(p -> f.put("copy_problem", p));
        standing.looseningAt().ifPresent(at -> {
            f.put("loosening_at", at.toString());
            standing.loosening().forEach(f.withArray("loosening")::add);
        });
        return new Rendered(t.toString(), j);
    }

    /** Hard breaches first, then soft, then the rest; within a level the fullest first. */
    public static final java.util.Comparator<ScopeStatus> WORST_FIRST = java.util.Comparator
            .comparingInt((ScopeStatus s) -> switch (s.level()) {
                case HARD -> 0;
                case UNKNOWN -> 1;
                case SOFT -> 2;
                case OK -> 3;
            })
            .thenComparing(Comparator.comparingLong(ScopeStatus::percent).reversed())
            .thenComparing(s -> s.scope().kind()).thenComparing(s -> s.scope().id()).thenComparing(ScopeStatus::window);

    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("HH:mm:ss");

    /**
     * One line per session and scope that had a model call refused: a session stopped by what is held for calls in
     * flight shows here even though every spend is under its limit.
     */
    private static String refusedLines(List<RefusalLog.Refusal> refused, ZoneId zone) {
        StringBuilder t = new StringBuilder("Model calls cut short lately (the request was shrunk before it went out):\n");
        for (RefusalLog.Refusal r : refused) {
            String who = r.sessionId() == null ? "no session" : "session " + dev.plutus.core.TerminalSafe.of(r.sessionId());
            String why = r.onlyHeld()
                    ? "expected cost " + Money.display(r.expectedMicros(), r.limitMicros()) + " did not fit: "
                            + Money.display(r.spentMicros(), r.limitMicros()) + " spent + " + Money.display(r.heldMicros(), r.limitMicros())
                            + " held for calls in flight, of " + Money.display(r.limitMicros()) + " (tools still allowed)"
                    : "spend " + Money.display(r.spentMicros(), r.limitMicros()) + " of " + Money.display(r.limitMicros())
                            + " reached the hard limit";
            t.append("  ").append(AT.format(r.at().atZone(zone))).append("  ").append(who).append("  ")
                    .append(r.scope().describe()).append(' ').append(r.window().label()).append(": ").append(why).append('\n');
        }
        return t.toString();
    }

    private static String forecastCell(BudgetForecast f, ZoneId zone) {
        if (f == null) {
            return "-";
        }
        return switch (f.outlook()) {
            case BEFORE_RESET -> "cap at " + RESET.format(f.hitsCapAt().atZone(zone)) + " (" + Money.display(f.burnMicrosPerDay()) + "/day)";
            case HOLDS -> "holds (" + Money.display(f.burnMicrosPerDay()) + "/day)";
            default -> f.outlook().label();
        };
    }

    private static String inForce(BudgetFile.Standing s) {
        return switch (s.source()) {
            case FILE -> s.file().getFileName() + " (" + s.digest() + ")";
            case LAST_GOOD -> "the last good copy " + s.lastGood().getFileName() + " (" + s.digest() + ")";
            case NONE -> "no budget";
        };
    }
}
