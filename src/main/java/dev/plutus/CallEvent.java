package dev.plutus;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * A model call as a host reports it, before Plutus prices it. {@code reportedCostUsd}, when the
 * caller knows the exact cost, is used instead of the price table. {@code estimated} marks token
 * counts that were estimated because the provider reported no usage.
 */
public record CallEvent(
        String eventId,
        Instant timestamp,
        String sessionId,
        String platform,
        String provider,
        String model,
        String responseModel,
        TokenUsage usage,
        boolean estimated,
        long latencyMillis,
        BigDecimal reportedCostUsd) {

    public CallEvent {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(usage, "usage");
        if (provider == null || provider.isBlank()) {
            throw new IllegalArgumentException("provider is required");
        }
        if (model == null || model.isBlank()) {
            model = responseModel != null && !responseModel.isBlank() ? responseModel : "unknown";
        }
        if (reportedCostUsd != null && reportedCostUsd.signum() < 0) {
            throw new IllegalArgumentException("cost_usd must not be negative");
        }
        if (latencyMillis < 0) {
            latencyMillis = 0;
        }
    }
}
