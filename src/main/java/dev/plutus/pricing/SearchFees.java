package dev.plutus.pricing;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;

/**
 * Per-search fees that every request of a model pays, carried as a per-request price. Hermes
 * reports no search count, so a fee billed per search can be charged only where every request
 * searches: Perplexity's Sonar models (each request searches; Perplexity's default search context
 * is {@code low}) and OpenAI's {@code *-search-preview} models (each request searches; default
 * context {@code medium}). Elsewhere (Claude, Gemini, GPT with a web-search tool) the fee is billed
 * only when the model chose to search, which the call does not report: it is not charged, and
 * docs/pricing.md says so.
 */
public final class SearchFees {
    private SearchFees() {}

    /**
     * The search context size whose fee every request of {@code key} on {@code provider} pays, or
     * null when the model searches only on demand.
     */
    static String everyRequestSize(String key, String provider) {
        String k = key.toLowerCase(Locale.ROOT);
        String p = provider == null ? "" : provider.toLowerCase(Locale.ROOT);
        if (p.equals("perplexity") || k.startsWith("perplexity/") || k.contains("/perplexity/")) {
            return "low";
        }
        if (k.contains("search-preview")) {
            return "medium";
        }
        return null;
    }

    /** The fee (USD) every request of this model pays for its search, from fees by context size; null if none. */
    static BigDecimal perRequest(String key, String provider, Map<String, BigDecimal> feesBySize) {
        String size = everyRequestSize(key, provider);
        if (size == null) {
            return null;
        }
        BigDecimal fee = feesBySize.get(size);
        return fee == null || fee.signum() <= 0 ? null : fee.stripTrailingZeros();
    }

    /** Why the fee is a per-request price, for an entry's source. */
    static String why(String key, String provider) {
        return "every request of this model searches; fee at the default '" + everyRequestSize(key, provider)
                + "' search context";
    }
}
