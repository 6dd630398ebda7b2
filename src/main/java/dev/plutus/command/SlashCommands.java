package dev.plutus.command;

import dev.plutus.report.BudgetForecast;
import dev.plutus.report.BudgetReport;
import dev.plutus.report.Rendered;
import dev.plutus.report.RunwayReport;
import dev.plutus.report.StatsReport;
import dev.plutus.report.StatsRange;
import dev.plutus.core.NearestWord;
import dev.plutus.core.Money;
import java.time.ZoneId;
import java.util.Locale;
import java.util.function.Supplier;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.plutus.engine.Engine;
import dev.plutus.budget.BudgetConfig;
import dev.plutus.budget.BudgetFile;
import dev.plutus.budget.SpendLedger;
import dev.plutus.core.HomeLayout;
import dev.plutus.pricing.CallCost;
import dev.plutus.pricing.PricingEngine;
import dev.plutus.runway.RunwayMonitor;
import dev.plutus.store.CallStore;
import dev.plutus.store.RollupStore;
import dev.plutus.store.StatsQueries;
import java.time.Clock;
import dev.plutus.budget.BudgetEditor;
import dev.plutus.budget.BudgetEvaluator;
import dev.plutus.budget.Limits;
import dev.plutus.budget.ScopeKind;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.ScopeStatus;
import dev.plutus.budget.Window;
import dev.plutus.config.AtomicFiles;
import dev.plutus.config.ConfigException;
import dev.plutus.pricing.PriceRefresher;
import dev.plutus.store.StatsQueries.Grouping;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * /stats, /budget and /setup with their argument strings exactly as typed after the command, the
 * same for the CLI, the Hermes bridge and the daemon. Bad arguments return usage text, not errors.
 */
public final class SlashCommands {
    private static final String STATS_USAGE = "usage: /stats [<report>] [today|24h|week|month|from <date> [to <date>]] | /stats raw [N]\n"
            + "  reports: cron, providers, models, tools, sessions, workspaces, task_types, daily; today = the calendar day in the"
            + " budget zone, 24h/week/month = rolling";
    private static final String DEFAULT_BUDGET = """
            # Plutus budget, written by /setup budget default. Amounts are USD.
            budgets:
              global:
                daily_usd: 5.00
                monthly_usd: 100.00
            thresholds:
              soft_pct: 0.80   # one notice in the conversation at 80%
              hard_pct: 1.00   # tools blocked, cron jobs paused at 100%
            on_estimated:
              mode: warn_only
            """;

    private final StatsQueries stats;
    private final RollupStore rollups;
    private final CallStore calls;
    private final BudgetFile budgets;
    private final SpendLedger ledger;
    private final PricingEngine pricing;
    private final PriceRefresher priceRefresher;
    private final RunwayMonitor runway;
    private final HomeLayout home;
    private final Refresh refresh;
    private final Clock clock;
    private final Supplier<Map<String, String>> cronJobNames;
    /** How far back /budget lists refused calls. */
    static final java.time.Duration REFUSALS_SHOWN = java.time.Duration.ofHours(1);
    private final InFlight inFlight;
    /** Whether a budget edit made here is in force at once (the daemon), or only saved for when a daemon starts. */
    private final boolean enforcing;

    /** What the commands read and what they ask to happen at once (a budget edit folds in other processes' spend and reloads). */
    public interface Refresh {
        void syncLedger();

        void reloadIfChanged();
    }

    public SlashCommands(StatsQueries stats, RollupStore rollups, CallStore calls, BudgetFile budgets, SpendLedger ledger,
            PricingEngine pricing, PriceRefresher priceRefresher, RunwayMonitor runway, HomeLayout home, Refresh refresh, Clock clock) {
        this(stats, rollups, calls, budgets, ledger, pricing, priceRefresher, runway, home, refresh, clock, Map::of);
    }

