package dev.plutus.pricing;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * A time-of-day price, in the provider's own zone: from {@code from} (inclusive) until
 * {@code until} (exclusive), wrapping past midnight when {@code until} is earlier. {@code prices}
 * holds every class, the omitted ones already filled from the period the window belongs to.
 */
public record PriceWindow(LocalTime from, LocalTime until, ZoneId zone, PriceEntry prices) {

    public boolean covers(Instant t) {
        LocalTime local = t.atZone(zone).toLocalTime();
        if (from.isBefore(until)) {
            return !local.isBefore(from) && local.isBefore(until);
        }
        return !local.isBefore(from) || local.isBefore(until);
    }

    public String label() {
        return from + "-" + until + " " + zone.getId();
    }
}
