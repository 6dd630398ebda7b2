package dev.plutus.provider;

import java.time.Instant;

/** The outcome of asking one provider: what it said, or why it could not be read. */
public sealed interface ProviderAnswer {
    Instant at();

    /** {@code keyEnv} names the variable the key came from (null for providers asked without one). */
    record Ok(ProviderReading reading, Instant at, String keyEnv) implements ProviderAnswer {}

    record Failed(ProviderException.Kind kind, String message, Instant at) implements ProviderAnswer {
        public String describe() {
            return kind.label() + ": " + message;
        }
    }
}
