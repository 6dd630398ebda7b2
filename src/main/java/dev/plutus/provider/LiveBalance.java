package dev.plutus.provider;

/**
 * Money a provider says is left, in micro-dollars. {@code remainingMicros} is null when the account
 * has no limit (an OpenRouter key without a credit cap); {@code limitMicros} and {@code usageMicros}
 * are null when the provider does not say. {@code detail} is a short human note (currencies, tier).
 */
public record LiveBalance(Long remainingMicros, Long limitMicros, Long usageMicros, boolean freeTier, boolean available,
                          String detail) {
}
