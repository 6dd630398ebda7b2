package dev.plutus.report;

import dev.plutus.budget.ScopeStatus;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

/**
 * When a limited scope reaches its cap if it keeps spending at today's pace: {@code burnMicrosPerDay}
 * is what the scope spent since midnight in the budget zone, scaled to a whole day. {@code hitsCapAt}
 * is set only for {@link Outlook#BEFORE_RESET}.
 */
public record BudgetForecast(ScopeStatus status, long burnMicrosPerDay, Outlook outlook, Instant hitsCapAt) {
    public enum Outlook {
        /** Spend has reached the limit already. */
        AT_CAP("at cap"),
        /** At today's pace the limit is reached before the window resets. */
        BEFORE_RESET("before reset"),
        /** At today's pace the window resets first. */
        HOLDS("holds to reset"),
        /** Nothing spent today: no pace to go by. */
        NO_SPEND_TODAY("no spend today");

        private final String label;

        Outlook(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    /**
     * The forecast for {@code s} at {@code now}, from {@code spentTodayMicros} spent by the same scope
     * since {@code dayStart}. Integer arithmetic throughout: money never goes through a double.
     */
    public static BudgetForecast of(ScopeStatus s, long spentTodayMicros, Instant dayStart, Instant now) {
        long elapsed = Math.max(1, now.toEpochMilli() - dayStart.toEpochMilli());
        long burn = BigInteger.valueOf(Math.max(0, spentTodayMicros)).multiply(BigInteger.valueOf(DAY_MS))
                .divide(BigInteger.valueOf(elapsed)).min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
        if (s.spentMicros() >= s.limitMicros()) {
            return new BudgetForecast(s, burn, Outlook.AT_CAP, null);
        }
        if (spentTodayMicros <= 0) {
            return new BudgetForecast(s, 0, Outlook.NO_SPEND_TODAY, null);
        }
        // remaining / (spentToday / elapsed), rounded up to the millisecond
        BigInteger remaining = BigInteger.valueOf(s.limitMicros() - s.spentMicros());
        BigInteger[] qr = remaining.multiply(BigInteger.valueOf(elapsed)).divideAndRemainder(BigInteger.valueOf(spentTodayMicros));
        BigInteger ms = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
        if (ms.bitLength() > 50) {
            return new BudgetForecast(s, burn, Outlook.HOLDS, null);
        }
        Instant at = now.plusMillis(ms.longValue());
        if (s.resetsAt() != null && !at.isBefore(s.resetsAt())) {
            return new BudgetForecast(s, burn, Outlook.HOLDS, null);
        }
        return new BudgetForecast(s, burn, Outlook.BEFORE_RESET, at);
    }
}
