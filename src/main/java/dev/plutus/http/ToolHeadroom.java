package dev.plutus.http;

import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.BudgetConfig;
import dev.plutus.budget.ScopeStatus;
import dev.plutus.core.Money;
import dev.plutus.engine.Reservations;
import dev.plutus.pricing.PriceEntry;
import dev.plutus.pricing.PriceResolution;
import dev.plutus.pricing.PriceTier;
import dev.plutus.pricing.PricingEngine;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.ToLongFunction;

/**
 * What lets the bridge answer pre_tool_call from the verdict snapshot although it journaled calls the
 * daemon has not counted yet (docs/hook-snapshot.md): how much money a session's scopes can still take
 * before any of them turns hard, and an upper bound on what a token of a model can cost. Calls whose
 * tokens times that bound add up to less than the headroom cannot have turned the verdict into a block. The same
 * rule, with the money before the next budget notice instead, lets it answer pre_llm_call (nothing due) from the file.
 */
final class ToolHeadroom {
    private ToolHeadroom() {
    }

    /**
     * The money (micro-dollars) the scopes of {@code check} can take before any of its windows reaches its
     * hard threshold, holds for calls in flight counted as spent; 0 when one is there already;
     * {@link Long#MAX_VALUE} when no limit applies.
     */
    static long of(BudgetCheck check, BudgetConfig config, Reservations holds) {
        return least(check, holds, s -> BudgetConfig.threshold(s.limitMicros(), config.hardPct()));
    }

    /**
     * For a session with no budget notice due now (every window above OK already announced at its level): the money
     * its scopes can take before a window reaches the next threshold its level has not, soft for a window below it,
     * hard for one at soft (the notice that could then be due); a window at hard has no notice left. Holds count as
     * spent, as in {@link #of}; 0 when a level rests on estimates or unpriced calls; {@link Long#MAX_VALUE} when
     * no limit applies.
     */
    static long toNextNotice(BudgetCheck check, BudgetConfig config, Reservations holds) {
        return least(check, holds, s -> switch (s.level()) {
            case OK -> BudgetConfig.threshold(s.limitMicros(), config.softPct());
            case SOFT -> BudgetConfig.threshold(s.limitMicros(), config.hardPct());
            default -> NO_THRESHOLD;
        });
    }

    /** A window with no threshold left to reach. */
    private static final long NO_THRESHOLD = Long.MIN_VALUE;

    /** The least over the windows of {@code check} of its threshold less spend and holds (none below 0). */
    private static long least(BudgetCheck check, Reservations holds, ToLongFunction<ScopeStatus> thresholdOf) {
        long free = Long.MAX_VALUE;
        for (ScopeStatus s : check.statuses()) {
            if (s.unpricedHard() || s.degraded()) {
                return 0;
            }
            long at = thresholdOf.applyAsLong(s);
            if (at == NO_THRESHOLD) {
                continue;
            }
            long held = Money.plus(Money.plus(s.heldMicros(), holds.heldMicros(s.scope())), holds.heldInStoreMicros(s.scope()));
            long committed = Money.plus(s.spentMicros(), held);
            free = Math.min(free, Math.max(0, Money.minus(at, committed)));
        }
        return free;
    }

    /**
     * The most a token of {@code model} (called at {@code provider}, no other served model named) can cost,
     * in micro-dollars per million tokens, rounded up: the dearest of its token classes and long-context
     * tiers, at {@code now} and at {@code until}. Empty when no such bound holds for every call the daemon
     * may count until then: no price, a variable price, a price per request or image, dated price changes
     * or time-of-day prices (a call's own time could pick another price).
     */
    static OptionalLong perMillionTokens(PricingEngine pricing, String provider, String model, Instant now, Instant until) {
        if (provider == null || model == null || provider.isBlank() || model.isBlank()) {
            return OptionalLong.empty();
        }
        BigDecimal most = BigDecimal.ZERO;
        for (Instant t : List.of(now, until)) {
            Optional<PriceResolution> r = pricing.chosen(provider, model, null, t);
            if (r.isEmpty() || r.get().entry().variablePrice() || !timeless(r.get().entry())
                    || (r.get().inheritsFrom() != null && !timeless(r.get().inheritsFrom()))) {
                return OptionalLong.empty();
            }
            PriceEntry prices = r.get().pricesAt(t);
            if (prices.hasNonTokenPrice()) {
                return OptionalLong.empty();
            }
            for (BigDecimal p : tokenPrices(prices)) {
                if (p.signum() < 0) {
                    return OptionalLong.empty();
                }
                most = most.max(p);
            }
        }
        // USD per million tokens to micro-dollars per million tokens.
        BigDecimal micros = most.movePointRight(6).setScale(0, RoundingMode.CEILING);
        return micros.toBigInteger().bitLength() > 62 ? OptionalLong.empty() : OptionalLong.of(micros.longValueExact());
    }

    private static boolean timeless(PriceEntry e) {
        return e.effectiveFrom() == null && e.changes().isEmpty() && e.windows().isEmpty();
    }

    private static List<BigDecimal> tokenPrices(PriceEntry e) {
        List<BigDecimal> out = new ArrayList<>();
        for (BigDecimal p : new BigDecimal[] {e.input(), e.output(), e.cacheRead(), e.cacheWrite(), e.cacheWrite1h(), e.reasoning()}) {
            if (p != null) {
                out.add(p);
            }
        }
        for (PriceTier t : e.tiers()) {
            for (BigDecimal p : new BigDecimal[] {t.input(), t.output(), t.cacheRead(), t.cacheWrite(), t.cacheWrite1h()}) {
                if (p != null) {
                    out.add(p);
                }
            }
        }
        return out;
    }
}
