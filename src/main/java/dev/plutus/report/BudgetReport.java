package dev.plutus.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.Money;
import dev.plutus.budget.BudgetFile;
import dev.plutus.budget.Level;
import dev.plutus.budget.ScopeStatus;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

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
                    + (s.spend().provisionalMicros() > 0 ? "~provisional:" + Money.display(s.spend().provisionalMicros(), s.limitMicros()) : "");
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
                    .put("period", s.periodKey()).put("resets_at", s.resetsAt() == null ? null : s.resetsAt().toString());
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
