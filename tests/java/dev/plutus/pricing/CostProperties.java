package dev.plutus.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class CostProperties {
    private static final PriceTable BUILTIN = PricingEngine.builtinTable();

    @Provide
    Arbitrary<TokenUsage> usage() {
        Arbitrary<Long> n = Arbitraries.longs().between(0, 90_000);
        return Combinators.combine(n, n, n, n, n, n).as(TokenUsage::new);
    }

    @Provide
    Arbitrary<PriceEntry> entry() {
        return Arbitraries.of(BUILTIN.entries()).filter(e -> e.tiers().isEmpty());
    }

    /** Splitting a call's tokens in two never changes the exact cost: each token is counted once. */
    @Property(tries = 500)
    void costIsAdditive(@ForAll("entry") PriceEntry e, @ForAll("usage") TokenUsage a, @ForAll("usage") TokenUsage b) {
        // Reasoning is part of output; keep each part consistent so the sum is too.
        TokenUsage x = new TokenUsage(a.input(), a.output(), a.cacheRead(), a.cacheWrite(), a.cacheWrite1h(), Math.min(a.reasoning(), a.output()));
        TokenUsage y = new TokenUsage(b.input(), b.output(), b.cacheRead(), b.cacheWrite(), b.cacheWrite1h(), Math.min(b.reasoning(), b.output()));
        BigDecimal sum = CostCalculator.exactUsd(e, x).add(CostCalculator.exactUsd(e, y));
        assertEquals(0, sum.compareTo(CostCalculator.exactUsd(e, x.plus(y))));
    }

    @Property(tries = 300)
    void costNeverDecreasesWithMoreTokens(@ForAll("entry") PriceEntry e, @ForAll("usage") TokenUsage a, @ForAll("usage") TokenUsage b) {
        TokenUsage x = new TokenUsage(a.input(), a.output(), a.cacheRead(), a.cacheWrite(), a.cacheWrite1h(), 0);
        assertTrue(CostCalculator.exactUsd(e, x.plus(TokenUsage.of(b.input(), b.output()))).compareTo(CostCalculator.exactUsd(e, x)) >= 0);
    }

    /** Rounding to the micro-dollar is off by at most half a micro-dollar. */
    @Property(tries = 300)
    void storedMicrosAreTheExactCostRoundedOnce(@ForAll("entry") PriceEntry e, @ForAll("usage") TokenUsage u) {
        CallCost c = CallCost.of(CostCalculator.exactUsd(e, u), e);
        BigDecimal diff = c.exactUsd().movePointRight(6).subtract(BigDecimal.valueOf(c.micros())).abs();
        assertTrue(diff.compareTo(new BigDecimal("0.5")) <= 0);
    }
}