    /** {@code cronJobNames}: the host's names for its cron jobs by id (Hermes's cron/jobs.json), shown beside the ids. */
    public SlashCommands(StatsQueries stats, RollupStore rollups, CallStore calls, BudgetFile budgets, SpendLedger ledger,
            PricingEngine pricing, PriceRefresher priceRefresher, RunwayMonitor runway, HomeLayout home, Refresh refresh, Clock clock,
            Supplier<Map<String, String>> cronJobNames) {
        this(stats, rollups, calls, budgets, ledger, pricing, priceRefresher, runway, home, refresh, clock, cronJobNames, InFlight.NONE, true);
    }

    /**
     * What calls in flight do to the budgets, for /budget: money held per scope, and the calls refused lately
     * (a call refused for what is held leaves every spend under its limit, so no scope reads hard).
     */
    public record InFlight(java.util.function.ToLongFunction<ScopeRef> held, dev.plutus.budget.RefusalLog refusals) {
        public static final InFlight NONE = new InFlight(scope -> 0, new dev.plutus.budget.RefusalLog());
    }

    private SlashCommands(StatsQueries stats, RollupStore rollups, CallStore calls, BudgetFile budgets, SpendLedger ledger,
            PricingEngine pricing, PriceRefresher priceRefresher, RunwayMonitor runway, HomeLayout home, Refresh refresh, Clock clock,
            Supplier<Map<String, String>> cronJobNames, InFlight inFlight, boolean enforcing) {
        this.inFlight = inFlight;
        this.enforcing = enforcing;
        this.cronJobNames = cronJobNames;
        this.stats = stats;
        this.rollups = rollups;
        this.calls = calls;
        this.budgets = budgets;
        this.ledger = ledger;
        this.pricing = pricing;
        this.priceRefresher = priceRefresher;
        this.runway = runway;
        this.home = home;
        this.refresh = refresh;
        this.clock = clock;
    }

    /** The commands over an engine's parts and a runway monitor. */
    public static SlashCommands of(Engine engine, RunwayMonitor runway) {
        return of(engine, runway, Map::of);
    }

    /** The same, naming cron jobs as the host does. */
    public static SlashCommands of(Engine engine, RunwayMonitor runway, Supplier<Map<String, String>> cronJobNames) {
        return new SlashCommands(engine.stats(), engine.rollups(), engine.calls(), engine.budgets(), engine.ledger(),
                engine.pricing(), engine.priceRefresher(), runway, engine.config().home(), new Refresh() {
                    @Override
                    public void syncLedger() {
                        engine.syncLedger();
                    }

                    @Override
                    public void reloadIfChanged() {
                        engine.reloadIfChanged();
                    }
                }, engine.clock(), cronJobNames, new InFlight(
                        scope -> Math.max(engine.reservations().heldMicros(scope), engine.reservations().heldInStoreMicros(scope)),
                        engine.refusals()), true);
    }

    /**
     * The same commands run where nothing enforces (a CLI process with no daemon up): a budget edit
     * says it is saved and in force once the daemon runs, not that it is in force now.
     */
    public SlashCommands withoutDaemon() {
        return new SlashCommands(stats, rollups, calls, budgets, ledger, pricing, priceRefresher, runway, home, refresh, clock,
                cronJobNames, inFlight, false);
    }

    private String inForceNote() {
        return enforcing ? "It is in force now." : "Saved in " + budgets.path().getFileName() + "; no daemon runs for " + home.dir()
                + ", so nothing enforces it until one does: start it with " + home.command("serve") + ".";
    }

    public Rendered run(String command, String rawArgs) {
        List<String> args = words(rawArgs);
        try {
            return switch (command) {
                case "stats" -> stats(args);
                case "budget" -> budget(args);
                case "setup" -> setup(args);
                case "runway" -> runway(args);
                default -> refusal("Unknown command '/" + command + "' (stats, budget, setup, runway).");
            };
        } catch (IllegalArgumentException | ConfigException e) {
            return refusal(e.getMessage());
        }
    }

    /** The budget in force and how budget.yaml on disk stands to it, for the daemon's /status. */
    public BudgetFile.Standing budgetStanding() {
        return budgets.standing();
    }

