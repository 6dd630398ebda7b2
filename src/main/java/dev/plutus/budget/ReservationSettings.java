package dev.plutus.budget;

import java.time.Duration;

/**
 * budget.yaml's {@code reservations:}: before a model call its expected cost (prompt tokens as the
 * host estimates them, plus {@code expected_output_tokens}, capped by the request's max_tokens) is
 * held against every scope it falls under until the call's real cost replaces it, or {@code ttl}
 * passes. {@code shared}: hold it in the database too, so processes sharing plutus.db see each
 * other's reservations. {@code claim}: in shared mode, how long a slice of the headroom claimed
 * in the store may be handed out in memory before the store is asked again (0: every reservation is
 * checked in the store; see {@link SharedReservations}).
 */
public record ReservationSettings(boolean enabled, long expectedOutputTokens, Duration ttl, boolean shared, Duration claim) {
    public static final ReservationSettings DEFAULT =
            new ReservationSettings(true, 1024, Duration.ofMinutes(10), false, Duration.ofSeconds(2));

    public ReservationSettings {
        if (expectedOutputTokens < 0) {
            throw new IllegalArgumentException("expected_output_tokens must not be negative");
        }
        if (claim.isNegative() || claim.compareTo(ttl) > 0) {
            throw new IllegalArgumentException("claim must be between 0 and the ttl");
        }
    }
}
