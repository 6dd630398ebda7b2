package dev.plutus.pricing;

import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;

/**
 * Cost = each token class times its own price, each token counted once: cache reads and writes
 * are not part of {@code input}, and reasoning is the part of {@code output} priced as reasoning.
 */
public final class CostCalculator {

    private CostCalculator() {}

    /** Exact USD; never rounded. */
    public static BigDecimal exactUsd(PriceEntry e, TokenUsage u) {
        PriceTier t = e.tierFor(u.promptTokens());
        BigDecimal input = pick(t == null ? null : t.input(), e.input());
        BigDecimal output = pick(t == null ? null : t.output(), e.output());
        BigDecimal cacheRead = pick(t == null ? null : t.cacheRead(), e.cacheRead());
        BigDecimal cacheWrite = pick(t == null ? null : t.cacheWrite(), e.cacheWrite());
        BigDecimal cacheWrite1h = pick(t == null ? null : t.cacheWrite1h(), e.cacheWrite1h());
        // A tier that raises output prices raises reasoning with them unless reasoning is priced apart.
        BigDecimal reasoning = e.reasoning() != null ? e.reasoning() : output;
        long reasoningTokens = u.billedReasoning();
        BigDecimal perMillion = input.multiply(BigDecimal.valueOf(u.input()))
                .add(cacheRead.multiply(BigDecimal.valueOf(u.cacheRead())))
                .add(cacheWrite.multiply(BigDecimal.valueOf(u.cacheWrite())))
                .add(cacheWrite1h.multiply(BigDecimal.valueOf(u.cacheWrite1h())))
                .add(output.multiply(BigDecimal.valueOf(u.output() - reasoningTokens)))
                .add(reasoning.multiply(BigDecimal.valueOf(reasoningTokens)));
        return perMillion.movePointLeft(6).stripTrailingZeros();
    }

    private static BigDecimal pick(BigDecimal tierPrice, BigDecimal base) {
        return tierPrice != null ? tierPrice : base;
    }
}
