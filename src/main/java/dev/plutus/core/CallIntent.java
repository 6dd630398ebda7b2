package dev.plutus.core;

/**
 * A model call about to be made, for a reservation: {@code id} is the event id its result will be
 * recorded under (Hermes: {@code api:<api_request_id>}), so recording the result ends the hold.
 * {@code approxInputTokens} is the host's estimate of the prompt; {@code maxOutputTokens} the
 * request's cap, or null when the model's maximum applies.
 */
public record CallIntent(String id, String sessionId, String platform, String provider, String model,
                         long approxInputTokens, Long maxOutputTokens) {
    public CallIntent {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a reservation needs the id its call will be recorded under");
        }
        if (provider == null || provider.isBlank()) {
            throw new IllegalArgumentException("provider is required");
        }
        if (approxInputTokens < 0) {
            approxInputTokens = 0;
        }
    }
}