    /** The reports /stats has besides the summary. */
    private static final List<String> STATS_REPORTS = List.of("cron", "providers", "models", "tools", "sessions", "workspaces",
            "task_types", "daily", "raw");

    public Rendered stats(List<String> args) {
        rollups.catchUp();
        Instant now = clock.instant();
        ZoneId zone = budgets.current().zone();
        String first = args.isEmpty() ? "" : args.get(0).toLowerCase(Locale.ROOT);
        if (first.equals("raw")) {
            int n = 20;
            if (args.size() > 1) {
                try {
                    n = Integer.parseInt(args.get(1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("/stats raw takes a number of rows, got '" + args.get(1) + "'");
                }
            }
            n = Math.max(1, Math.min(200, n));
            return StatsReport.raw(calls.recent(n), zone);
        }
        boolean isReport = STATS_REPORTS.contains(first);
        List<String> rangeWords = isReport ? args.subList(1, args.size()) : args;
        if (!isReport && !first.isEmpty() && !first.equals("from") && StatsRange.window(first, now, zone).isEmpty()) {
            List<String> known = new ArrayList<>(STATS_REPORTS);
            known.addAll(StatsRange.WORDS);
            throw new IllegalArgumentException("unknown report or window '" + args.get(0) + "'" + NearestWord.hint(first, known)
                    + "\n" + STATS_USAGE);
        }
        StatsRange range = statsRange(rangeWords, first.equals("cron") ? "week" : first.equals("daily") ? "week" : "today", now, zone);
        return stats(isReport ? first : "", range);
    }

    /**
     * One /stats report over any range: {@code report} is empty for the summary, else one of cron,
     * providers, models, tools, sessions, workspaces, task_types, daily. For callers that hold a
     * range already (the dashboard's filters).
     */
    public Rendered stats(String report, StatsRange range) {
        rollups.catchUp();
        Instant from = range.from();
        Instant to = range.to();
        ZoneId zone = range.zone();
        return switch (report) {
            case "" -> StatsReport.summary(range, stats.total(from, to), stats.sessions(from, to), stats.tools(from, to, 5),
                    stats.auxiliary(from, to), flaggedPrices(from, to));
            case "cron" -> StatsReport.cron(range, stats.cronRuns(from, to), stats.usage(Grouping.CRON_JOB, from, to), cronJobNames.get());
            case "providers" -> StatsReport.providers(range, stats.usage(Grouping.PROVIDER, from, to));
            case "models" -> StatsReport.models(range, stats.usage(Grouping.MODEL, from, to), flaggedPrices(from, to));
            case "tools" -> StatsReport.tools(range, stats.tools(from, to, 50));
            case "sessions" -> StatsReport.sessions(range, stats.recentSessions(from, to, 30), stats.activeSessions(from, to), zone);
            case "workspaces" -> StatsReport.breakdown(range, "workspace", stats.usageBy(StatsQueries.Breakdown.WORKSPACE, from, to));
            case "task_types" -> StatsReport.breakdown(range, "task_type", stats.usageBy(StatsQueries.Breakdown.TASK_TYPE, from, to));
            case "daily" -> StatsReport.daily(range, stats.dailyCost(from, to.minusMillis(1), zone), zone);
            default -> throw new IllegalArgumentException(STATS_USAGE);
        };
    }

    /** The range the words after a report name give: none (the report's default), a window word, or {@code from X [to Y]}. */
    public static StatsRange statsRange(List<String> words, String defaultWindow, Instant now, ZoneId zone) {
        if (words.isEmpty()) {
            return StatsRange.window(defaultWindow, now, zone).orElseThrow();
        }
        String w = words.get(0).toLowerCase(Locale.ROOT);
        if (w.equals("from")) {
            if (words.size() == 2) {
                return StatsRange.between(words.get(1), null, now, zone);
            }
            if (words.size() == 4 && words.get(2).equalsIgnoreCase("to")) {
                return StatsRange.between(words.get(1), words.get(3), now, zone);
            }
            throw new IllegalArgumentException("a range is 'from <date> [to <date>]', e.g. from 2026-03-01 to 2026-03-07\n" + STATS_USAGE);
        }
        if (w.equals("to") && words.size() == 2) {
            // Up to a point, from the start of what is kept: retention bounds it anyway.
            return StatsRange.between("2000-01-01", words.get(1), now, zone);
        }
        if (words.size() > 1) {
            throw new IllegalArgumentException("too many words after the report: '" + String.join(" ", words) + "'\n" + STATS_USAGE);
        }
        return StatsRange.window(w, now, zone).orElseThrow(() -> new IllegalArgumentException(StatsRange.notAWindow(words.get(0))
                + "\n" + STATS_USAGE));
    }

    public Rendered budget(List<String> args) {
        refresh.syncLedger();
        if (!args.isEmpty() && args.get(0).equalsIgnoreCase("set")) {
            BudgetEditor.SetRequest r = BudgetEditor.parse(args.subList(1, args.size()));
            Map<String, String> names = cronJobNames.get();
            if (r.kind() == ScopeKind.CRON_JOB && r.id() != null) {
                // Calls carry the job's id, so a limit keyed by its name would match none of them.
                r = new BudgetEditor.SetRequest(r.kind(), dev.plutus.budget.CronJobIds.resolve(r.id(), names), r.window(), r.limitMicros());
            }
            Optional<String> notNow = editBlocked(budgets.standing());
            if (notNow.isPresent()) {
                return refusal(notNow.get());
            }
            try {
                BudgetEditor.apply(budgets.path(), r, clock.getZone());
            } catch (IOException e) {
                return refusal("Could not write " + budgets.path() + ": " + e.getMessage());
            }
            // Written whole by rename, so it goes into force at once, without the two looks a hand edit waits for.
            budgets.reload();
            refresh.reloadIfChanged();
            Rendered status = statusOf(null, "budget status");
            if (budgets.error().isPresent()) {
                return new Rendered("Wrote " + budgets.path() + " but it is refused; the budget in force is unchanged.\n\n"
                        + status.text(), status.json(), true);
            }
            return new Rendered(BudgetEditor.describe(r, names) + " " + inForceNote() + "\n\n" + status.text(), status.json());
        }
        if (!args.isEmpty() && args.get(0).equalsIgnoreCase("unset")) {
            BudgetEditor.UnsetRequest r = BudgetEditor.parseUnset(args.subList(1, args.size()));
            Map<String, String> names = cronJobNames.get();
            if (r.kind() == ScopeKind.CRON_JOB && r.id() != null) {
                // A limit set by id is removed by the job's name too; an id no longer in jobs.json still names its own limit.
                String id = r.id();
                r = new BudgetEditor.UnsetRequest(r.kind(), dev.plutus.budget.CronJobIds.idOfName(id, names).orElse(id), r.window());
            }
            Optional<String> notNow = editBlocked(budgets.standing());
            if (notNow.isPresent()) {
                return refusal(notNow.get());
            }
            try {
                BudgetEditor.unset(budgets.path(), r, clock.getZone());
            } catch (IOException e) {
                return refusal("Could not write " + budgets.path() + ": " + e.getMessage());
            }
            budgets.reload();
            refresh.reloadIfChanged();
            Rendered status = statusOf(null, "budget status");
            return new Rendered(BudgetEditor.describe(r, names) + " " + inForceNote() + "\n\n" + status.text(), status.json());
        }
        if (!args.isEmpty() && args.get(0).equalsIgnoreCase("cron")) {
            return statusOf(ScopeKind.CRON_JOB, "cron job budgets");
        }
        if (!args.isEmpty()) {
            Optional<ScopeKind> kind = ScopeKind.byLabel(args.get(0));
            if (kind.isEmpty()) {
                throw new IllegalArgumentException("unknown word '" + args.get(0) + "'" + NearestWord.hint(args.get(0),
                        List.of("set", "unset", "cron", "global", "cron_job", "sender", "provider", "model", "session"))
                        + "\nusage: /budget | /budget cron | /budget <scope> | /budget set <scope> [<id>] <window> <amount>"
                        + " | /budget unset <scope> [<id>] <window>");
            }
            return statusOf(kind.get(), kind.get().label() + " budgets");
        }
        return statusOf(null, "budget status");
    }

    /** Every limited scope: global, every named override, and every active id under a default limit. */
    public List<ScopeStatus> allStatuses(ScopeKind only) {
        BudgetConfig cfg = budgets.current();
        Instant now = clock.instant();
        BudgetEvaluator ev = new BudgetEvaluator(ledger);
        List<ScopeStatus> out = new ArrayList<>();
        for (ScopeKind kind : ScopeKind.values()) {
            if (only != null && kind != only) {
                continue;
            }
            Set<String> ids = new TreeSet<>();
            if (kind == ScopeKind.GLOBAL) {
                ids.add("");
            } else {
                ids.addAll(cfg.limits(kind).overrides().keySet());
                if (!cfg.limits(kind).defaults().isEmpty()) {
                    ids.addAll(ledger.activeIds(kind, now));
                }
            }
            for (String id : ids) {
                ScopeRef ref = ScopeRef.of(kind, id);
                Limits limits = cfg.limitsFor(ref);
                for (Map.Entry<Window, Long> l : limits.perWindow().entrySet()) {
                    out.add(ev.status(cfg, ref, l.getKey(), l.getValue(), now));
                }
            }
        }
        out.sort(BudgetReport.WORST_FIRST);
        return out;
    }

    /**
     * Every limited scope (worst first) with when it reaches its cap at today's pace: the scope's
     * spend since midnight in the budget zone, scaled to a day.
     */
    public List<BudgetForecast> forecasts(ScopeKind only) {
        return forecasts(allStatuses(only));
    }

    private List<BudgetForecast> forecasts(List<ScopeStatus> statuses) {
        BudgetConfig cfg = budgets.current();
        Instant now = clock.instant();
        Instant dayStart = java.time.LocalDate.ofInstant(now, cfg.zone()).atStartOfDay(cfg.zone()).toInstant();
        BudgetEvaluator ev = new BudgetEvaluator(ledger);
        Map<ScopeRef, Long> today = new java.util.HashMap<>();
        List<BudgetForecast> out = new ArrayList<>();
        for (ScopeStatus s : statuses) {
            long spentToday = today.computeIfAbsent(s.scope(), ref -> ev.status(cfg, ref, Window.DAILY, Money.usdToMicros(dev.plutus.budget.Limits.MAX_USD), now).spentMicros());
            out.add(BudgetForecast.of(s, spentToday, dayStart, now));
        }
        return out;
    }

    private Rendered statusOf(ScopeKind only, String title) {
        List<ScopeStatus> statuses = allStatuses(only);
        Rendered r = BudgetReport.render(title, statuses, forecasts(statuses), budgets.current().zone(), budgets.standing(),
                cronJobNames.get(), inFlight.held(), inFlight.refusals().since(clock.instant().minus(REFUSALS_SHOWN)));
        List<String> low = runway.activeAlertLines();
        if (low.isEmpty()) {
            return r;
        }
        if (r.json() instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            var arr = o.putArray("runway_alerts");
            low.forEach(arr::add);
        }
        return new Rendered(r.text() + "\n" + RunwayReport.alertLines(low), r.json());
    }

    /** /runway [refresh]: money left, burn and days left per provider; {@code refresh} asks the providers now. */
    public Rendered runway(List<String> args) {
        boolean refresh = !args.isEmpty() && args.get(0).equalsIgnoreCase("refresh");
        if (!args.isEmpty() && !refresh) {
            throw new IllegalArgumentException("usage: /runway [refresh]");
        }
        return RunwayReport.render(runway.view(refresh), home);
    }

    public Rendered setup(List<String> args) {
        if (args.isEmpty()) {
            return setupStatus();
        }
        String what = args.get(0).toLowerCase();
        String how = args.size() > 1 ? args.get(1).toLowerCase() : "";
        boolean force = args.size() > 2 && args.get(2).equalsIgnoreCase("force");
        return switch (what) {
            case "pricing" -> setupPricing(how, force);
            case "budget" -> setupBudget(how);
            default -> throw new IllegalArgumentException("unknown setup '" + args.get(0) + "'" + NearestWord.hint(what, List.of("pricing", "budget"))
                    + "\nusage: /setup | /setup pricing auto|minimal|skip | /setup budget default|custom|skip");
        };
    }

    private Rendered setupPricing(String how, boolean force) {
        switch (how) {
            case "auto" -> {
                PriceRefresher refresher = priceRefresher;
                PriceRefresher.Outcome outcome = refresher.refresh(clock.instant(), force);
                if (outcome instanceof PriceRefresher.Outcome.NotDue n) {
                    StringBuilder t = new StringBuilder();
                    refresher.lastFetched("OpenRouter").ifPresent(at -> t.append("Prices were fetched from OpenRouter at ").append(at).append(". "));
                    refresher.lastFetched("LiteLLM").ifPresent(at -> t.append("LiteLLM's price map was fetched at ").append(at).append(". "));
                    return text(t + "They refresh at most daily. Use '/setup pricing auto force' to fetch now.\n" + layerCounts());
                }
                if (outcome instanceof PriceRefresher.Outcome.Failed f) {
                    return text("Could not refresh prices: " + f.reason() + ". Prices in force are unchanged.");
                }
                PriceRefresher.Outcome.Fetched done = (PriceRefresher.Outcome.Fetched) outcome;
                // Each source on its own line, saying what is in force after the reload, not what was
                // downloaded: a source that failed or was refused keeps the earlier prices, visibly.
                StringBuilder t = new StringBuilder();
                done.lines().forEach(l -> t.append(l).append('\n'));
                t.append(layerCounts()).append(done.anyUpdated() ? "The daemon refreshes the fetched ones daily.\n"
                        : "Nothing was updated; the daemon tries again at its next refresh.\n");
                if (!done.failed().isEmpty() && !done.allFailed()) {
                    t.append("Failed: ").append(String.join(", ", done.failed())).append(" (tried again at the next refresh).\n");
                }
                done.clashes().forEach(c -> t.append("~ ").append(c).append('\n'));
                if (!done.variablePrice().isEmpty()) {
                    t.append("Variable-price models (recorded as unpriced, at a provisional price): ").append(String.join(", ", done.variablePrice())).append('\n');
                }
                done.problems().forEach(p -> t.append("! ").append(p).append('\n'));
                // Every source failed: nothing new is in force, and a script must be able to tell.
                return done.allFailed() ? new Rendered(t.toString(), JsonNodeFactory.instance.objectNode()
                        .put("updated", false).put("text", t.toString()), true) : text(t.toString());
            }
            case "minimal" -> {
                // Every fetched layer goes, and the answer names each file removed.
                List<String> removed = new ArrayList<>();
                for (var file : priceRefresher.fetchedFiles()) {
                    try {
                        if (Files.deleteIfExists(file)) {
                            removed.add(file.getFileName().toString());
                        }
                    } catch (IOException e) {
                        return text("Could not remove fetched prices " + file + ": " + e.getMessage()
                                + (removed.isEmpty() ? "" : " (removed: " + String.join(", ", removed) + ")"));
                    }
                }
                priceRefresher.setMode("minimal");
                pricing.reload();
                return text((removed.isEmpty() ? "No fetched prices to remove. " : "Removed the fetched prices ("
                        + String.join(", ", removed) + "). ") + "Using the " + pricing.builtinEntries() + " curated prices, "
                        + pricing.openrouterShippedEntries() + " shipped from OpenRouter, " + pricing.litellmEntries()
                        + " shipped from LiteLLM and your pricing.yaml; nothing is fetched.");
            }
            case "skip" -> {
                priceRefresher.setMode("skip");
                return text("Pricing setup skipped. Models with no price are recorded as unpriced and counted at a provisional"
                        + " price (on_unpriced in budget.yaml), marked in /stats and /budget.");
            }
            default -> throw new IllegalArgumentException((how.isEmpty() ? "" : "unknown pricing setup '" + how + "'"
                    + NearestWord.hint(how, List.of("auto", "minimal", "skip")) + "\n") + "usage: /setup pricing auto|minimal|skip");
        }
    }

    private Rendered setupBudget(String how) {
        var file = budgets.path();
        switch (how) {
            case "default" -> {
                if (Files.exists(file)) {
                    return text(file + " already exists; it was left as it is. Change a limit with /budget set, remove one with /budget unset.");
                }
                try {
                    AtomicFiles.write(file, DEFAULT_BUDGET);
                } catch (IOException e) {
                    return text("Could not write " + file + ": " + e.getMessage());
                }
                budgets.reload();
                return text("Wrote " + file + ": global $5.00/day and $100.00/month, notice at 80%, block at 100%.");
            }
            case "custom" -> {
                return text("""
                        Set limits with /budget set <scope> [<id>] <window> <amount>, for example:
                          /budget set global daily 5.00
                          /budget set global monthly 100
                          /budget set cron_job daily 1.00            (default for every cron job)
                          /budget set cron_job d200f53be09d daily 3  (one job)
                          /budget set sender weekly 10
                          /budget set provider anthropic rolling_24h 20
                          /budget set model claude-opus-4-7 daily 10
                          /budget set session daily 2
                        Remove one with /budget unset <scope> [<id>] <window>, e.g. /budget unset global daily.
                        Windows: daily, weekly, monthly, rolling_24h, rolling_7d. Or edit %s by hand;
                        it is in force within about two seconds once it stops changing.""".formatted(file));
            }
            case "skip" -> {
                return text("No budget: spend is tracked but never enforced.");
            }
            default -> throw new IllegalArgumentException((how.isEmpty() ? "" : "unknown budget setup '" + how + "'"
                    + NearestWord.hint(how, List.of("default", "custom", "skip")) + "\n") + "usage: /setup budget default|custom|skip");
        }
    }

    /**
     * Calls priced at a flagged price, whatever the flag (maker's price for the host's, global for a
     * region's, base model's for a variant's, an estimated class), dearest first, each row with its mark.
     */
    private List<StatsQueries.MarkedTotals> flaggedPrices(Instant from, Instant to) {
        List<StatsQueries.MarkedTotals> out = new ArrayList<>();
        CallCost.FLAGS.forEach(f -> out.addAll(stats.pricedWithMark(f.getKey(), from, to)));
        out.sort(java.util.Comparator.comparingLong(StatsQueries.MarkedTotals::costMicros).reversed()
                .thenComparing(java.util.Comparator.comparingLong(StatsQueries.MarkedTotals::calls).reversed()));
        return out;
    }

    /** Every price layer with its count, most trusted first, as /setup pricing minimal names them. */
    private String layerCounts() {
        return "Layers: " + pricing.userEntries() + " of yours in pricing.yaml (always win), " + pricing.fetchedEntries()
                + " fetched from OpenRouter, " + pricing.openrouterShippedEntries() + " shipped from OpenRouter, "
                + pricing.builtinEntries() + " curated, " + pricing.litellmFetchedEntries() + " fetched from LiteLLM, "
                + pricing.litellmEntries() + " shipped from LiteLLM.\n";
    }

    private Rendered setupStatus() {

        StringBuilder t = new StringBuilder("Plutus — setup\n" + "=".repeat(56) + "\n");
        t.append("Home        : ").append(home.dir()).append('\n');
        t.append("pricing.yaml: ").append(Files.exists(home.pricingFile()) ? pricing.userEntries() + " models" : "absent (optional)").append('\n');
        // One line per source with its own fetch time: OpenRouter's and LiteLLM's are fetched apart.
        boolean openrouterFetched = Files.exists(home.fetchedPricingFile());
        boolean litellmFetched = Files.exists(PricingEngine.litellmFetchedFile(home));
        String openrouterAt = priceRefresher.lastFetched("OpenRouter").map(Object::toString).orElse(null);
        String litellmAt = priceRefresher.lastFetched("LiteLLM").map(Object::toString).orElse(null);
        if (!openrouterFetched && !litellmFetched) {
            t.append("Fetched     : none (run /setup pricing auto)\n");
        } else {
            t.append("Fetched     : OpenRouter ").append(openrouterFetched ? pricing.fetchedEntries() + " models, at "
                    + (openrouterAt == null ? "an unrecorded time" : openrouterAt) : "none").append('\n');
            t.append("              LiteLLM ").append(litellmFetched ? pricing.litellmFetchedEntries() + " models, at "
                    + (litellmAt == null ? "an unrecorded time" : litellmAt) : "none").append('\n');
        }
        t.append(layerCounts());
        t.append("budget.yaml : ").append(budgets.exists()
                ? (budgets.current().hasAnyLimit() ? "limits set" : "no limits") : "absent (run /setup budget default)").append('\n');
        budgets.error().ifPresent(e -> t.append("! ").append(e).append('\n'));
        pricing.problems().forEach(p -> t.append("! ").append(p).append('\n'));
        var j = JsonNodeFactory.instance.objectNode();
        j.put("home", home.dir().toString()).put("user_prices", pricing.userEntries())
                .put("fetched_prices", pricing.fetchedEntries()).put("builtin_prices", pricing.builtinEntries())
                .put("litellm_prices", pricing.litellmEntries()).put("litellm_fetched_prices", pricing.litellmFetchedEntries())
                .put("openrouter_shipped_prices", pricing.openrouterShippedEntries())
                .put("openrouter_fetched_at", openrouterFetched ? openrouterAt : null)
                .put("litellm_fetched_at", litellmFetched ? litellmAt : null)
                .put("budget_file", budgets.exists()).put("budget_error", budgets.error().orElse(null));
        return new Rendered(t.toString(), j);
    }

    private static Rendered text(String s) {
        return new Rendered(s.endsWith("\n") ? s : s + "\n", JsonNodeFactory.instance.objectNode().put("message", s.strip()));
    }

    /**
     * Why {@code /budget set} must not write now. It edits the file on disk, so on a refused file it
     * would write one holding the new limit and whatever of the broken text parses, and the limits
     * in force would vanish; on a file still settling it could capture half a save.
     */
    private static Optional<String> editBlocked(BudgetFile.Standing s) {
        if (s.refusal().isPresent()) {
            String kept = s.source() == BudgetFile.Source.NONE ? "" : " (the budget in force, also saved in "
                    + s.lastGood().getFileName() + ", stays as it is)";
            return Optional.of("Not changed: " + s.file() + " on disk is refused, and setting a limit in it would drop the limits it"
                    + " is meant to hold" + kept + ":\n  " + s.refusal().get() + "\nFix the file first, then set the limit again.");
        }
        if (s.settling()) {
            return Optional.of("Not changed: " + s.file() + " changed on disk moments ago and is not in force yet (it may still be"
                    + " being saved)" + s.looseningWait().map(w -> "; " + w).orElse("") + ". Try again once it is in force.");
        }
        return Optional.empty();
    }

    private static Rendered refusal(String s) {
        Rendered r = text(s);
        return new Rendered(r.text(), r.json(), true);
    }

    /**
     * The words of a command line, split at spaces; text in double quotes is one word (a cron job named
     * "Remind me to renew the TLS certificate"). An unclosed quote runs to the end.
     */
    static List<String> words(String raw) {
        if (raw == null || raw.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (!quoted && Character.isWhitespace(c)) {
                if (any) {
                    out.add(word.toString());
                    word.setLength(0);
                    any = false;
                }
            } else {
                word.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(word.toString());
        }
        return out;
    }
}
