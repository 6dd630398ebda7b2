package dev.plutus.budget;

import dev.plutus.core.Money;
import java.time.Instant;

/**
 * One scope in one window: spend against the limit, the level reached, and why it may have been
 * adjusted. {@code degraded} is set when a hard level was lowered to soft because it rests on
 * estimated tokens under {@code on_estimated: warn_only}; {@code unpricedHard} when it was raised
 * to hard because calls with no known price make the spend unknown under {@code on_unpriced: enforce}.
 * {@code resetsAt} is when the window stops counting today's spend (for rolling windows, when
 * enough of it has aged out to fall back under the hard threshold). {@code heldMicros} is money
 * reserved for calls in flight in this scope, counted toward the level but not in {@code spend}.
 */
public record ScopeStatus(
        ScopeRef scope,
        Window window,
        WindowSpend spend,
        long limitMicros,
        Level level,
        boolean degraded,
        boolean unpricedHard,
        String periodKey,
        Instant resetsAt,
        long heldMicros) {

    public long spentMicros() {
        return spend.spentMicros();
    }

    /** Percent of the limit spent or held, rounded down; a zero limit with any spend counts as 100 % or more. */
    public long percent() {
        long committed = Money.plus(spend.spentMicros(), heldMicros);
        if (limitMicros == 0) {
            return committed == 0 ? 100 : 10_000;
        }
        if (committed <= Long.MAX_VALUE / 100) {
            return committed * 100 / limitMicros;
        }
        // Past $92 billion committed * 100 no longer fits a long.
        return java.math.BigInteger.valueOf(committed).multiply(java.math.BigInteger.valueOf(100))
                .divide(java.math.BigInteger.valueOf(limitMicros)).min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValue();
    }

    /** Percent of the limit spent, holds left out, rounded down. */
    public long spentPercent() {
        return new ScopeStatus(scope, window, spend, limitMicros, level, degraded, unpricedHard, periodKey, resetsAt, 0).percent();
    }

    public boolean restsOnEstimates() {
        return spend.estimatedMicros() > 0;
    }
}
