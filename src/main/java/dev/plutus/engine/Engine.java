package dev.plutus.engine;

import dev.plutus.core.Upkeep;
import dev.plutus.budget.BudgetFile;
import dev.plutus.budget.PeriodCalendar;
import dev.plutus.budget.RefusalLog;
import dev.plutus.budget.ReservationBook;
import dev.plutus.budget.SharedReservations;
import dev.plutus.budget.SpendLedger;
import dev.plutus.budget.LedgerSync;
import dev.plutus.core.LlmCall;
import dev.plutus.pricing.PriceRefresher;
import dev.plutus.pricing.PricingEngine;
import dev.plutus.remote.RemoteLink;
import dev.plutus.remote.RemoteSettings;
import dev.plutus.store.CallStore;
import dev.plutus.store.Database;
import dev.plutus.store.EnforcementStore;
import dev.plutus.store.GroupCommitQueue;
import dev.plutus.store.Jdbc;
import dev.plutus.store.MetaStore;
import dev.plutus.store.RemoteOutbox;
import dev.plutus.store.ReservationStore;
import dev.plutus.store.RollupStore;
import dev.plutus.store.SessionDirectory;
import dev.plutus.store.SessionStore;
import dev.plutus.store.StatsQueries;
import dev.plutus.store.StoreSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: opens the store, loads prices and budgets, and wires the recorder,
 * reservations, budget verdicts and upkeep that hosts are given one by one. One per PLUTUS_HOME
 * and process; thread-safe.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** The call journal's directory in PLUTUS_HOME. */
    public static final String JOURNAL_DIR = "journal";

    private final EngineConfig config;
    private final Database db;
    private final CallStore calls;
    private final SessionDirectory sessions;
    private final EnforcementStore enforcement;
    private final MetaStore meta;
    private final RollupStore rollups;
    private final StatsQueries stats;
    private final PricingEngine pricing;
    private final BudgetFile budgets;
    private final LedgerSync tracker;
    private final ProvisionalRepricer repricer;
    private final PriceRefresher priceRefresher;
    private final SharedReservations shared;
    private final Optional<RemoteLink> remote;
    private final BudgetGate gate;
    private final Reservations reservations;
    private final CallRecorder recorder;
    private final Enforcer enforcer;
    private final RefusalLog refusals = new RefusalLog();
    /** Present when this engine journals its calls (SQLite, {@link EngineConfig#callJournal()}, the journal's lock held). */
    private final Optional<JournaledStore> journal;
    private Upkeep upkeep;
    private Upkeep priceUpkeep;
    /** The loosening wait last logged, so a file waiting to loosen the budget is logged once, not every second. */
    private volatile Optional<Instant> loggedLoosening = Optional.empty();

    private Engine(EngineConfig config) {
        this.config = config;
        Clock clock = config.clock();
        this.db = StoreSettings.load(config.home().settingsFile())
                .open(config.home().database(), config.maxPoolSize(), config.environment());
        Jdbc jdbc = db.jdbc();
        this.calls = new CallStore(jdbc);
        this.sessions = new SessionDirectory(new SessionStore(jdbc), config.cronSessionIds());
        this.enforcement = new EnforcementStore(jdbc);
        this.meta = new MetaStore(jdbc);
        this.rollups = new RollupStore(jdbc);
        this.stats = new StatsQueries(jdbc);
        this.pricing = PricingEngine.load(config.home(), config.clock());
        this.budgets = new BudgetFile(config.home().budgetFile(), config.home().budgetLastGoodFile(), clock,
                config.budgetLooseningSettle(), config.cronJobNames());
        this.tracker = new LedgerSync(calls, new SpendLedger(calendar()), clock);
        this.repricer = new ProvisionalRepricer(calls, pricing, tracker, meta, this::calendar, clock);
        Optional<RemoteSettings> remoteSettings = RemoteSettings.fromEnvironment(config.environment());
        GroupCommitQueue<LlmCall, OptionalLong> direct = new GroupCommitQueue<>(512, tracker::recordAll);
        // Before the totals are built: calls a crashed process acknowledged into the journal are stored first.
        this.journal = JournaledStore.open(db, config.home().dir().resolve(JOURNAL_DIR),
                config.callJournal() && remoteSettings.isEmpty(), tracker, direct::writeAll, sessions);
        journal.ifPresent(j -> {
            jdbc.pendingWrites(j::awaitDrained);
            // A call's session sighting is journaled with it (the drainer stores it), not written on the recording thread.
            sessions.deferCallSightings();
        });
        this.tracker.rebuild(calendar(), clock.instant());
        journal.ifPresent(JournaledStore::buildStoredIdFilter);
        // Prices may have changed while no process ran: calls stored at provisional prices follow now.
        this.repricer.repriceIfPricesChanged();
        ReservationBook book = new ReservationBook();
        // This process among those sharing the database is a random owner id, for the reservations it holds there.
        this.shared = new SharedReservations(book, new ReservationStore(jdbc), tracker, UUID.randomUUID().toString());
        this.remote = remoteSettings.map(r -> new RemoteLink(r, new RemoteOutbox(jdbc), clock));
        this.gate = new BudgetGate(budgets, tracker.ledger(), sessions, enforcement, clock);
        this.reservations = new Reservations(budgets, tracker.ledger(), pricing, gate, book, shared, clock);
        java.util.function.Function<java.util.List<LlmCall>, java.util.List<Boolean>> store = journal
                .<java.util.function.Function<java.util.List<LlmCall>, java.util.List<Boolean>>>map(j -> j::record)
                .orElse(batch -> direct.writeAll(batch).stream().map(OptionalLong::isPresent).toList());
        CallSink sink = remote.<CallSink>map(RemoteSink::new).orElseGet(() -> new StoreSink(store, book, shared, budgets, clock));
        this.recorder = new CallRecorder(sessions, pricing, budgets, enforcement, calls, sink, clock);
        this.enforcer = remote.<Enforcer>map(link -> new RemoteEnforcer(link, sessions)).orElseGet(() -> new LocalEnforcer(gate, reservations, refusals, clock));
        this.priceRefresher = new PriceRefresher(config.home(), config.openRouterBaseUrl(), config.litellmPricesUrl(),
                config.pricingRefreshInterval(), meta, pricing);
        pricing.problems().forEach(p -> LOG.warn("{}", p));
        logRefusal();
    }

    /** Opens the database (creating and migrating it if needed) and loads prices and budgets. */
    public static Engine open(EngineConfig config) {
        return new Engine(config);
    }

    /**
     * Starts the upkeep a long-running process needs: folding in spend other processes record,
     * hot-reloading budget.yaml and pricing.yaml, rolling up, and purging past retention.
     */
    public synchronized Engine startUpkeep() {
        if (upkeep != null) {
            return this;
        }
        Duration second = Duration.ofSeconds(1);
        upkeep = new Upkeep("upkeep")
                .every("ledger sync", config.ledgerSyncInterval(), config.ledgerSyncInterval(), () -> {
                    if (tracker.sync() > 0) {
                        changes.run();
                    }
                })
                .every("reload", second, second, () -> {
                    reloadIfChanged();
                    changes.run();
                })
                .every("rollup", Duration.ofSeconds(5), Duration.ofMinutes(1), () -> {
                    rollups.catchUp();
                    tracker.ledger().evictIdle(config.clock().instant());
                })
                .every("checkpoint", second, second, db::checkpoint)
                .every("claims", second, second, reservations::republishLapsedClaims)
                .every("retention", Duration.ofSeconds(10), Duration.ofHours(1), this::purgeIfDue);
        // Its own thread: a fetch may take up to its deadline (PriceDownload), and ledger sync, the
        // budget.yaml and pricing.yaml reload, rollup and checkpoint must not wait behind it. One
        // thread, so never two refreshes at once.
        priceUpkeep = new Upkeep("price-refresh")
                .every("price refresh", config.pricingRefreshFirstAfter(), Duration.ofHours(1), this::refreshPricesIfDue);
        remote.ifPresent(RemoteLink::start);
        return this;
    }

    /** Told after the upkeep folded in other processes' spend or looked for budget and price changes. */
    private volatile Runnable changes = () -> { };

    /**
     * {@code listener} runs on the upkeep thread after it folded in spend other processes recorded, and after
     * each look for a changed budget.yaml or pricing.yaml (verdicts may have changed without any call here).
     */
    public void onUpkeepChange(Runnable listener) {
        changes = listener;
    }

    public EngineConfig config() {
        return config;
    }

    public Clock clock() {
        return config.clock();
    }

    /** The store's connections, for stores of layers above (API keys, ingestion, runway). */
    public Jdbc jdbc() {
        return db.jdbc();
    }

    public CallRecorder recorder() {
        return recorder;
    }

    public Reservations reservations() {
        return reservations;
    }

    /** The model calls this process refused lately, for /budget. */
    public RefusalLog refusals() {
        return refusals;
    }

    public BudgetGate gate() {
        return gate;
    }

    /** Local or central verdicts, as this process was opened (remote mode with {@code PLUTUS_REMOTE_URL}). */
    public Enforcer enforcer() {
        return enforcer;
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

    public MetaStore meta() {
        return meta;
    }

    public RollupStore rollups() {
        return rollups;
    }

    public PricingEngine pricing() {
        return pricing;
    }

    public PriceRefresher priceRefresher() {
        return priceRefresher;
    }

    public BudgetFile budgets() {
        return budgets;
    }

    public SpendLedger ledger() {
        return tracker.ledger();
    }

    /** The link to the central Plutus in remote mode; empty otherwise. */
    public Optional<RemoteLink> remote() {
        return remote;
    }

    /** Whether this engine acknowledges calls once journaled (SQLite, the journal's lock held) rather than committed. */
    public boolean journaling() {
        return journal.isPresent();
    }

    /**
     * Waits until every call recorded so far is in the calls table (at once when not journaling);
     * readers of the store's own classes do this themselves.
     */
    public void awaitStored() {
        journal.ifPresent(JournaledStore::awaitDrained);
    }

    /**
     * CPU time the call journal's drainer has used storing journaled calls into SQLite; empty when this
     * engine does not journal. On a machine with few cores it competes with recording, so a call's cost is
     * the recording thread's CPU plus its share of this (the engine benchmark reports both).
     */
    public java.util.OptionalLong journalDrainerCpuNanos() {
        return journal.map(j -> j.drainerCpuNanos()).filter(n -> n >= 0).map(java.util.OptionalLong::of)
                .orElse(java.util.OptionalLong.empty());
    }

    /** Bounds the calls acknowledged into the journal and not yet stored (for tests; the default is {@link JournaledStore#MAX_BACKLOG}). */
    void limitJournalBacklog(int calls) {
        journal.orElseThrow().limitBacklog(calls);
    }

    /** How many records waited for the journal's drainer because its backlog was full; 0 without a journal. */
    public long journalBacklogWaits() {
        return journal.map(JournaledStore::backlogWaits).orElse(0L);
    }

    /** Whether new calls skip the duplicate lookup (the journal's filter of stored event ids is built); for tests. */
    boolean storedIdFilterReady() {
        return journal.map(JournaledStore::storedIdFilterReady).orElse(false);
    }

    /** Folds in spend recorded by other processes since the last look. */
    public int syncLedger() {
        return tracker.sync();
    }

    /** Re-reads budget.yaml and pricing.yaml if they changed; a new zone or week start rebuilds running totals. */
    public void reloadIfChanged() {
        BudgetFile.Reload outcome = budgets.reloadIfChanged();
        if (outcome == BudgetFile.Reload.REFUSED) {
            logRefusal();
        } else if (outcome == BudgetFile.Reload.SETTLING) {
            BudgetFile.Standing s = budgets.standing();
            if (s.looseningAt().isPresent() && !s.looseningAt().equals(loggedLoosening)) {
                loggedLoosening = s.looseningAt();
                LOG.warn("{}", s.looseningNotice().orElseThrow());
            }
        } else if (outcome == BudgetFile.Reload.APPLIED) {
            BudgetFile.Standing s = budgets.standing();
            LOG.info("{} is in force ({}, {})", s.file(), s.digest().isEmpty() ? "no budget" : s.digest(),
                    s.anyLimit() ? "limits set" : "no limits");
            if (!budgets.lastLoosening().isEmpty()) {
                LOG.warn("{} LOOSENED the budget in force, unchanged for {}s: {}", s.file(),
                        config.budgetLooseningSettle().toSeconds(), String.join("; ", budgets.lastLoosening()));
            }
            s.copyProblem().ifPresent(p -> LOG.warn("{}", p));
        }
        // Compared on every call, not only on APPLIED: a budget set through /budget set went into force by its own reload.
        PeriodCalendar current = tracker.ledger().calendar();
        if (!current.zone().equals(gate.zone()) || current.weekStart() != budgets.current().weekStart()) {
            tracker.rebuild(calendar(), config.clock().instant());
        }
        pricing.reloadIfChanged().forEach(p -> LOG.warn("{}", p));
        if (repricer.repriceIfPricesChanged() == 0) {
            repricer.followOthers();
        }
    }

    /**
     * Re-prices stored provisional calls at the current prices (a real price where one is known now)
     * and rebuilds the running totals; returns how many calls changed. The upkeep does this within a
     * second of a price change; hosts call it to have it done now.
     */
    public int repriceProvisional() {
        return repricer.reprice();
    }

    /** A refused budget.yaml is an error in the log, saying what stays in force instead. */
    private void logRefusal() {
        BudgetFile.Standing s = budgets.standing();
        if (s.refusal().isPresent() || s.copyProblem().isPresent()) {
            LOG.error("{}", s.notice().strip());
        }
    }

    /** Rolls up new rows and purges raw rows past retention when the last purge is a day old. */
    public void purgeIfDue() {
        Instant now = config.clock().instant();
        Optional<Instant> last = meta.get("last_purge").map(Instant::parse);
        if (last.isPresent() && Duration.between(last.get(), now).compareTo(Duration.ofDays(1)) < 0) {
            return;
        }
        long removed = rollups.purgeBefore(now.minus(Duration.ofDays(config.retentionDays())));
        int stale = shared.purgeStale(now, budgets.current().reservations().ttl());
        if (stale > 0) {
            LOG.info("retention: dropped {} reservation rows of processes that stopped refreshing them", stale);
        }
        meta.put("last_purge", now.toString());
        if (removed > 0) {
            LOG.info("retention: purged {} calls older than {} days", removed, config.retentionDays());
        }
    }

    /** Fetches OpenRouter prices when the user chose automatic pricing and the last fetch is a day old. */
    public void refreshPricesIfDue() {
        if (priceRefresher.autoEnabled()) {
            PriceRefresher.Outcome o = priceRefresher.refresh(config.clock().instant(), false);
            if (o instanceof PriceRefresher.Outcome.Failed f) {
                LOG.warn("price refresh: {}", f.reason());
            } else if (o instanceof PriceRefresher.Outcome.Fetched done) {
                done.lines().forEach(l -> LOG.info("price refresh: {}", l));
                done.clashes().forEach(c -> LOG.warn("price refresh: {}", c));
            }
        }
    }

    private PeriodCalendar calendar() {
        return new PeriodCalendar(budgets.current().zone(), budgets.current().weekStart());
    }

    @Override
    public void close() {
        Upkeep u;
        Upkeep p;
        synchronized (this) {
            u = upkeep;
            p = priceUpkeep;
            upkeep = null;
            priceUpkeep = null;
        }
        if (p != null) {
            p.closeNow();
        }
        if (u != null) {
            u.close();
        }
        remote.ifPresent(RemoteLink::close);
        if (budgets.current().reservations().shared()) {
            try {
                shared.withdraw();
            } catch (RuntimeException e) {
                // The store may be gone; the rows then lapse after one ttl, as a crashed process's do.
                LOG.warn("could not withdraw this process's reservations from the store: {}", e.getMessage());
            }
        }
        journal.ifPresent(JournaledStore::close);
        db.close();
    }
}
