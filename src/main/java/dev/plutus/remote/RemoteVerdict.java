package dev.plutus.remote;

import dev.plutus.budget.Level;
import java.time.Instant;

/**
 * The central instance's latest budget verdict for this host's spend; {@code at} is when it was read
 * (null when none was). {@link Level#UNKNOWN} when none can be had: never read, too old, or the central
 * instance could not compute one; {@code message} then says why.
 */
public record RemoteVerdict(Level level, String message, Instant at) {
    public static final RemoteVerdict UNKNOWN = new RemoteVerdict(Level.UNKNOWN, null, null);

    static RemoteVerdict unknown(String why, Instant at) {
        return new RemoteVerdict(Level.UNKNOWN, why, at);
    }
}
