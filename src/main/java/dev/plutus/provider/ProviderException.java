package dev.plutus.provider;

/** A provider could not be read; {@link #kind()} says why in a word, the message in a sentence (never with a key in it). */
public final class ProviderException extends Exception {
    public enum Kind {
        NO_KEY("no key"), BAD_KEY("bad key"), EXPIRED_TOKEN("expired token"), FORBIDDEN("forbidden"),
        RATE_LIMITED("rate limited"), TIMEOUT("timeout"), HTTP_STATUS("HTTP error"), MALFORMED("malformed answer"),
        UNREACHABLE("unreachable"), UNSUPPORTED("not supported");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Kind kind;

    public ProviderException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
