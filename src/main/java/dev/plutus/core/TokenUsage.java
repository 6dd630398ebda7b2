package dev.plutus.core;

/**
 * Token counts of one model call, in the meaning of a Hermes usage record: {@code input} excludes
 * cache reads and writes, {@code output} includes reasoning, and {@code reasoning} is the part of
 * {@code output} that was reasoning. {@code cacheWrite1h} is the share of cache writes that went to
 * a one-hour cache (Anthropic), kept apart because it is priced apart.
 */
public record TokenUsage(long input, long output, long cacheRead, long cacheWrite, long cacheWrite1h, long reasoning) {

    public static final TokenUsage ZERO = new TokenUsage(0, 0, 0, 0, 0, 0);

    public TokenUsage {
        requireCount("input", input);
        requireCount("output", output);
        requireCount("cache_read", cacheRead);
        requireCount("cache_write", cacheWrite);
        requireCount("cache_write_1h", cacheWrite1h);
        requireCount("reasoning", reasoning);
    }

    public static TokenUsage of(long input, long output) {
        return new TokenUsage(input, output, 0, 0, 0, 0);
    }

    /** Every prompt-side token: what long-context price tiers are measured against. */
    public long promptTokens() {
        return input + cacheRead + cacheWrite + cacheWrite1h;
    }

    /** Reasoning tokens that are billed as reasoning: never more than the output they are part of. */
    public long billedReasoning() {
        return Math.min(reasoning, output);
    }

    public TokenUsage plus(TokenUsage o) {
        return new TokenUsage(input + o.input, output + o.output, cacheRead + o.cacheRead,
                cacheWrite + o.cacheWrite, cacheWrite1h + o.cacheWrite1h, reasoning + o.reasoning);
    }

    private static void requireCount(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must not be negative, got " + value);
        }
    }
}
