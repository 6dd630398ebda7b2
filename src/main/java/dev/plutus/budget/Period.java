package dev.plutus.budget;

/** One calendar period of a window: [start, end) in epoch milliseconds, and its key ({@code 2026-11-24}). */
public record Period(long startMillis, long endMillis, String key) {
    public boolean contains(long millis) {
        return millis >= startMillis && millis < endMillis;
    }
}
