package dev.plutus.pricing;

/** Where a price came from, in the order a lookup trusts them (user first). */
public enum PriceOrigin {
    /** pricing.yaml, written by the user. */
    USER,
    /** OpenRouter's /models, fetched by /setup pricing auto (keys {@code openrouter/...} only). */
    FETCHED,
    /** OpenRouter's /models as recorded and shipped with Plutus (pricing/openrouter.json), until a fetch replaces it. */
    OPENROUTER_SHIPPED,
    /** The hand-checked table shipped with Plutus (pricing/models.yaml). */
    BUILTIN,
    /** LiteLLM's price map, fetched by /setup pricing auto: a newer copy of the layer below. */
    LITELLM_FETCHED,
    /** LiteLLM's price map as shipped with Plutus, converted (pricing/litellm.json). */
    LITELLM;

    /** The name a person reads: {@code user}, {@code openrouter}, {@code curated}, {@code litellm-fetched}, {@code litellm}. */
    public String layerName() {
        return switch (this) {
            case USER -> "user";
            case FETCHED -> "openrouter";
            case OPENROUTER_SHIPPED -> "openrouter-shipped";
            case BUILTIN -> "curated";
            case LITELLM_FETCHED -> "litellm-fetched";
            case LITELLM -> "litellm";
        };
    }
}
