package dev.plutus.remote;

import dev.plutus.budget.Level;
import java.time.Instant;

/** The central instance's latest budget verdict for this host's spend; {@code at} is when it was read. */
public record RemoteVerdict(Level level, String message, Instant at) {
    public static final RemoteVerdict UNKNOWN = new RemoteVerdict(Level.OK, null, null);
}
