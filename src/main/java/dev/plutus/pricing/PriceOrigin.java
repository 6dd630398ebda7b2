package dev.plutus.pricing;

/** Where a price came from, in the order a lookup trusts them. */
public enum PriceOrigin {
    /** pricing.yaml, written by the user. */
    USER,
    /** Fetched from a provider catalogue by /setup pricing auto. */
    FETCHED,
    /** The table shipped with Plutus. */
    BUILTIN
}
