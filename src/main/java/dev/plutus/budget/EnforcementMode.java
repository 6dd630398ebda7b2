package dev.plutus.budget;

/** What a budget does when its spend rests on estimated tokens or on calls with no known price. */
public enum EnforcementMode {
    /** Tell the user, but do not let uncertain numbers block work. */
    WARN_ONLY,
    /** Treat the verdict as final. */
    ENFORCE,
    /**
     * {@code on_unpriced} only, the default there: a call with no known price counts at a
     * provisional price (see {@code PricingEngine.provisional}) until a real one re-prices it.
     */
    PROVISIONAL
}
