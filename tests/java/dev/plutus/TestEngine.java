package dev.plutus;

import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.BudgetFile;
import dev.plutus.budget.CronPauseRequest;
import dev.plutus.budget.Level;
import dev.plutus.budget.ReservationBook;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.ScopeStatus;
import dev.plutus.budget.SpendLedger;
import dev.plutus.command.SlashCommands;
import dev.plutus.core.CallEvent;
import dev.plutus.core.CallIntent;
import dev.plutus.core.RecordedCall;
import dev.plutus.core.ToolCall;
import dev.plutus.engine.Engine;
import dev.plutus.engine.EngineConfig;
import dev.plutus.hermes.HermesHost;
import dev.plutus.hermes.HookDispatcher;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.pricing.PriceRefresher;
import dev.plutus.pricing.PricingEngine;
import dev.plutus.remote.RemoteLink;
import dev.plutus.runway.RunwayMonitor;
import dev.plutus.store.ApiKeyStore;
import dev.plutus.store.CallStore;
import dev.plutus.store.EnforcementStore;
import dev.plutus.store.IngestStore;
import dev.plutus.store.RollupStore;
import dev.plutus.store.SessionDirectory;
import dev.plutus.store.StatsQueries;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tests drive the engine and its Hermes host as one object: an engine opened on a temp home, the
 * hook dispatcher and runway monitor over it, and one-line access to every part a test asserts on.
 */
public final class TestEngine implements AutoCloseable {
    private final Engine engine;
    private final HermesHost hermes;
    private final ApiKeys apiKeys;

    private TestEngine(Engine engine) {
        this.engine = engine;
        this.hermes = new HermesHost(engine);
        this.apiKeys = new ApiKeys(new ApiKeyStore(engine.jdbc()), engine.clock());
    }

    public static TestEngine open(EngineConfig config) {
        return new TestEngine(Engine.open(config));
    }

    public Engine engine() { return engine; }
    public TestEngine startBackground() { engine.startUpkeep(); return this; }
    public HookDispatcher hooks() { return hermes.hooks(); }
    public RunwayMonitor runway() { return hermes.runway(); }
    public SlashCommands commands() { return SlashCommands.of(engine, hermes.runway()); }
    public ApiKeys apiKeys() { return apiKeys; }
    public IngestStore ingestStore() { return new IngestStore(engine.jdbc()); }

    public RecordedCall record(CallEvent e) { return engine.recorder().record(e); }
    public List<RecordedCall> recordAll(List<CallEvent> e) { return engine.recorder().recordAll(e); }
    public boolean recordTool(ToolCall t) { return engine.recorder().recordTool(t); }
    public BudgetCheck checkSession(String id) { return engine.gate().checkSession(id); }
    public BudgetCheck check(Collection<ScopeRef> scopes) { return engine.gate().check(scopes); }
    public List<ScopeStatus> unannounced(BudgetCheck c) { return engine.gate().unannounced(c); }
    public Optional<CronPauseRequest> cronPauseIfDue(String id, BudgetCheck c) { return engine.gate().cronPauseIfDue(id, c); }
    public Map<Level, Long> verdictCounts() { return engine.gate().verdictCounts(); }
    public ReservationBook.Outcome reserve(CallIntent i) { return engine.reservations().reserve(i); }
    public boolean release(String id) { return engine.reservations().release(id); }
    public long heldMicros(ScopeRef s) { return engine.reservations().heldMicros(s); }
    public long heldInStoreMicros(ScopeRef s) { return engine.reservations().heldInStoreMicros(s); }
    public Map<String, Long> reservationPaths() { return engine.reservations().paths(); }
    public int republishLapsedClaims() { return engine.reservations().republishLapsedClaims(); }

    public Instant now() { return engine.clock().instant(); }
    public ZoneId zone() { return engine.gate().zone(); }
    public EngineConfig config() { return engine.config(); }
    public SessionDirectory sessions() { return engine.sessions(); }
    public StatsQueries stats() { return engine.stats(); }
    public CallStore calls() { return engine.calls(); }
    public EnforcementStore enforcement() { return engine.enforcement(); }
    public RollupStore rollups() { return engine.rollups(); }
    public PricingEngine pricing() { return engine.pricing(); }
    public PriceRefresher priceRefresher() { return engine.priceRefresher(); }
    public BudgetFile budgets() { return engine.budgets(); }
    public SpendLedger ledger() { return engine.ledger(); }
    public Optional<RemoteLink> remote() { return engine.remote(); }
    public int syncLedger() { return engine.syncLedger(); }
    public void reloadIfChanged() { engine.reloadIfChanged(); }
    public void purgeIfDue() { engine.purgeIfDue(); }
    public void refreshPricesIfDue() { engine.refreshPricesIfDue(); }

    @Override
    public void close() {
        hermes.close();
        engine.close();
    }
}
