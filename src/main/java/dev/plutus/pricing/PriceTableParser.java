package dev.plutus.pricing;

import dev.plutus.config.ConfigException;
import dev.plutus.config.YamlDoc;
import dev.plutus.config.YamlNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads price tables: the built-in one, the user's pricing.yaml (hermes-telemetry's format is
 * accepted as is: {@code models:} with {@code input/output/cache_read/cache_write/reasoning}, and
 * {@code defaults:} multipliers) and the fetched one. Prices are USD per million tokens; every
 * number must lie in {@link PriceLimits}' range, else the file is refused naming file, line and field.
 * {@code provisional_fallback:} (same fields as an entry) is the price of a call to an unknown model
 * of a provider with no known price (see {@link PricingEngine#provisional}).
 */
public final class PriceTableParser {
    private static final List<String> ENTRY_FIELDS = List.of("provider", "input", "output", "cache_read",
            "cache_write", "cache_write_1h", "reasoning", "tiers", "aliases", "source", "as_of", "variable_price");
    private static final List<String> TIER_FIELDS = List.of("above_prompt_tokens", "input", "output",
            "cache_read", "cache_write", "cache_write_1h");
    private static final BigDecimal DEFAULT_CACHE_READ_MULTIPLIER = new BigDecimal("0.10");
    private static final BigDecimal DEFAULT_CACHE_WRITE_MULTIPLIER = new BigDecimal("1.25");

    private PriceTableParser() {}

    public static PriceTable parse(String yaml, String fileName, PriceOrigin origin) {
        YamlNode root = YamlDoc.parse(yaml, fileName);
        if (!root.isNull() && !root.isMapping()) {
            throw root.error("expected a mapping with a 'models' key");
        }
        for (Map.Entry<String, YamlNode> top : root.entries().entrySet()) {
            if (!top.getKey().startsWith("_") && !List.of("models", "defaults", "schema", "provisional_fallback")
                    .contains(top.getKey())) {
                throw top.getValue().keyError("unknown top-level key '" + top.getKey()
                        + "' (expected models, defaults, provisional_fallback or schema; price entries go under 'models:')");
            }
        }
        YamlNode defaults = root.get("defaults");
        defaults.requireOnlyKeys(List.of("cache_read_multiplier", "cache_write_multiplier"));
        BigDecimal readMult = multiplier(defaults.get("cache_read_multiplier")).orElse(DEFAULT_CACHE_READ_MULTIPLIER);
        BigDecimal writeMult = multiplier(defaults.get("cache_write_multiplier")).orElse(DEFAULT_CACHE_WRITE_MULTIPLIER);
        List<PriceEntry> entries = new ArrayList<>();
        for (Map.Entry<String, YamlNode> e : root.get("models").entries().entrySet()) {
            entries.add(entry(e.getKey(), e.getValue(), readMult, writeMult, origin));
        }
        PriceTable table = PriceTable.of(entries, fileName);
        YamlNode fallback = root.get("provisional_fallback");
        if (fallback.isNull()) {
            return table;
        }
        PriceEntry f = entry(PricingEngine.FALLBACK_KEY, fallback, readMult, writeMult, origin);
        if (f.variablePrice() || !f.tiers().isEmpty() || !f.aliases().isEmpty()) {
            throw fallback.error("takes prices only (input, output, cache_read, cache_write, cache_write_1h, reasoning)");
        }
        return table.withProvisionalFallback(f);
    }

    private static PriceEntry entry(String key, YamlNode n, BigDecimal readMult, BigDecimal writeMult, PriceOrigin origin) {
        for (Map.Entry<String, YamlNode> f : n.entries().entrySet()) {
            // Underscored keys are bookkeeping written by tools (hermes-telemetry's _auto, _source, ...).
            if (!f.getKey().startsWith("_") && !ENTRY_FIELDS.contains(f.getKey())) {
                throw f.getValue().keyError("unknown field (expected one of " + String.join(", ", ENTRY_FIELDS) + ")");
            }
        }
        boolean variable = n.get("variable_price").bool().orElse(false) || n.get("_estimated_price").bool().orElse(false);
        Optional<BigDecimal> in = price(n.get("input"), variable);
        Optional<BigDecimal> out = price(n.get("output"), variable);
        if (!variable && in.isEmpty()) {
            throw n.error("needs an 'input' price (USD per million tokens)");
        }
        if (!variable && out.isEmpty()) {
            throw n.error("needs an 'output' price (USD per million tokens)");
        }
        BigDecimal input = in.orElse(BigDecimal.ZERO);
        BigDecimal output = out.orElse(BigDecimal.ZERO);
        BigDecimal cacheRead = price(n.get("cache_read"), variable).orElse(input.multiply(readMult));
        BigDecimal cacheWrite = price(n.get("cache_write"), variable).orElse(input.multiply(writeMult));
        BigDecimal cacheWrite1h = price(n.get("cache_write_1h"), variable).orElse(cacheWrite);
        BigDecimal reasoning = price(n.get("reasoning"), variable).orElse(null);
        List<PriceTier> tiers = new ArrayList<>();
        for (YamlNode t : n.get("tiers").items()) {
            t.requireOnlyKeys(TIER_FIELDS);
            YamlNode aboveNode = t.get("above_prompt_tokens");
            long above = number(aboveNode).map(d -> {
                if (d.signum() < 0 || d.compareTo(BigDecimal.valueOf(PriceLimits.MAX_TIER_TOKENS)) > 0) {
                    throw aboveNode.error("must be a whole number from 0 to " + PriceLimits.MAX_TIER_TOKENS + ", got " + d);
                }
                return aboveNode.wholeNumber().orElseThrow();
            }).orElseThrow(() -> t.error("needs 'above_prompt_tokens'"));
            tiers.add(new PriceTier(above, price(t.get("input"), false).orElse(null), price(t.get("output"), false).orElse(null),
                    price(t.get("cache_read"), false).orElse(null), price(t.get("cache_write"), false).orElse(null),
                    price(t.get("cache_write_1h"), false).orElse(null)));
        }
        List<String> aliases = new ArrayList<>();
        for (YamlNode a : n.get("aliases").items()) {
            aliases.add(a.text().orElseThrow(() -> a.error("alias must not be empty")));
        }
        String source = n.get("source").text().or(() -> n.get("_source").text()).orElse(null);
        String asOf = n.get("as_of").text().or(() -> n.get("_fetched_at").text()).orElse(null);
        return new PriceEntry(key, n.get("provider").textOr(null), input, output, cacheRead, cacheWrite, cacheWrite1h,
                reasoning, tiers, aliases, variable, source, asOf, origin);
    }

    /**
     * A price within {@link PriceLimits}; on variable-price entries -1, OpenRouter's "priced per
     * request", is read as 0 (such entries never price a call).
     */
    private static Optional<BigDecimal> price(YamlNode n, boolean variable) {
        Optional<BigDecimal> d = number(n);
        if (d.isEmpty()) {
            return d;
        }
        if (variable && d.get().compareTo(BigDecimal.ONE.negate()) == 0) {
            return Optional.of(BigDecimal.ZERO);
        }
        String problem = PriceLimits.priceProblem(d.get());
        if (problem != null) {
            throw n.error("price " + problem);
        }
        return d;
    }

    private static Optional<BigDecimal> multiplier(YamlNode n) {
        Optional<BigDecimal> d = number(n);
        String problem = d.map(PriceLimits::multiplierProblem).orElse(null);
        if (problem != null) {
            throw n.error(problem);
        }
        return d;
    }

    /** A number, refused unread when its text is longer than any valid one (a 1,200-digit literal, say). */
    private static Optional<BigDecimal> number(YamlNode n) {
        Optional<String> t = n.text();
        if (t.isPresent() && t.get().trim().length() > PriceLimits.MAX_TEXT) {
            throw n.error("is " + t.get().trim().length() + " characters long; a number here has at most "
                    + PriceLimits.MAX_TEXT);
        }
        return n.decimal();
    }

    /** Parses or fails with a message naming the file; used where a bad file must not stop the caller. */
    public static Optional<ConfigException> check(String yaml, String fileName) {
        try {
            parse(yaml, fileName, PriceOrigin.USER);
            return Optional.empty();
        } catch (ConfigException e) {
            return Optional.of(e);
        }
    }
}
