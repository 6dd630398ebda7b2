package dev.plutus.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.Json;
import dev.plutus.core.TokenUsage;
import dev.plutus.engine.BudgetGate;
import dev.plutus.pricing.PricingEngine;
import dev.plutus.hermes.HookEvents;
import dev.plutus.hermes.HookReply;
import java.time.Instant;

/**
 * Runs the verdict path before the daemon is published. A fresh JVM answers its first verdicts interpreted, loading
 * classes as it goes, and on a loaded host that took longer than the bridge's hook timeout (250 ms by default, less
 * under a short Hermes hook timeout): the first hook after a restart then went unanswered and fail_mode let an
 * over-budget call out. Nothing here is counted or stored: the verdicts are peeked, not asked.
 */
final class VerdictWarmUp {
    /** A session id no host sends (Hermes's ids never hold a colon followed by this word). */
    static final String SESSION = "plutus:warm-up";
    static final int ROUNDS = 3_000;
    static final long BUDGET_NANOS = 1_500_000_000L;

    private VerdictWarmUp() {}

    /**
     * Returns the rounds run: {@link #ROUNDS}, or fewer when the time budget ran out first. A reservation prices the
     * call first, and the shipped price layers load on first use (the LiteLLM one alone took 250–360 ms under load):
     * one price through every layer loads them all.
     */
    static int run(BudgetGate gate, PricingEngine pricing) {
        pricing.price("openrouter", "plutus-warm-up/no-such-model", null, TokenUsage.of(1, 1));
        ObjectNode kwargs = Json.MAPPER.createObjectNode().put("session_id", SESSION).put("tool_name", "terminal");
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int rounds = 0;
        while (rounds < ROUNDS && System.nanoTime() < deadline) {
            HookEvents.parse("pre_tool_call", kwargs, Instant.EPOCH);
            gate.peekSession(rounds % 16 == 0 ? SESSION : null);
            pricing.price("anthropic", "claude-sonnet-4-6", null, TokenUsage.of(1000, 100));
            try {
                Json.MAPPER.writeValueAsBytes(HookReply.NOTHING.toJson());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            rounds++;
        }
        return rounds;
    }
}
