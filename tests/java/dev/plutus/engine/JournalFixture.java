package dev.plutus.engine;

import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.Window;
import dev.plutus.core.CallEvent;
import dev.plutus.core.HomeLayout;
import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/** What the call-journal tests share: an engine at a fixed noon, calls of a known cost, and what the store and totals hold. */
final class JournalFixture {
    static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");
    static final long COST_MICROS = 123;

    private JournalFixture() {
    }

    static Engine open(Path home, boolean journal) {
        return Engine.open(EngineConfig.builder(new HomeLayout(home)).clock(Clock.fixed(NOON, ZoneOffset.UTC))
                .environment(Map.of()).callJournal(journal).build());
    }

    static long globalSpend(Engine e) {
        return e.ledger().spend(ScopeRef.GLOBAL, Window.DAILY, NOON).spentMicros();
    }

    /** Event id → rows stored under it, once every acknowledged call is in the table. */
    static Map<String, Long> rowsByEvent(Engine e) {
        e.awaitStored();
        Map<String, Long> out = new HashMap<>();
        e.jdbc().query("SELECT event_id, COUNT(*) FROM llm_calls GROUP BY event_id", rs -> out.put(rs.getString(1), rs.getLong(2)));
        return out;
    }

    static long storedCost(Engine e) {
        e.awaitStored();
        return e.jdbc().queryLong("SELECT COALESCE(SUM(cost_micros), 0) FROM llm_calls");
    }

    /** A call of {@link #COST_MICROS} in session {@code s-<first letter of id>}, as a host reports it. */
    static CallEvent event(String id) {
        return new CallEvent(id, NOON, "s-" + id.charAt(0), "cli", "anthropic", "claude-sonnet-4-6", null,
                TokenUsage.of(1000, 100), false, 10, new BigDecimal("0.000123"));
    }

    /** The same call priced, as the journal holds it. */
    static LlmCall call(String id) {
        return new LlmCall(id, NOON, "s-" + id.charAt(0), "s-" + id.charAt(0), "cli", null, null, "anthropic",
                "claude-sonnet-4-6", null, TokenUsage.of(1000, 100), false, COST_MICROS, true, "anthropic/claude-sonnet-4-6", 10);
    }
}
