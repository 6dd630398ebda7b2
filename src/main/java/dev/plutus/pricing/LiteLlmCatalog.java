package dev.plutus.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LiteLLM's price map ({@code model_prices_and_context_window.json}, MIT-licensed data by BerriAI)
 * turned into price entries, one per key, keys kept as LiteLLM spells them so every entry can be
 * traced back. Prices arrive in USD per token and are converted exactly to USD per million.
 * Only models that are called for text or images are kept (chat, completion, responses, image
 * generation); a key with no price at all is left out rather than read as free.
 *
 * <p>Claude entries that give no 1-hour cache price get Anthropic's documented 2 × input (the
 * base and each long-context tier), said so in their {@code source}; every other class is as LiteLLM has it.
 */
public final class LiteLlmCatalog {
    /** Where {@code /setup pricing auto} reads the map unless configured otherwise. */
    public static final URI DEFAULT_URL =
            URI.create("https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json");
    private static final List<String> MODES = List.of("chat", "completion", "responses", "image_generation");
    private static final Pattern TIER_FIELD = Pattern.compile("^(.+)_above_(\\d+)k_tokens$");
    private static final String OUTPUT_IMAGE_TOKEN = "output_cost_per_image_token";
    private static final String SEARCH_FEE = "search_context_cost_per_query";

    /** The entries, and the keys left out with the reason. */
    public record Conversion(List<PriceEntry> entries, List<String> leftOut) {}

    private LiteLlmCatalog() {}

    public static String fetch(URI url) throws IOException, InterruptedException {
        return fetch(url, PriceDownload.DEFAULT);
    }

    /** {@code limits}: the whole fetch's deadline and the largest answer accepted. */
    public static String fetch(URI url, PriceDownload limits) throws IOException, InterruptedException {
        PriceDownload.Answer resp = limits.get(url, true);
        if (resp.status() != 200) {
            throw new IOException("LiteLLM price map: HTTP " + resp.status() + " for " + url);
        }
        return resp.body();
    }

