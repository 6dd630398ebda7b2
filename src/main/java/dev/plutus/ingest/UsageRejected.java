package dev.plutus.ingest;

/**
 * A {@code /v1/usage} body that cannot be accepted. The message names the event (by index) and
 * field for people; {@code eventIndex} and {@code field} name them for senders, null when the
 * problem is not about one event or one field.
 */
public final class UsageRejected extends Exception {
    private final Integer eventIndex;
    private final String field;

    public UsageRejected(String message) {
        this(message, null, null);
    }

    public UsageRejected(String message, Integer eventIndex, String field) {
        super(message);
        this.eventIndex = eventIndex;
        this.field = field;
    }

    public UsageError answer() {
        return new UsageError(getMessage(), eventIndex, field);
    }
}
