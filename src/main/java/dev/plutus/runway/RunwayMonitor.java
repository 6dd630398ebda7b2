package dev.plutus.runway;

import dev.plutus.provider.ProviderAnswer;
import dev.plutus.provider.ProviderKind;
import dev.plutus.core.Money;
import dev.plutus.store.RunwayStore;
import dev.plutus.store.StatsQueries;
import dev.plutus.store.UsageTotals;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import dev.plutus.provider.Credentials;
import dev.plutus.provider.ProviderException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runway for every provider: live balances and rate limits, budget minus spend where there is no
 * balance API, burn rate and days left, snapshots, low-runway alerts, and the router that moves
 * Hermes's traffic to the provider with the most runway. One per {@link Engine}; thread-safe.
 */
public final class RunwayMonitor implements ProviderLookup, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunwayMonitor.class);
    private static final long PENDING_RECHECK_NANOS = 2_000_000_000L;

    private final StatsQueries stats;
    private final Supplier<ZoneId> zone;
    private final Function<RunwayConfig, Credentials> keys;
    private final Router router;
    private final RunwayStore store;
    private final Path configFile;
    private final Map<String, String> env;
    private final Clock clock;
    private final RunwayAlerts alerts;
    private final SetupHints hints;
    private ProviderFetcher fetcher;
    private volatile boolean noticePending;
    private volatile long noticeCheckedAt = System.nanoTime() - PENDING_RECHECK_NANOS;

    /**
     * @param stats recorded spend, per provider
     * @param zone the zone "today" is counted in (the budgets' zone)
     * @param keys provider keys for a runway.yaml (the environment, and the host's key file)
     * @param router what moves the host's routing ({@link Router#NONE} when no host is routed)
     */
    public RunwayMonitor(StatsQueries stats, Supplier<ZoneId> zone, RunwayStore store, Path configFile, Map<String, String> env,
            Function<RunwayConfig, Credentials> keys, Router router, Clock clock) {
        this.stats = stats;
        this.zone = zone;
        this.keys = keys;
        this.router = router;
        this.store = store;
        this.configFile = configFile;
        this.env = Map.copyOf(env);
        this.clock = clock;
        this.alerts = new RunwayAlerts(store, clock, env);
        // runway.yaml lives in the Plutus home: the commands a hint prints act on that home.
        this.hints = new SetupHints(configFile.toAbsolutePath().getParent());
    }

    /** The commands and steps hints print, for this home. */
    public SetupHints hints() {
        return hints;
    }

    /** runway.yaml as it is now (auto-detection when absent); a broken file throws with file, line and field. */
    public RunwayConfig config() {
        return RunwayConfigParser.load(configFile, env);
    }

    public Path configFile() {
        return configFile;
    }

    public RunwayStore store() {
        return store;
    }

    public RunwayView view(boolean refresh) {
        return view(config(), refresh);
    }

    public RunwayView view(RunwayConfig cfg, boolean refresh) {
        return view(cfg, refresh, true);
    }

    /** Without {@code probe}, no reading that costs tokens runs (the last probe's answer is shown): what a plain {@code plutus runway} asks for. */
    public RunwayView view(boolean refresh, boolean probe) {
        return view(config(), refresh, probe);
    }

    public RunwayView view(RunwayConfig cfg, boolean refresh, boolean probe) {
        Instant now = clock.instant();
        ZoneId zone = this.zone.get();
        Credentials creds = credentials(cfg);
        Map<String, SpendSummary> spend = spendByProvider(cfg.providers(), now, zone);
        Map<String, RunwayStore.Calibration> calibrations = store.latestCalibrations();
        List<ProviderConfig> shown = new ArrayList<>();
        for (ProviderConfig p : cfg.providers()) {
            boolean evidence = creds.present(p.keyEnvs()).isPresent() || spend.get(p.name()).allMicros() > 0
                    || calibrations.containsKey(p.name()) || p.budgetMicros() != null
                    || (p.kind() == ProviderKind.OPENAI && creds.chatGptPlan().isPresent());
            if (!cfg.autoDetected() || evidence) {
                shown.add(p);
            }
        }
        Map<String, ProviderAnswer> readings = fetcher().readAll(shown, cfg, creds, refresh, probe);
        List<ProviderRunway> out = new ArrayList<>();
        Map<String, String> steps = new LinkedHashMap<>();
        for (ProviderConfig p : shown) {
            RunwayStore.Calibration c = calibrations.get(p.name());
            long after = c == null ? 0 : spentAfter(p, c.at());
            ProviderRunway r = RunwayForecaster.forecast(p, readings.get(p.name()), spend.get(p.name()), c, after, now, zone);
            out.add(p.kind() == ProviderKind.OPENAI ? r.withSubscription(creds.chatGptPlan().orElse(null)) : r);
            String step = hints.nextStep(r, creds.present(p.keyEnvs()).isPresent(), cfg.hermesHome());
            if (step != null) {
                steps.put(p.name(), step);
            }
        }
        alerts.remindRecalibration(cfg, calibrations, zone, hints);
        return new RunwayView(now, zone, cfg, out, store.recentSnapshots(12), store.activeAlerts(), steps);
    }

    /** Spend per runway provider, summed over the ledger ids each claims. */
    private Map<String, SpendSummary> spendByProvider(List<ProviderConfig> providers, Instant now, ZoneId zone) {
        Instant startOfDay = LocalDate.ofInstant(now, zone).atStartOfDay(zone).toInstant();
        Map<String, Long> today = costs(startOfDay);
        Map<String, Long> d7 = costs(now.minus(Duration.ofDays(7)));
        Map<String, Long> d14 = costs(now.minus(Duration.ofDays(14)));
        Map<String, Long> d30 = costs(now.minus(Duration.ofDays(30)));
        Map<String, Long> all = costs(Instant.EPOCH);
        Map<String, SpendSummary> out = new LinkedHashMap<>();
        for (ProviderConfig p : providers) {
            long last7 = sum(d7, p);
            out.put(p.name(), new SpendSummary(sum(today, p), last7, sum(d14, p) - last7, sum(d30, p), sum(all, p)));
        }
        return out;
    }

    /** Spend of {@code p} whose call time is at or after {@code at} (the console was read before the command ran). */
    private long spentAfter(ProviderConfig p, Instant at) {
        return sum(costs(at), p);
    }

    private Map<String, Long> costs(Instant since) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (UsageTotals t : stats.usage(StatsQueries.Grouping.PROVIDER, since)) {
            out.merge(t.provider().toLowerCase(Locale.ROOT), t.costMicros(), Long::sum);
        }
        return out;
    }

    private static long sum(Map<String, Long> costs, ProviderConfig p) {
        long s = 0;
        for (String id : new LinkedHashSet<>(p.ledger())) {
            s += costs.getOrDefault(id.toLowerCase(Locale.ROOT), 0L);
        }
        return s;
    }

    /** Appends one snapshot per provider to the history. */
    public int snapshot(RunwayView v) {
        List<RunwayStore.Snapshot> rows = new ArrayList<>();
        for (ProviderRunway r : v.providers()) {
            rows.add(new RunwayStore.Snapshot(v.at(), r.name(), r.source().label(), r.remainingMicros(), r.burnMicrosPerDay(), r.daysLeft()));
        }
        store.addSnapshots(rows);
        return rows.size();
    }

    /**
     * Records console balances read by the user: from now on, each such provider's estimate is that
     * balance minus what Plutus records after this moment. Returns one line per provider.
     */
    public List<String> calibrate(Map<String, BigDecimal> balances) {
        RunwayConfig cfg = config();
        Instant now = clock.instant();
        List<String> unknown = balances.keySet().stream().filter(n -> cfg.provider(n).isEmpty()).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown provider" + (unknown.size() > 1 ? "s " : " ") + "'" + String.join("', '", unknown)
                    + "' (runway.yaml has " + String.join(", ", cfg.providers().stream().map(ProviderConfig::name).toList())
                    + "); nothing calibrated");
        }
        Map<String, SpendSummary> spend = spendByProvider(cfg.providers(), now, zone.get());
        List<String> lines = new ArrayList<>();
        List<RunwayStore.Calibration> rows = new ArrayList<>();
        for (Map.Entry<String, BigDecimal> e : balances.entrySet()) {
            ProviderConfig p = cfg.provider(e.getKey()).orElseThrow();
            long balance = Money.usdToMicros(e.getValue());
            long spent = spend.get(p.name()).allMicros();
            rows.add(new RunwayStore.Calibration(p.name(), now, balance, spent));
            long budget = RunwayForecaster.backSolvedBudget(balance, spent);
            String was = p.budgetMicros() == null ? "" : " (runway.yaml says " + Money.display(p.budgetMicros()) + ")";
            lines.add(p.name() + ": balance " + Money.display(balance) + " + " + Money.display(spent) + " recorded = budget "
                    + Money.display(budget) + was + ".");
        }
        store.addCalibrations(rows);
        lines.forEach(l -> LOG.info("runway calibrated: {}", l));
        return lines;
    }

    /** What a scheduled run did. {@code route} is null when nothing could be routed ({@code routeError} says why). */
    public record ScheduledRun(RunwayView view, List<RunwayAlerts.Alert> alerts, RouteResult route, String routeError) {}

    /** Plans the routing and writes the host's config (or only diffs it with {@code dryRun}), through the router it was given. */
    public RouteResult route(RunwayView v, boolean dryRun) {
        return router.route(v, this, dryRun);
    }

    /** Puts back the config that the newest routing write replaced. */
    public String rollback() {
        return rollback(false);
    }

    /** Puts back the config that the newest routing write replaced, even over later edits with {@code force}; pauses the router. */
    public String rollback(boolean force) {
        return router.rollback(config(), force);
    }

    /** Lets the automatic router write again after a rollback paused it. */
    public String resume() {
        return router.resume(config());
    }

    /** Why the automatic router does not write now (a rollback paused it), or empty. */
    public Optional<String> paused() {
        return router.paused(config());
    }

    /** The models the provider's API lists now (cached like every reading). */
    @Override
    public java.util.Set<String> liveModels(ProviderConfig p, RunwayConfig cfg) throws ProviderException {
        return fetcher().models(p, cfg, credentials(cfg));
    }

    /** Refresh, snapshot, alerts, and the router (writing only with {@code router.apply: true}). */
    public ScheduledRun runScheduled() {
        RunwayConfig cfg = config();
        RunwayView v = view(cfg, true);
        snapshot(v);
        List<RunwayAlerts.Alert> fresh = alerts.evaluate(cfg, v.providers());
        if (!fresh.isEmpty()) {
            noticePending = true;
        }
        RouteResult route = null;
        String error = null;
        if (v.providers().stream().anyMatch(r -> r.config().routable())) {
            try {
                Optional<String> paused = cfg.router().apply() ? router.paused(cfg) : Optional.empty();
                route = route(v, !cfg.router().apply() || paused.isPresent());
                if (!cfg.router().apply() || paused.isPresent()) {
                    LOG.info("route ({}, nothing written): {} — {}", paused.map(p -> "the router is " + p + "; `plutus route resume` "
                            + "lets it write again").orElse("router.apply is off"), route.plan().summary(), String.join("; ", route.plan().reasons()));
                }
            } catch (RoutingRefused e) {
                error = e.getMessage();
                LOG.warn("route refused: {}", error);
            }
        }
        return new ScheduledRun(v, fresh, route, error);
    }

    /** Runs alerts on a view taken elsewhere (the CLI's {@code --snapshot}). */
    public List<RunwayAlerts.Alert> evaluateAlerts(RunwayView v) {
        List<RunwayAlerts.Alert> fresh = alerts.evaluate(v.config(), v.providers());
        if (!fresh.isEmpty()) {
            noticePending = true;
        }
        return fresh;
    }

    /**
     * Low-runway notices not yet shown in any conversation, each handed out once. Cheap when there
     * are none: the database is asked at most every two seconds unless this process raised one.
     */
    public List<String> claimNotices() {
        long now = System.nanoTime();
        if (!noticePending && now - noticeCheckedAt < PENDING_RECHECK_NANOS) {
            return List.of();
        }
        noticeCheckedAt = now;
        noticePending = false;
        remindRecalibration();
        if (!store.hasUnannounced()) {
            return List.of();
        }
        return store.claimUnannounced();
    }

    /**
     * Raises the reminders due by time alone, as {@link #claimNotices} does before it looks: for a daemon whose
     * conversations may not claim notices for a while (its verdict snapshot answers pre_llm_call meanwhile).
     */
    public void remindIfDue() {
        remindRecalibration();
    }

    public List<String> activeAlertLines() {
        remindRecalibration();
        return store.activeAlerts().stream().map(RunwayStore.AlertRow::message).toList();
    }

    /** Raises (or ends) the reminders to recalibrate; a broken runway.yaml is reported where runway is shown, not here. */
    private void remindRecalibration() {
        try {
            alerts.remindRecalibration(config(), store.latestCalibrations(), zone.get(), hints);
        } catch (RuntimeException e) {
            LOG.debug("recalibration reminder skipped: {}", e.getMessage());
        }
    }

    /** Sends the stored alerts a webhook has not taken yet, when their next try is due (the daemon's every tick). */
    public int retryAlerts() {
        try {
            return alerts.deliverPending(config());
        } catch (RuntimeException e) {
            LOG.debug("alert retry skipped: {}", e.getMessage());
            return 0;
        }
    }

    /** The provider keys this config's providers are read with. */
    @Override
    public Credentials credentials(RunwayConfig cfg) {
        return keys.apply(cfg);
    }

    private synchronized ProviderFetcher fetcher() {
        if (fetcher == null) {
            fetcher = new ProviderFetcher(clock, Duration.ofSeconds(5), store);
        }
        return fetcher;
    }

    @Override
    public synchronized void close() {
        if (fetcher != null) {
            fetcher.close();
        }
    }
}
