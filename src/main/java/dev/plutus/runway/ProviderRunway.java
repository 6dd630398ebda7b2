package dev.plutus.runway;

import dev.plutus.provider.LiveBalance;
import dev.plutus.provider.RateLimitStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * One provider's runway now. {@code remainingMicros} is the live balance ({@link Source#LIVE}) or
 * budget minus spend ({@link Source#ESTIMATE}); null when unknown. {@code daysLeft} is null when
 * nothing is burning or nothing is known; {@code trendPct} compares the last 7 days with the 7
 * before (null when there is nothing to compare). {@code subscription} names a chat subscription
 * plan found beside the API account (the ChatGPT plan of a Codex login), null when none.
 */
public record ProviderRunway(
        ProviderConfig config,
        Source source,
        Long remainingMicros,
        Long budgetMicros,
        LiveBalance balance,
        RateLimitStatus limits,
        String error,
        SpendSummary spend,
        long burnMicrosPerDay,
        BigDecimal trendPct,
        BigDecimal daysLeft,
        LocalDate exhaustsOn,
        Instant calibratedAt,
        Instant fetchedAt,
        String subscription) {

    public ProviderRunway(ProviderConfig config, Source source, Long remainingMicros, Long budgetMicros, LiveBalance balance,
                          RateLimitStatus limits, String error, SpendSummary spend, long burnMicrosPerDay, BigDecimal trendPct,
                          BigDecimal daysLeft, LocalDate exhaustsOn, Instant calibratedAt, Instant fetchedAt) {
        this(config, source, remainingMicros, budgetMicros, balance, limits, error, spend, burnMicrosPerDay, trendPct, daysLeft,
                exhaustsOn, calibratedAt, fetchedAt, null);
    }

    public ProviderRunway withSubscription(String plan) {
        return new ProviderRunway(config, source, remainingMicros, budgetMicros, balance, limits, error, spend, burnMicrosPerDay,
                trendPct, daysLeft, exhaustsOn, calibratedAt, fetchedAt, plan);
    }

    public enum Source {
        LIVE("live"), ESTIMATE("estimate"), UNKNOWN("unknown");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public String name() {
        return config.name();
    }

    /** Known to have money left and not refused by its rate limits. */
    public boolean usable() {
        boolean funded = remainingMicros == null || remainingMicros > 0;
        boolean notRejected = limits == null || !"rejected".equals(limits.status());
        return funded && notRejected && (balance == null || balance.available());
    }

    /** Steady, rising or falling by at least 10%, or new spend with none the week before. */
    public String trendLabel() {
        if (trendPct == null) {
            return spend.last7Micros() > 0 ? "new" : "-";
        }
        int c = trendPct.abs().compareTo(BigDecimal.TEN);
        if (c < 0) {
            return "steady";
        }
        return (trendPct.signum() > 0 ? "+" : "") + trendPct.toPlainString() + "%";
    }
}
