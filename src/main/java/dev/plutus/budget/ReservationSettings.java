package dev.plutus.budget;

import java.time.Duration;

/**
 * budget.yaml's {@code reservations:}: before a model call its expected cost (prompt tokens as the
 * host estimates them, plus {@code expected_output_tokens}, capped by the request's max_tokens) is
 * held against every scope it falls under until the call's real cost replaces it, or {@code ttl}
 * passes. {@code shared}: hold it in the database too, so processes sharing plutus.db see each
 * other's reservations (one write transaction per reservation instead of memory alone).
 */
public record ReservationSettings(boolean enabled, long expectedOutputTokens, Duration ttl, boolean shared) {
    public static final ReservationSettings DEFAULT = new ReservationSettings(true, 1024, Duration.ofMinutes(10), false);

    public ReservationSettings {
        if (expectedOutputTokens < 0) {
            throw new IllegalArgumentException("expected_output_tokens must not be negative");
        }
    }
}
