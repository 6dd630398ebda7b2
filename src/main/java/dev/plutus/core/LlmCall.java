package dev.plutus.core;

import java.time.Instant;
import java.util.Objects;

/**
 * One model call as recorded: who made it, when it ended, what it used and what it cost.
 * {@code eventId} makes recording idempotent (a replayed event is stored once); it may be null.
 * {@code cronJobId}, {@code senderId} and {@code rootSessionId} are resolved at record time,
 * so a subagent's call carries the cron job and sender of the session that delegated it.
 * {@code origin} is set for calls reported over {@code /v1/usage}, null for hook calls.
 * {@code timestamp} is when the call counts; {@code reportedAt} is the sender's own time for it when
 * that lay ahead of the moment the call was received (the call then counts when it was received, so
 * no sender's clock can move a budget period), null otherwise.
 * {@code provisional}: no price was known, and {@code costMicros} is a stand-in price (the call is
 * not {@code priced}) that is replaced once a real price appears.
 */
public record LlmCall(
        String eventId,
        Instant timestamp,
        String sessionId,
        String rootSessionId,
        String platform,
        String cronJobId,
        String senderId,
        String provider,
        String model,
        String responseModel,
        TokenUsage usage,
        boolean estimated,
        long costMicros,
        boolean priced,
        String priceEntry,
        long latencyMillis,
        CallOrigin origin,
        Instant reportedAt,
        boolean provisional) {

    public LlmCall(String eventId, Instant timestamp, String sessionId, String rootSessionId, String platform,
                   String cronJobId, String senderId, String provider, String model, String responseModel,
                   TokenUsage usage, boolean estimated, long costMicros, boolean priced, String priceEntry,
                   long latencyMillis) {
        this(eventId, timestamp, sessionId, rootSessionId, platform, cronJobId, senderId, provider, model, responseModel,
                usage, estimated, costMicros, priced, priceEntry, latencyMillis, null, null, false);
    }

    public LlmCall(String eventId, Instant timestamp, String sessionId, String rootSessionId, String platform,
                   String cronJobId, String senderId, String provider, String model, String responseModel,
                   TokenUsage usage, boolean estimated, long costMicros, boolean priced, String priceEntry,
                   long latencyMillis, CallOrigin origin) {
        this(eventId, timestamp, sessionId, rootSessionId, platform, cronJobId, senderId, provider, model, responseModel,
                usage, estimated, costMicros, priced, priceEntry, latencyMillis, origin, null, false);
    }

    public LlmCall {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(usage, "usage");
        if (costMicros < 0) {
            throw new IllegalArgumentException("cost must not be negative");
        }
        if (provisional && priced) {
            throw new IllegalArgumentException("a priced call is not provisional");
        }
    }

    /** The same call under another event id. */
    public LlmCall withEventId(String id) {
        return new LlmCall(id, timestamp, sessionId, rootSessionId, platform, cronJobId, senderId, provider, model, responseModel,
                usage, estimated, costMicros, priced, priceEntry, latencyMillis, origin, reportedAt, provisional);
    }
}
