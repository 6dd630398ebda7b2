package dev.plutus.ingest;

import dev.plutus.store.IngestStore;
import java.time.Instant;
import java.time.YearMonth;

/**
 * The month's tracked tokens, kept in memory so metering a request costs no query: loaded from
 * the store for the month when first asked (and again when the month turns), then moved by every
 * event. Adding before recording reserves the tokens, so two concurrent requests cannot both slip
 * under the cap.
 */
final class MonthlyTokens {
    private final IngestStore store;
    private YearMonth month;
    private long tokens;

    MonthlyTokens(IngestStore store) {
        this.store = store;
    }

    /** Adds {@code delta} (may be negative) to the month's total and returns the new total. */
    synchronized long add(YearMonth current, Instant monthStart, long delta) {
        roll(current, monthStart);
        tokens += delta;
        return tokens;
    }

    synchronized long current(YearMonth current, Instant monthStart) {
        roll(current, monthStart);
        return tokens;
    }

    private void roll(YearMonth current, Instant monthStart) {
        if (!current.equals(month)) {
            month = current;
            tokens = store.trackedTokensSince(monthStart);
        }
    }
}
