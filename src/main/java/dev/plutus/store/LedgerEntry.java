package dev.plutus.store;

/** The part of a stored call that budgets need: when, whose, and how much (and its event id, to know a journaled call already counted). */
public record LedgerEntry(
        long id,
        long timestampMillis,
        String sessionId,
        String rootSessionId,
        String cronJobId,
        String senderId,
        String provider,
        String model,
        long costMicros,
        boolean estimated,
        boolean priced,
        boolean provisional,
        String eventId) {
}
