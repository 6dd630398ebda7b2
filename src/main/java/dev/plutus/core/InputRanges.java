package dev.plutus.core;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The range every number that enters Plutus must fall in, whichever door it comes through (hooks,
 * {@code /v1/usage}, the spool, the state.db backfill). Values outside are refused where the sender
 * can be told ({@code /v1/usage}) and clamped where it cannot (hooks: Hermes must never be broken).
 * With every stored value in range, totals can only overflow through sheer row count, and those
 * saturate ({@link Money#plus}).
 */
public final class InputRanges {
    /** No model call Plutus can be told about happened before this. */
    public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    /** How far ahead of the receiver's clock a sender's clock may run before its time is called absurd. */
    public static final Duration FUTURE_SLACK = Duration.ofMinutes(5);
    /** Tokens of one class in one call: far beyond any context window, far below what sums could overflow on. */
    public static final long MAX_TOKENS = 1_000_000_000_000L;
    /** The cost of one call. */
    public static final BigDecimal MAX_COST_USD = new BigDecimal("1000000");
    public static final long MAX_COST_MICROS = 1_000_000L * Money.MICROS_PER_USD;
    /** A call's latency or a tool's run time; longer values are clamped to it. */
    public static final long MAX_DURATION_MILLIS = Duration.ofDays(1).toMillis();

    private InputRanges() {}

    /**
     * Why {@code t} cannot be the time of a call that arrived at {@code receivedAt}: before 2000, or
     * further ahead than the slack allows. Empty when it can.
     */
    public static Optional<String> timeProblem(Instant t, Instant receivedAt) {
        if (t.isBefore(EARLIEST)) {
            return Optional.of("is before " + EARLIEST + " (" + t + ")");
        }
        if (t.isAfter(receivedAt.plus(FUTURE_SLACK))) {
            return Optional.of("is in the future by more than " + FUTURE_SLACK.toMinutes() + " minutes (" + t + ")");
        }
        return Optional.empty();
    }

    /**
     * Unix seconds as a JSON number carries them (a double) to an instant; empty when not finite or
     * beyond what an instant can hold, so a caller never meets an exception on a hostile number.
     */
    public static Optional<Instant> fromEpochSeconds(double seconds) {
        if (!Double.isFinite(seconds) || Math.abs(seconds) > 1e15) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochMilli(Math.round(seconds * 1000)));
    }

    /** A duration in milliseconds held to 0 .. {@link #MAX_DURATION_MILLIS}. */
    public static long clampDuration(long millis) {
        return Math.max(0, Math.min(MAX_DURATION_MILLIS, millis));
    }

    /** Seconds as a JSON number carries them, to milliseconds held to the duration range (NaN and negatives are 0). */
    public static long durationFromSeconds(double seconds) {
        if (!(seconds > 0)) {
            return 0;
        }
        return seconds * 1000 >= MAX_DURATION_MILLIS ? MAX_DURATION_MILLIS : Math.round(seconds * 1000);
    }

    /** A token count held to 0 .. {@link #MAX_TOKENS}. */
    public static long clampTokens(long tokens) {
        return Math.max(0, Math.min(MAX_TOKENS, tokens));
    }
}