    public static Conversion convert(String json, String asOf, PriceOrigin origin) throws IOException {
        // LiteLLM's map is read by Python's json, which takes a bare NaN: one such price costs its entry (left out as no
        // number, below), not the whole map.
        JsonNode root = json == null || json.isBlank() ? null
                : Json.MAPPER.reader().with(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).readTree(json);
        if (root == null || root.isMissingNode()) {
            throw new IOException("the answer is empty (no price map)");
        }
        if (!root.isObject()) {
            throw new IOException("LiteLLM price map is not a JSON object");
        }
        List<PriceEntry> out = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        Map<String, Map.Entry<String, BigDecimal>> familyFees = searchFeesByFamily(root);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            JsonNode m = f.getValue();
            if (!m.isObject() || key.equals("sample_spec") || !m.has("litellm_provider")) {
                continue;
            }
            String mode = m.path("mode").asText("chat");
            if (!MODES.contains(mode)) {
                continue;
            }
            String unreadable = unreadablePrice(m);
            if (unreadable != null) {
                leftOut.add(key + ": " + unreadable);
                continue;
            }
            PriceEntry e;
            try {
                e = entry(key, m, asOf, origin, familyFees);
            } catch (RuntimeException bad) {
                // One malformed entry (a tier threshold past any number) costs that entry, not the map.
                leftOut.add(key + ": unreadable (" + bad.getMessage() + ")");
                continue;
            }
            if (e == null) {
                leftOut.add(key + ": no price");
                continue;
            }
            String zero = pricesNothing(key, m, e);
            if (zero != null) {
                leftOut.add(key + ": " + zero);
                continue;
            }
            String problem = outOfRange(e);
            if (problem != null) {
                leftOut.add(key + ": a price " + problem);
                continue;
            }
            out.add(e);
        }
        return new Conversion(out, leftOut);
    }

    /**
     * Why an entry whose every price is 0 is left out (a call to it is then unpriced, not a $0
     * call), or null when it prices something or is genuinely free ({@link FreeModels}).
     */
    private static String pricesNothing(String key, JsonNode m, PriceEntry e) {
        if (!FreeModels.pricesNothing(e) || FreeModels.isFree(key, e.provider()) || FreeModels.isFreeOnItsMaker(key, e.provider())) {
            return null;
        }
        for (String unit : List.of("pixel", "second", "character", "query")) {
            for (String field : List.of("input_cost_per_" + unit, "output_cost_per_" + unit)) {
                BigDecimal d = usd(m.get(field));
                if (d != null && d.signum() > 0) {
                    return "billed per " + unit + " (" + field + "), which no reported usage counts; every token price is 0,"
                            + " so calls are unpriced, not $0";
                }
            }
        }
        return "every price is 0 and nothing says the model is free; calls are unpriced, not $0 (add it to pricing.yaml"
                + " if it is free)";
    }

    /**
     * The search fee of each model family (its bare, undated name: {@code gpt-4o-search-preview})
     * that lists one, with the key it came from: a dated or host-prefixed id of a search model that
     * lists none ({@code gpt-4o-search-preview-2025-03-11}) is the same model and pays the same fee.
     * The maker's own undated key, where it lists a fee, is the one taken.
     */
    private static Map<String, Map.Entry<String, BigDecimal>> searchFeesByFamily(JsonNode root) {
        Map<String, Map.Entry<String, BigDecimal>> out = new java.util.HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode m = f.getValue();
            if (!m.isObject() || !m.has("litellm_provider") || unreadablePrice(m) != null) {
                continue;
            }
            BigDecimal fee = SearchFees.perRequest(f.getKey(), provider(m.path("litellm_provider").asText()), searchFees(m));
            if (fee == null) {
                continue;
            }
            String family = ModelNames.budgetKey(f.getKey());
            Map.Entry<String, BigDecimal> had = out.get(family);
            if (had == null || (!ModelNames.normalize(had.getKey()).equals(family)
                    && ModelNames.normalize(f.getKey()).equals(family))) {
                out.put(family, Map.entry(f.getKey(), fee));
            }
        }
        return out;
    }

    private static PriceEntry entry(String key, JsonNode m, String asOf, PriceOrigin origin,
            Map<String, Map.Entry<String, BigDecimal>> familyFees) {
        BigDecimal in = perMillion(m.get("input_cost_per_token"));
        BigDecimal outP = perMillion(m.get("output_cost_per_token"));
        JsonNode ranges = m.path("tiered_pricing");
        List<PriceTier> rangeTiers = new ArrayList<>();
        if (in == null && outP == null && ranges.isArray() && !ranges.isEmpty()) {
            // Prices by prompt size only (Alibaba's qwen3-coder-plus): the range from 0 is the base
            // price, each later range a tier above its start (Alibaba: "32K < tokens <= 128K").
            for (JsonNode r : ranges) {
                long start = r.path("range").path(0).decimalValue().longValue();
                if (start == 0) {
                    in = perMillion(r.get("input_cost_per_token"));
                    outP = perMillion(r.get("output_cost_per_token"));
                    m = ((com.fasterxml.jackson.databind.node.ObjectNode) m.deepCopy())
                            .set("cache_read_input_token_cost", r.path("cache_read_input_token_cost"));
                } else {
                    rangeTiers.add(new PriceTier(start, perMillion(r.get("input_cost_per_token")),
                            perMillion(r.get("output_cost_per_token")), perMillion(r.get("cache_read_input_token_cost")), null, null));
                }
            }
        }
        BigDecimal perRequest = usd(m.get("input_cost_per_request"));
        BigDecimal perImage = usd(m.get("output_cost_per_image"));
        if (in == null && outP == null && perRequest == null && perImage == null
                && perMillion(m.get(OUTPUT_IMAGE_TOKEN)) == null) {
            return null;
        }
        BigDecimal input = in == null ? BigDecimal.ZERO : in;
        BigDecimal output = outP == null ? BigDecimal.ZERO : outP;
        boolean claude = PriceInvariants.isClaudeKey(key);
        String source = "litellm model_prices_and_context_window.json key " + key;
        BigDecimal imageTokens = perMillion(m.get(OUTPUT_IMAGE_TOKEN));
        BigDecimal textOutput = null;
        if (output.signum() == 0 && imageTokens != null && imageTokens.signum() > 0) {
            // Hermes counts an image model's image tokens in output_tokens: with no text output
            // price, the per-image-token price is what those output tokens are billed at.
            output = imageTokens;
            source += "; output = output_cost_per_image_token (image tokens are reported as output tokens)";
        } else if (imageTokens != null && imageTokens.compareTo(output) > 0) {
            // Both prices: Hermes's output_tokens holds image and text tokens alike and no usage field
            // tells them apart, so every output token is billed at the dearer image price (never an
            // image token below its price) and the class is marked an estimate.
            textOutput = output;
            output = imageTokens;
            source += "; output = output_cost_per_image_token " + imageTokens.toPlainString() + " (ESTIMATE: dearer than the"
                    + " text output price " + textOutput.toPlainString() + "; image and text output tokens are not reported"
                    + " apart)";
        }
        String host = provider(m.path("litellm_provider").asText());
        BigDecimal searchFee = SearchFees.perRequest(key, host, searchFees(m));
        if (searchFee != null) {
            perRequest = perRequest == null ? searchFee : perRequest.add(searchFee);
            source += "; per_request includes the search fee " + searchFee.toPlainString() + " USD ("
                    + SearchFees.why(key, host) + ")";
        } else if (SearchFees.everyRequestSize(key, host) != null && familyFees.containsKey(ModelNames.budgetKey(key))) {
            Map.Entry<String, BigDecimal> family = familyFees.get(ModelNames.budgetKey(key));
            perRequest = perRequest == null ? family.getValue() : perRequest.add(family.getValue());
            source += "; per_request includes the search fee " + family.getValue().toPlainString() + " USD of '"
                    + family.getKey() + "', the same search model (" + SearchFees.why(key, host) + ")";
        }
        // Classes LiteLLM leaves out keep the table's documented defaults (written as omitted).
        java.util.Set<String> defaulted = new java.util.HashSet<>();
        BigDecimal cacheRead = perMillion(m.get("cache_read_input_token_cost"));
        if (cacheRead == null) {
            // DeepSeek-style entries give the cache-hit price only under this name.
            cacheRead = perMillion(m.get(CACHE_HIT));
        }
        if (cacheRead == null) {
            defaulted.add("cache_read");
            cacheRead = input.multiply(new BigDecimal("0.10"));
        }
        BigDecimal cacheWrite = perMillion(m.get("cache_creation_input_token_cost"));
        if (cacheWrite == null) {
            defaulted.add("cache_write");
            cacheWrite = input.multiply(new BigDecimal("1.25"));
        }
        BigDecimal cacheWrite1h = perMillion(m.get("cache_creation_input_token_cost_above_1hr"));
        if (cacheWrite1h == null) {
            if (!claude) {
                defaulted.add("cache_write_1h");
            }
            cacheWrite1h = claude ? PriceInvariants.claudeOneHourWrite(input) : cacheWrite;
            if (claude && input.signum() > 0) {
                source += "; cache_write_1h = 2 x input (Anthropic's rule; LiteLLM lists none)";
            }
        }
        BigDecimal reasoning = perMillion(m.get("output_cost_per_reasoning_token"));
        if (textOutput != null && reasoning == null) {
            // Thinking is text: reasoning tokens keep the text output price.
            reasoning = textOutput;
        }
        if (reasoning != null && reasoning.compareTo(output) == 0) {
            reasoning = null;
        }
        List<PriceTier> tiers = new ArrayList<>(tiers(m, claude));
        tiers.addAll(rangeTiers);
        java.util.Set<String> estimated = java.util.Set.of();
        if (textOutput != null) {
            tiers = atLeastOutput(tiers, output);
            estimated = java.util.Set.of("output");
        }
        return new PriceEntry(key, host, input, output, cacheRead, cacheWrite,
                cacheWrite1h, reasoning, tiers, List.of(), false, source, asOf, origin, perRequest, perImage, null,
                List.of(), List.of(), defaulted, null, estimated);
    }

    /** {@code tiers} with every tier output price below {@code output} raised to it (an image model's dearer output). */
    static List<PriceTier> atLeastOutput(List<PriceTier> tiers, BigDecimal output) {
        return tiers.stream().map(t -> t.output() == null || t.output().compareTo(output) >= 0 ? t
                : new PriceTier(t.abovePromptTokens(), t.input(), output, t.cacheRead(), t.cacheWrite(), t.cacheWrite1h())).toList();
    }

    /** Long-context prices: {@code input_cost_per_token_above_200k_tokens} and its siblings, one tier per threshold. */
    private static List<PriceTier> tiers(JsonNode m, boolean claude) {
        java.util.TreeMap<Long, Map<String, BigDecimal>> byThreshold = new java.util.TreeMap<>();
        for (Iterator<String> it = m.fieldNames(); it.hasNext();) {
            String name = it.next();
            Matcher t = TIER_FIELD.matcher(name);
            if (!t.matches()) {
                continue;
            }
            String cls = switch (t.group(1)) {
                case "input_cost_per_token" -> "input";
                case "output_cost_per_token" -> "output";
                case "cache_read_input_token_cost" -> "cache_read";
                case "cache_creation_input_token_cost" -> "cache_write";
                case "cache_creation_input_token_cost_above_1hr" -> "cache_write_1h";
                default -> null;
            };
            BigDecimal v = perMillion(m.get(name));
            if (cls != null && v != null) {
                byThreshold.computeIfAbsent(Math.multiplyExact(Long.parseLong(t.group(2)), 1000L), k -> new java.util.HashMap<>()).put(cls, v);
            }
        }
        List<PriceTier> out = new ArrayList<>();
        for (Map.Entry<Long, Map<String, BigDecimal>> e : byThreshold.entrySet()) {
            Map<String, BigDecimal> p = e.getValue();
            BigDecimal w1h = p.get("cache_write_1h");
            if (w1h == null && claude && p.get("input") != null) {
                w1h = PriceInvariants.claudeOneHourWrite(p.get("input"));
            }
            out.add(new PriceTier(e.getKey(), p.get("input"), p.get("output"), p.get("cache_read"), p.get("cache_write"), w1h));
        }
        return out;
    }

    /** The price fields the conversion reads (besides the {@code _above_<n>k_tokens} tier fields). */
    private static final List<String> READ_FIELDS = List.of("input_cost_per_token", "output_cost_per_token",
            "input_cost_per_request", "output_cost_per_image", "cache_read_input_token_cost", "input_cost_per_token_cache_hit",
            "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr", "output_cost_per_reasoning_token",
            OUTPUT_IMAGE_TOKEN);
    private static final String CACHE_HIT = "input_cost_per_token_cache_hit";

    /**
     * Why a price field this conversion reads holds no usable number (text that is no number, a
     * negative, NaN, infinity, a number too long to be a price), or null. Such an entry is left out
     * and reported: read as absent, its class would be priced $0 or by a default.
     */
    static String unreadablePrice(JsonNode m) {
        for (Iterator<String> it = m.fieldNames(); it.hasNext();) {
            String name = it.next();
            Matcher tier = TIER_FIELD.matcher(name);
            if (!READ_FIELDS.contains(name) && !(tier.matches() && READ_FIELDS.contains(tier.group(1)))) {
                continue;
            }
            JsonNode v = m.get(name);
            if (v.isNull()) {
                continue;
            }
            String text = v.asText().trim();
            if (!(v.isNumber() || v.isTextual())) {
                return name + " is no number: " + shorten(v.toString());
            }
            if (text.length() > PriceLimits.MAX_TEXT) {
                return name + " is " + text.length() + " characters long; no price needs more than " + PriceLimits.MAX_TEXT;
            }
            BigDecimal d;
            try {
                d = new BigDecimal(text);
            } catch (NumberFormatException e) {
                return name + " is no number: " + shorten(v.toString());
            }
            boolean each = name.equals("input_cost_per_request") || name.equals("output_cost_per_image");
            String problem = PriceLimits.priceProblem(each ? d : d.movePointRight(6));
            if (problem != null) {
                return name + " " + (each ? problem.replace(" per million tokens", "") : problem);
            }
        }
        return null;
    }

    /** LiteLLM's search fee per query by search context size ({@code low}, {@code medium}, {@code high}), USD. */
    private static Map<String, BigDecimal> searchFees(JsonNode m) {
        Map<String, BigDecimal> out = new java.util.HashMap<>();
        JsonNode fees = m.path(SEARCH_FEE);
        for (String size : List.of("low", "medium", "high")) {
            BigDecimal d = usd(fees.get("search_context_size_" + size));
            if (d != null && PriceLimits.priceProblem(d) == null) {
                out.put(size, d);
            }
        }
        return out;
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /** LiteLLM's provider, without its model-family suffix ({@code vertex_ai-anthropic_models} is {@code vertex_ai}). */
    static String provider(String litellmProvider) {
        String p = litellmProvider.toLowerCase(Locale.ROOT);
        return p.replaceFirst("^(vertex_ai|fireworks_ai)-.*$", "$1");
    }

    private static BigDecimal perMillion(JsonNode v) {
        BigDecimal d = usd(v);
        return d == null ? null : d.movePointRight(6).stripTrailingZeros();
    }

    private static BigDecimal usd(JsonNode v) {
        if (v == null || v.isNull() || !(v.isNumber() || v.isTextual())) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(v.asText().trim());
            return d.signum() < 0 ? null : d.stripTrailingZeros();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String outOfRange(PriceEntry e) {
        List<BigDecimal> prices = new ArrayList<>(java.util.Arrays.asList(e.input(), e.output(), e.cacheRead(),
                e.cacheWrite(), e.cacheWrite1h(), e.reasoning(), e.perRequest(), e.perImage()));
        for (PriceTier t : e.tiers()) {
            prices.addAll(java.util.Arrays.asList(t.input(), t.output(), t.cacheRead(), t.cacheWrite(), t.cacheWrite1h()));
        }
        for (BigDecimal p : prices) {
            String problem = p == null ? null : PriceLimits.priceProblem(p);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }
}
