package dev.plutus.provider;

import java.util.Optional;

/** What a provider told: a live balance, rate-limit state, or both. */
public record ProviderReading(Optional<LiveBalance> balance, Optional<RateLimitStatus> limits) {

    public static ProviderReading ofBalance(LiveBalance b) {
        return new ProviderReading(Optional.of(b), Optional.empty());
    }

    public static ProviderReading ofLimits(RateLimitStatus l) {
        return new ProviderReading(Optional.empty(), Optional.of(l));
    }

    public static ProviderReading nothing() {
        return new ProviderReading(Optional.empty(), Optional.empty());
    }
}
