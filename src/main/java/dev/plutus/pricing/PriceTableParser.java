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
            "cache_write", "cache_write_1h", "reasoning", "tiers", "aliases", "source", "as_of", "variable_price",
            "per_request", "per_image", "effective_from", "changes", "windows", "note", "estimated");
    private static final List<String> CHANGE_FIELDS = List.of("from", "input", "output", "cache_read", "cache_write",
            "cache_write_1h", "reasoning", "tiers", "source", "as_of", "per_request", "per_image", "windows", "note", "estimated");
    private static final List<String> WINDOW_FIELDS = List.of("from", "until", "zone", "input", "output", "cache_read",
            "cache_write", "cache_write_1h", "reasoning", "per_request", "per_image");
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
        // Upstream catalogues may name one model twice (ids differing only by '.' and '-'): each is
        // kept under its own spelling and the clash reported, instead of refusing the whole table.
        PriceTable table = origin == PriceOrigin.USER || origin == PriceOrigin.BUILTIN ? PriceTable.of(entries, fileName)
                : PriceTable.lenient(entries, fileName);
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
        return entry(key, n, readMult, writeMult, origin, null, ENTRY_FIELDS);
    }

    /**
     * One entry, or (with {@code previous}) one dated change of it: a change takes every class it
     * omits from the period before it, never from defaults.
     */
    private static PriceEntry entry(String key, YamlNode n, BigDecimal readMult, BigDecimal writeMult, PriceOrigin origin,
            PriceEntry previous, List<String> fields) {
        for (Map.Entry<String, YamlNode> f : n.entries().entrySet()) {
            // Underscored keys are bookkeeping written by tools (hermes-telemetry's _auto, _source, ...).
            if (!f.getKey().startsWith("_") && !fields.contains(f.getKey())) {
                throw f.getValue().keyError("unknown field (expected one of " + String.join(", ", fields) + ")");
            }
        }
        boolean variable = n.get("variable_price").bool().orElse(previous != null && previous.variablePrice())
                || n.get("_estimated_price").bool().orElse(false);
        Optional<BigDecimal> in = price(n.get("input"), variable);
        Optional<BigDecimal> out = price(n.get("output"), variable);
        Optional<BigDecimal> perRequest = usd(n.get("per_request"));
        Optional<BigDecimal> perImage = usd(n.get("per_image"));
        boolean billedApart = perRequest.isPresent() || perImage.isPresent();
        if (previous == null && !variable && !billedApart && in.isEmpty()) {
            throw n.error("needs an 'input' price (USD per million tokens)");
        }
        if (previous == null && !variable && !billedApart && out.isEmpty()) {
            throw n.error("needs an 'output' price (USD per million tokens)");
        }
        BigDecimal input = in.orElse(previous != null ? previous.input() : BigDecimal.ZERO);
        BigDecimal output = out.orElse(previous != null ? previous.output() : BigDecimal.ZERO);
        java.util.Set<String> defaulted = new java.util.HashSet<>();
        BigDecimal cacheRead = price(n.get("cache_read"), variable).orElseGet(() -> {
            defaulted.add("cache_read");
            return previous != null ? previous.cacheRead() : input.multiply(readMult);
        });
        BigDecimal cacheWrite = price(n.get("cache_write"), variable).orElseGet(() -> {
            defaulted.add("cache_write");
            return previous != null ? previous.cacheWrite() : input.multiply(writeMult);
        });
        BigDecimal cacheWrite1h = price(n.get("cache_write_1h"), variable).orElseGet(() -> {
            defaulted.add("cache_write_1h");
            return previous != null ? previous.cacheWrite1h() : cacheWrite;
        });
        BigDecimal reasoning = price(n.get("reasoning"), variable).orElseGet(() -> {
            defaulted.add("reasoning");
            return previous != null ? previous.reasoning() : null;
        });
        if (perRequest.isEmpty()) {
            defaulted.add("per_request");
        }
        if (perImage.isEmpty()) {
            defaulted.add("per_image");
        }
        List<PriceTier> tiers = new ArrayList<>();
        if (n.get("tiers").isMissing() && previous != null) {
            tiers.addAll(previous.tiers());
        }
        // No 'tiers:' at all lets a lower layer's long-context tiers hold; 'tiers: []' says there are none.
        if (n.get("tiers").isMissing() && (previous == null || previous.defaulted().contains("tiers"))) {
            defaulted.add("tiers");
        }
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
        String source = n.get("source").text().or(() -> n.get("_source").text())
                .orElse(previous != null ? previous.source() : null);
        String asOf = n.get("as_of").text().or(() -> n.get("_fetched_at").text()).orElse(previous != null ? previous.asOf() : null);
        String note = n.get("note").text().orElse(null);
        java.util.Set<String> estimated = estimated(n.get("estimated"), previous);
        boolean change = fields == CHANGE_FIELDS;
        java.time.Instant from = change ? instant(n.get("from"))
                : fields == WINDOW_FIELDS ? previous.effectiveFrom() : instant(n.get("effective_from"));
        if (change && from == null) {
            throw n.error("a price change needs 'from' (the date or time it took effect, e.g. 2026-09-01 or 2026-09-01T00:00:00+08:00)");
        }
        if (change && previous.effectiveFrom() != null && !from.isAfter(previous.effectiveFrom())) {
            throw n.get("from").error("must be later than the change before it (" + previous.effectiveFrom() + ")");
        }
        String provider = n.get("provider").textOr(previous != null ? previous.provider() : null);
        PriceEntry period = new PriceEntry(key, provider, input, output, cacheRead, cacheWrite, cacheWrite1h,
                reasoning, tiers, aliases, variable, source, asOf, origin, perRequest.orElse(previous != null ? previous.perRequest() : null),
                perImage.orElse(previous != null ? previous.perImage() : null), from, List.of(), List.of(), defaulted, note, estimated);
        List<PriceWindow> windows = new ArrayList<>();
        for (YamlNode w : n.get("windows").items()) {
            windows.add(window(key, w, period, readMult, writeMult, origin));
        }
        List<PriceEntry> changes = new ArrayList<>();
        PriceEntry before = period;
        for (YamlNode c : n.get("changes").items()) {
            if (previous != null) {
                throw c.error("changes are listed on the model, not inside another change");
            }
            PriceEntry next = entry(key, c, readMult, writeMult, origin, before, CHANGE_FIELDS);
            changes.add(next);
            before = next;
        }
        return new PriceEntry(key, provider, input, output, cacheRead, cacheWrite, cacheWrite1h, reasoning, tiers, aliases,
                variable, source, asOf, origin, period.perRequest(), period.perImage(), from, changes, windows, defaulted, note,
                estimated);
    }

    /** Classes an entry may call estimates. */
    private static final List<String> ESTIMABLE = List.of("input", "output", "cache_read", "cache_write", "cache_write_1h",
            "reasoning");

    /** {@code estimated: [input, cache_read]}: classes whose price is an estimate; a change or window keeps the one before's. */
    private static java.util.Set<String> estimated(YamlNode n, PriceEntry previous) {
        if (n.isMissing()) {
            return previous != null ? previous.estimated() : java.util.Set.of();
        }
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (YamlNode c : n.items()) {
            String cls = c.text().orElse("");
            if (!ESTIMABLE.contains(cls)) {
                throw c.error("is no token class (expected one of " + String.join(", ", ESTIMABLE) + ")");
            }
            out.add(cls);
        }
        return out;
    }

    private static PriceWindow window(String key, YamlNode w, PriceEntry period, BigDecimal readMult, BigDecimal writeMult,
            PriceOrigin origin) {
        java.time.LocalTime from = localTime(w.get("from"));
        java.time.LocalTime until = localTime(w.get("until"));
        java.time.ZoneId zone;
        try {
            zone = java.time.ZoneId.of(w.get("zone").text().orElseThrow(() -> w.error("a window needs 'zone' (the provider's time zone, e.g. Asia/Shanghai)")));
        } catch (java.time.DateTimeException e) {
            throw w.get("zone").error("is no time zone: " + e.getMessage());
        }
        if (from.equals(until)) {
            throw w.error("'from' and 'until' are the same time; a window must cover part of the day");
        }
        PriceEntry prices = entry(key, w, readMult, writeMult, origin, period, WINDOW_FIELDS);
        return new PriceWindow(from, until, zone, prices);
    }

    private static java.time.LocalTime localTime(YamlNode n) {
        String t = n.text().orElseThrow(() -> n.error("needs a time of day, e.g. \"00:30\""));
        try {
            return java.time.LocalTime.parse(t.length() == 4 ? "0" + t : t);
        } catch (java.time.DateTimeException e) {
            throw n.error("is no time of day (HH:MM): " + t);
        }
    }

    /** A date (midnight UTC) or a date-time with an offset. */
    private static java.time.Instant instant(YamlNode n) {
        Optional<String> t = n.text();
        if (t.isEmpty()) {
            return null;
        }
        String s = t.get().trim();
        try {
            if (s.length() == 10) {
                return java.time.LocalDate.parse(s).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            }
            return java.time.OffsetDateTime.parse(s.replace(' ', 'T')).toInstant();
        } catch (java.time.DateTimeException e) {
            throw n.error("is no date (2026-09-01) or date-time with offset (2026-09-01T00:00:00+08:00): " + s);
        }
    }

    /** A USD amount (per request, per image) within the same range as a price. */
    private static Optional<BigDecimal> usd(YamlNode n) {
        Optional<BigDecimal> d = number(n);
        String problem = d.map(PriceLimits::priceProblem).orElse(null);
        if (problem != null) {
            throw n.error("price " + problem.replace("USD per million tokens", "USD"));
        }
        return d;
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
