package dev.plutus.core;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * A model call as a host reports it, before Plutus prices it. {@code reportedCostUsd}, when the
 * caller knows the exact cost, is used instead of the price table. {@code estimated} marks token
 * counts that were estimated because the provider reported no usage. {@code origin} is set for
 * calls reported over {@code /v1/usage} and null for hook calls. {@code images} is how many images
 * the call produced, for models priced per image (0 when the sender does not say).
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
        BigDecimal reportedCostUsd,
        CallOrigin origin,
        long images) {

    public CallEvent(String eventId, Instant timestamp, String sessionId, String platform, String provider, String model,
                     String responseModel, TokenUsage usage, boolean estimated, long latencyMillis, BigDecimal reportedCostUsd,
                     CallOrigin origin) {
        this(eventId, timestamp, sessionId, platform, provider, model, responseModel, usage, estimated, latencyMillis,
                reportedCostUsd, origin, 0);
    }

    public CallEvent(String eventId, Instant timestamp, String sessionId, String platform, String provider, String model,
                     String responseModel, TokenUsage usage, boolean estimated, long latencyMillis, BigDecimal reportedCostUsd) {
        this(eventId, timestamp, sessionId, platform, provider, model, responseModel, usage, estimated, latencyMillis,
                reportedCostUsd, null);
    }

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
        if (images < 0) {
            throw new IllegalArgumentException("images must not be negative");
        }
    }
}
