package dev.plutus.runway;

import dev.plutus.provider.ProviderAnswer;
import dev.plutus.provider.LiveBalance;
import dev.plutus.provider.RateLimitStatus;
import dev.plutus.store.RunwayStore.Calibration;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Turns what a provider said, what Plutus recorded and the last calibration into remaining money,
 * burn rate and days left. All money is integer micro-dollars; days are exact decimals cut to one place.
 */
public final class RunwayForecaster {
    private static final long SECONDS_PER_DAY = 86_400;

    private RunwayForecaster() {}

    public static ProviderRunway forecast(ProviderConfig p, ProviderAnswer fetched, SpendSummary spend, Calibration calibration,
                                          Instant now, ZoneId zone) {
        return forecast(p, fetched, spend, calibration, calibration == null ? 0 : Math.max(0, spend.allMicros() - calibration.spentMicros()),
                now, zone);
    }

    /**
     * {@code spentAfterCalibration}: spend whose call time is after the calibration. Only that is
     * taken off the console balance: spend dated earlier (a backfill, a late spool replay) was already
     * in the balance the user read, however late Plutus learnt of it.
     */
    public static ProviderRunway forecast(ProviderConfig p, ProviderAnswer fetched, SpendSummary spend, Calibration calibration,
                                          long spentAfterCalibration, Instant now, ZoneId zone) {
        LiveBalance balance = null;
        RateLimitStatus limits = null;
        String error = null;
        if (fetched instanceof ProviderAnswer.Ok ok) {
            balance = ok.reading().balance().orElse(null);
            limits = ok.reading().limits().orElse(null);
        } else if (fetched instanceof ProviderAnswer.Failed f) {
            error = f.describe();
        }
        ProviderRunway.Source source;
        Long remaining;
        Long budget;
        Instant calibratedAt = null;
        if (balance != null && balance.remainingMicros() != null) {
            source = ProviderRunway.Source.LIVE;
            remaining = balance.remainingMicros();
            budget = balance.limitMicros();
        } else if (calibration != null) {
            source = ProviderRunway.Source.ESTIMATE;
            remaining = calibration.balanceMicros() - spentAfterCalibration;
            budget = backSolvedBudget(calibration.balanceMicros(), spend.allMicros() - spentAfterCalibration);
            calibratedAt = calibration.at();
        } else if (p.budgetMicros() != null) {
            source = ProviderRunway.Source.ESTIMATE;
            budget = p.budgetMicros();
            remaining = budget - spend.allMicros();
        } else {
            source = ProviderRunway.Source.UNKNOWN;
            budget = null;
            remaining = null;
        }
        long burn = spend.last7Micros() / 7;
        BigDecimal trend = spend.prev7Micros() == 0 ? null
                : BigDecimal.valueOf(spend.last7Micros() - spend.prev7Micros()).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(spend.prev7Micros()), 0, RoundingMode.HALF_UP);
        BigDecimal daysLeft = null;
        LocalDate exhausts = null;
        if (remaining != null && remaining <= 0) {
            daysLeft = BigDecimal.ZERO.setScale(1);
            exhausts = LocalDate.ofInstant(now, zone);
        } else if (remaining != null && burn > 0) {
            daysLeft = BigDecimal.valueOf(remaining).divide(BigDecimal.valueOf(burn), 1, RoundingMode.DOWN);
            BigDecimal seconds = BigDecimal.valueOf(remaining).multiply(BigDecimal.valueOf(SECONDS_PER_DAY))
                    .divide(BigDecimal.valueOf(burn), 0, RoundingMode.DOWN);
            // Past ten thousand years the date means nothing (and Instant would overflow); days-left says it all.
            exhausts = seconds.compareTo(BigDecimal.valueOf(3_650_000L * SECONDS_PER_DAY)) > 0 ? null
                    : LocalDate.ofInstant(now.plusSeconds(seconds.longValue()), zone);
        }
        return new ProviderRunway(p, source, remaining, budget, balance, limits, error, spend, burn, trend, daysLeft, exhausts,
                calibratedAt, fetched == null ? null : fetched.at());
    }

    /**
     * The budget that makes Plutus's estimate equal the console balance the user read: spend counted
     * so far plus that balance.
     */
    public static long backSolvedBudget(long consoleBalanceMicros, long spentAllMicros) {
        return Math.addExact(consoleBalanceMicros, spentAllMicros);
    }
}
