package dev.plutus.budget;

/**
 * How close a scope is to its limit. Ordered: a later level is worse. {@code UNKNOWN} is a verdict's
 * level only, when none could be computed; no scope status carries it.
 */
public enum Level {
    OK, SOFT, HARD, UNKNOWN;

    public String label() {
        return name().toLowerCase();
    }
}
