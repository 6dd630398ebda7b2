package dev.plutus.budget;

/** How close a scope is to its limit. Ordered: a later level is worse. */
public enum Level {
    OK, SOFT, HARD;

    public String label() {
        return name().toLowerCase();
    }
}
