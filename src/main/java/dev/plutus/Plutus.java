package dev.plutus;

import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.BudgetEvaluator;
import dev.plutus.budget.BudgetFile;
import dev.plutus.budget.BudgetMessages;
import dev.plutus.budget.CronPauseRequest;
import dev.plutus.budget.PeriodCalendar;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.ScopeStatus;
import dev.plutus.budget.Scopes;
import dev.plutus.budget.SpendLedger;
import dev.plutus.budget.SpendTracker;
import dev.plutus.budget.Level;
import dev.plutus.hook.HookDispatcher;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.pricing.CallCost;
import dev.plutus.pricing.ModelNames;
import dev.plutus.pricing.PriceRefresher;
import dev.plutus.pricing.PricingEngine;
import dev.plutus.store.ApiKeyStore;
import dev.plutus.store.CallStore;
import dev.plutus.store.Database;
import dev.plutus.store.EnforcementStore;
import dev.plutus.store.GroupCommitQueue;
import dev.plutus.store.IngestStore;
import dev.plutus.store.RollupStore;
import dev.plutus.store.SessionDirectory;
import dev.plutus.store.SessionRecord;
import dev.plutus.store.SessionStore;
import dev.plutus.store.StatsQueries;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * The engine: records calls and tool runs, prices them, keeps running spend, and answers budget
 * checks. Open one per PLUTUS_HOME; it is thread-safe. Hosts talk to it directly (JVM
 * applications) or through {@link #hooks()} (Hermes events as JSON).
 */
public final class Plutus implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("dev.plutus");

    private final PlutusConfig config;
    private final Database db;
    private final CallStore calls;
    private final SessionDirectory sessions;
    private final EnforcementStore enforcement;
    private final RollupStore rollups;
    private final StatsQueries stats;
    private final PricingEngine pricing;
    private final BudgetFile budgets;
    private final SpendTracker tracker;
    private final HookDispatcher hooks;
    private final GroupCommitQueue<LlmCall, OptionalLong> writer;
    private final PriceRefresher priceRefresher;
    private final ApiKeys apiKeys;
    private final IngestStore ingestStore;
    private final dev.plutus.runway.RunwayMonitor runway;
    /** Present in remote mode: model calls go to the central Plutus instead of this store. */
    private final Optional<dev.plutus.remote.RemoteLink> remote;
    private final EnumMap<Level, LongAdder> verdicts =
            new EnumMap<>(Level.class);
    private final dev.plutus.budget.ReservationBook reservations = new dev.plutus.budget.ReservationBook();
    private final dev.plutus.budget.SharedReservations shared;
    private ScheduledExecutorService background;
    /** Unpriced models this process has already put in the once-only ledger. */
    private final java.util.Set<String> unpricedSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Plutus(PlutusConfig config) {
        this.config = config;
        this.db = dev.plutus.store.StoreSettings.load(config.home().settingsFile())
                .open(config.home().database(), config.maxPoolSize(), config.environment());
        this.calls = new CallStore(db.jdbc());
        this.sessions = new SessionDirectory(new SessionStore(db.jdbc()));
        this.enforcement = new EnforcementStore(db.jdbc());
        this.rollups = new RollupStore(db.jdbc());
        this.stats = new StatsQueries(db.jdbc());
        this.pricing = PricingEngine.load(config.home());
        this.budgets = new BudgetFile(config.home().budgetFile(), config.clock().getZone());
        this.tracker = new SpendTracker(calls, new SpendLedger(calendar()));
        this.tracker.rebuild(calendar(), now());
        this.writer = new GroupCommitQueue<>(512, tracker::recordAll);
        this.hooks = new HookDispatcher(this);
        this.apiKeys = new ApiKeys(new ApiKeyStore(db.jdbc()), config.clock());
        this.ingestStore = new IngestStore(db.jdbc());
        // This process among those sharing the database is a random owner id, for the reservations it holds there.
        this.shared = new dev.plutus.budget.SharedReservations(reservations, new dev.plutus.store.ReservationStore(db.jdbc()), tracker,
                java.util.UUID.randomUUID().toString());
        this.remote = dev.plutus.remote.RemoteSettings.fromEnvironment(config.environment())
                .map(r -> new dev.plutus.remote.RemoteLink(r, new dev.plutus.store.RemoteOutbox(db.jdbc()), config.clock()));
        this.runway = new dev.plutus.runway.RunwayMonitor(this, new dev.plutus.store.RunwayStore(db.jdbc()), config.home().runwayFile(),
                config.environment(), config.clock());
        for (Level l : Level.values()) {
            verdicts.put(l, new LongAdder());
        }
        this.priceRefresher = new PriceRefresher(config.home(), config.openRouterBaseUrl(), config.pricingRefreshInterval(),
                enforcement, pricing);
        for (String problem : pricing.problems()) {
            LOG.warning(problem);
        }
        budgets.error().ifPresent(LOG::warning);
    }

    /** Opens the database (creating and migrating it if needed) and loads prices and budgets. */
    public static Plutus open(PlutusConfig config) {
        return new Plutus(config);
    }

    /**
     * Starts the background upkeep a long-running process needs: folding in spend other processes
     * record, hot-reloading budget.yaml and pricing.yaml, rolling up, and purging past retention.
     */
    public synchronized Plutus startBackground() {
        if (background != null) {
            return this;
        }
        background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plutus-upkeep");
            t.setDaemon(true);
            return t;
        });
        long syncMs = config.ledgerSyncInterval().toMillis();
        background.scheduleWithFixedDelay(guard("sync", tracker::sync), syncMs, syncMs, TimeUnit.MILLISECONDS);
        background.scheduleWithFixedDelay(guard("reload", this::reloadIfChanged), 1, 1, TimeUnit.SECONDS);
        background.scheduleWithFixedDelay(guard("rollup", () -> {
            rollups.catchUp();
            tracker.ledger().evictIdle(now());
        }), 5, 60, TimeUnit.SECONDS);
        background.scheduleWithFixedDelay(guard("checkpoint", db::checkpoint), 1, 1, TimeUnit.SECONDS);
        background.scheduleWithFixedDelay(guard("claims", this::republishLapsedClaims), 1, 1, TimeUnit.SECONDS);
        background.scheduleWithFixedDelay(guard("retention", this::purgeIfDue), 10, 3600, TimeUnit.SECONDS);
        background.scheduleWithFixedDelay(guard("price refresh", this::refreshPricesIfDue), 30, 3600, TimeUnit.SECONDS);
        remote.ifPresent(dev.plutus.remote.RemoteLink::start);
        return this;
    }

    private Runnable guard(String what, Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "background " + what + " failed: " + e.getMessage(), e);
            }
        };
    }

    public HookDispatcher hooks() {
        return hooks;
    }

    public PlutusConfig config() {
        return config;
    }

    public PricingEngine pricing() {
        return pricing;
    }

    public BudgetFile budgets() {
        return budgets;
    }

    public SessionDirectory sessions() {
        return sessions;
    }

    public StatsQueries stats() {
        return stats;
    }

    public CallStore calls() {
        return calls;
    }

    public EnforcementStore enforcement() {
        return enforcement;
    }

    public SpendLedger ledger() {
        return tracker.ledger();
    }

    public Instant now() {
        return config.clock().instant();
    }

    public ZoneId zone() {
        return budgets.current().zone();
    }

    /**
     * Prices and stores one call, and counts it toward every budget it falls under. Returns once the
     * row is committed; concurrent callers share commits.
     */
    public RecordedCall record(CallEvent e) {
        return recordAll(List.of(e)).get(0);
    }

    /** Records the calls in as few transactions as possible (one per 512); results in the same order. */
    public List<RecordedCall> recordAll(List<CallEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        List<LlmCall> prepared = new ArrayList<>(events.size());
        for (CallEvent e : events) {
            prepared.add(prepare(e));
        }
        if (remote.isPresent()) {
            List<RecordedCall> out = new ArrayList<>(prepared.size());
            for (int i = 0; i < prepared.size(); i++) {
                LlmCall c = prepared.get(i);
                if (c.eventId() == null) {
                    c = c.withEventId("local:" + java.util.UUID.randomUUID());
                }
                out.add(new RecordedCall(c, !remote.get().enqueue(c, events.get(i).reportedCostUsd())));
            }
            return out;
        }
        List<OptionalLong> ids = writer.writeAll(prepared);
        List<RecordedCall> out = new ArrayList<>(ids.size());
        java.util.Set<ScopeRef> released = new java.util.LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            out.add(new RecordedCall(prepared.get(i), ids.get(i).isEmpty()));
            // The real cost is counted now: the money held for the call goes back.
            released.addAll(reservations.releaseScopes(prepared.get(i).eventId()));
        }
        if (!released.isEmpty() && budgets.current().reservations().shared()) {
            shared.ended(released, now());
        }
        return out;
    }

    /** Prices the call and resolves who made it: its session's root, cron job and sender. */
    private LlmCall prepare(CallEvent e) {
        Optional<SessionRecord> session = e.sessionId() == null ? Optional.empty()
                : Optional.of(sessions.observe(e.sessionId(), e.platform(), e.model(), e.provider(), e.timestamp()));
        CallCost cost = e.reportedCostUsd() != null
                ? new CallCost(e.reportedCostUsd(), CallCost.of(e.reportedCostUsd(), null).micros(), null, null)
                : pricing.price(e.provider(), e.model(), e.responseModel(), e.usage());
        if (!cost.priced() && unpricedSeen.add(e.provider() + "\u0000" + e.model())
                && enforcement.recordUnpriced(e.provider(), e.model(), now())) {
            LOG.warning("unpriced model: " + cost.unpricedReason() + " (provider " + e.provider()
                    + "); its calls are recorded at $0 and counted as unpriced. Add it to pricing.yaml or run /setup pricing auto.");
        }
        return new LlmCall(e.eventId(), e.timestamp(), e.sessionId(),
                session.map(SessionRecord::rootSessionId).orElse(null),
                e.platform() != null ? e.platform() : session.map(SessionRecord::platform).orElse(null),
                session.map(SessionRecord::cronJobId).orElse(null), session.map(SessionRecord::senderId).orElse(null),
                e.provider(), e.model(), e.responseModel(), e.usage(), e.estimated(), cost.micros(), cost.priced(),
                cost.entryKey(), e.latencyMillis(), e.origin());
    }

    public boolean recordTool(ToolCall t) {
        if (t.sessionId() != null) {
            sessions.observe(t.sessionId(), null, null, null, t.timestamp());
        }
        return calls.insertTool(t);
    }

    /** Every limited scope the session spends into, and the verdict. */
    public BudgetCheck checkSession(String sessionId) {
        Optional<SessionRecord> s = sessions.find(sessionId);
        Collection<ScopeRef> scopes = s.map(r -> Scopes.of(r.sessionId(), r.rootSessionId(), r.cronJobId(), r.senderId(),
                r.provider(), r.model())).orElseGet(() -> Scopes.of(sessionId, null, null, null, null, null));
        return check(scopes);
    }

    /**
     * Before a model call: holds its expected cost against every scope it falls under and answers
     * the verdict with everything held counted; refused (nothing held) when that is hard. Recording
     * the call under {@code intent.id()} ends the hold; {@link #release} ends it for a call that failed.
     */
    public dev.plutus.budget.ReservationBook.Outcome reserve(CallIntent intent) {
        dev.plutus.budget.BudgetConfig cfg = budgets.current();
        dev.plutus.budget.ReservationSettings rs = cfg.reservations();
        Optional<SessionRecord> s = intent.sessionId() == null ? Optional.empty() : sessions.find(intent.sessionId());
        Collection<ScopeRef> scopes = Scopes.of(intent.sessionId(), s.map(SessionRecord::rootSessionId).orElse(null),
                s.map(SessionRecord::cronJobId).orElse(null), s.map(SessionRecord::senderId).orElse(null),
                intent.provider(), intent.model());
        Instant now = now();
        dev.plutus.budget.ReservationBook.Outcome o;
        if (!rs.enabled() || !cfg.hasAnyLimit()) {
            BudgetCheck c = new BudgetEvaluator(tracker.ledger()).check(cfg, scopes, now);
            o = c.verdict() instanceof dev.plutus.budget.Verdict.Hard ? new dev.plutus.budget.ReservationBook.Outcome.Refused(c)
                    : new dev.plutus.budget.ReservationBook.Outcome.Admitted(intent.id(), 0, now, c);
        } else {
            long out = intent.maxOutputTokens() == null ? rs.expectedOutputTokens() : Math.min(rs.expectedOutputTokens(), intent.maxOutputTokens());
            long micros = pricing.price(intent.provider(), intent.model(), null,
                    new TokenUsage(intent.approxInputTokens(), Math.max(0, out), 0, 0, 0, 0)).micros();
            Instant expires = now.plus(rs.ttl());
            if (rs.shared()) {
                o = shared.reserve(cfg, intent.id(), scopes, micros, now, expires);
            } else {
                BudgetEvaluator ev = new BudgetEvaluator(tracker.ledger());
                o = reservations.reserve(intent.id(), scopes, micros, now, expires, held -> ev.check(cfg, scopes, now, held),
                        dev.plutus.budget.ReservationBook.Elsewhere.NONE);
            }
        }
        verdicts.get(o.check().verdict().level()).increment();
        return o;
    }

    /** Ends a hold whose call failed or was abandoned; false when nothing was held under that id. */
    public boolean release(String intentId) {
        List<ScopeRef> scopes = reservations.releaseScopes(intentId);
        if (!scopes.isEmpty() && budgets.current().reservations().shared()) {
            shared.ended(scopes, now());
        }
        return !scopes.isEmpty();
    }

    /** In shared mode: reservations checked in the store, and those admitted from a claim in memory, since this process opened. */
    public Map<String, Long> reservationPaths() {
        return Map.of("store", shared.storeChecks(), "claim", shared.claimedAdmissions());
    }

    /**
     * In shared mode, money every process sharing the store publishes as held for the scope (holds
     * for calls in flight and claimed slices of the headroom); 0 otherwise.
     */
    public long heldInStoreMicros(ScopeRef scope) {
        dev.plutus.budget.ReservationSettings rs = budgets.current().reservations();
        return rs.shared() ? shared.publishedByAll(scope, now(), rs.ttl()) : 0;
    }

    /** Shrinks what this process publishes as held for scopes whose claims lapsed (upkeep runs it every second). */
    public int republishLapsedClaims() {
        return budgets.current().reservations().shared() ? shared.republishLapsed(now()) : 0;
    }

    /** Money held now for calls in flight in the scope (by this process; in shared mode others' too). */
    public long heldMicros(ScopeRef scope) {
        return reservations.heldMicros(scope);
    }

    public BudgetCheck check(Collection<ScopeRef> scopes) {
        BudgetCheck c = new BudgetEvaluator(tracker.ledger()).check(budgets.current(), scopes, now());
        verdicts.get(c.verdict().level()).increment();
        return c;
    }

    /** How many budget checks this process answered at each level, since it opened. */
    public Map<Level, Long> verdictCounts() {
        Map<Level, Long> out = new EnumMap<>(Level.class);
        verdicts.forEach((l, n) -> out.put(l, n.sum()));
        return out;
    }

    /** API keys for {@code /v1/usage}. */
    public ApiKeys apiKeys() {
        return apiKeys;
    }

    /** The link to the central Plutus in remote mode ({@code PLUTUS_REMOTE_URL} + {@code PLUTUS_API_KEY}); empty otherwise. */
    public Optional<dev.plutus.remote.RemoteLink> remote() {
        return remote;
    }

    /** Provider balances, burn rate, days left, low-runway alerts and the router. */
    public dev.plutus.runway.RunwayMonitor runway() {
        return runway;
    }

    public IngestStore ingestStore() {
        return ingestStore;
    }

    /** Statuses at soft or hard not yet announced in their period; each is announced once, across processes. */
    public List<ScopeStatus> unannounced(BudgetCheck check) {
        List<ScopeStatus> out = new ArrayList<>();
        for (ScopeStatus s : check.statuses()) {
            if (s.level() != Level.OK && enforcement.recordAlert(s.scope().kind().label(), s.scope().id(),
                    s.window().label(), s.periodKey(), s.level().label(), now(), s.spentMicros(), s.limitMicros())) {
                out.add(s);
            }
        }
        return out;
    }

    /** A pause request for the session's cron job when it is in hard breach and not yet paused this period. */
    public Optional<CronPauseRequest> cronPauseIfDue(String sessionId, BudgetCheck check) {
        if (check.verdict().level() != Level.HARD) {
            return Optional.empty();
        }
        Optional<String> job = sessions.find(sessionId).map(SessionRecord::cronJobId);
        if (job.isEmpty()) {
            return Optional.empty();
        }
        ScopeStatus cause = ((dev.plutus.budget.Verdict.Hard) check.verdict()).cause();
        String reason = BudgetMessages.pauseReason(cause);
        if (enforcement.recordCronPause(job.get(), cause.window().label(), cause.scope().describe() + "@" + cause.periodKey(),
                now(), reason)) {
            LOG.warning("pausing cron job " + job.get() + ": " + reason);
            return Optional.of(new CronPauseRequest(job.get(), reason));
        }
        return Optional.empty();
    }

    /** Re-reads budget.yaml and pricing.yaml if they changed; a new zone or week start rebuilds running totals. */
    public void reloadIfChanged() {
        if (budgets.reloadIfChanged()) {
            budgets.error().ifPresent(LOG::warning);
            PeriodCalendar current = tracker.ledger().calendar();
            if (!current.zone().equals(zone()) || current.weekStart() != budgets.current().weekStart()) {
                tracker.rebuild(calendar(), now());
            }
        }
        pricing.reloadIfChanged().forEach(LOG::warning);
    }

    /** Rolls up new rows and purges raw rows past retention when the last purge is a day old. */
    public void purgeIfDue() {
        Instant now = now();
        Optional<Instant> last = enforcement.meta("last_purge").map(Instant::parse);
        if (last.isPresent() && Duration.between(last.get(), now).compareTo(Duration.ofDays(1)) < 0) {
            return;
        }
        long removed = rollups.purgeBefore(now.minus(Duration.ofDays(config.retentionDays())));
        int stale = shared.purgeStale(now, budgets.current().reservations().ttl());
        if (stale > 0) {
            LOG.info("retention: dropped " + stale + " reservation rows of processes that stopped refreshing them");
        }
        enforcement.setMeta("last_purge", now.toString());
        if (removed > 0) {
            LOG.info("retention: purged " + removed + " calls older than " + config.retentionDays() + " days");
        }
    }

    /** Fetches OpenRouter prices when the user chose automatic pricing and the last fetch is a day old. */
    public void refreshPricesIfDue() {
        if (priceRefresher.autoEnabled()) {
            PriceRefresher.Outcome o = priceRefresher.refresh(now(), false);
            if (o instanceof PriceRefresher.Outcome.Failed f) {
                LOG.warning("price refresh: " + f.reason());
            } else if (o instanceof PriceRefresher.Outcome.Fetched done) {
                LOG.info("price refresh: " + done.models() + " OpenRouter models");
            }
        }
    }

    public PriceRefresher priceRefresher() {
        return priceRefresher;
    }

    public RollupStore rollups() {
        return rollups;
    }

    /** Folds in spend recorded by other processes since the last look. */
    public int syncLedger() {
        return tracker.sync();
    }

    public static String budgetKey(String model) {
        return ModelNames.budgetKey(model);
    }

    private PeriodCalendar calendar() {
        return new PeriodCalendar(budgets.current().zone(), budgets.current().weekStart());
    }

    @Override
    public void close() {
        ScheduledExecutorService bg;
        synchronized (this) {
            bg = background;
            background = null;
        }
        if (bg != null) {
            bg.shutdown();
            try {
                bg.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        runway.close();
        remote.ifPresent(dev.plutus.remote.RemoteLink::close);
        if (budgets.current().reservations().shared()) {
            try {
                shared.withdraw();
            } catch (RuntimeException e) {
                // The store may be gone; the rows then lapse after one ttl, as a crashed process's do.
                LOG.warning("could not withdraw this process's reservations from the store: " + e.getMessage());
            }
        }
        db.close();
    }
}
