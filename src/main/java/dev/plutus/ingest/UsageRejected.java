package dev.plutus.ingest;

/** A {@code /v1/usage} body that cannot be accepted; the message names the event (by index) and field. */
public final class UsageRejected extends Exception {
    public UsageRejected(String message) {
        super(message);
    }
}
