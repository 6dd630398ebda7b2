package dev.plutus.pricing;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenRouter's public model list ({@code GET <base>/models}), turned into price entries keyed
 * {@code openrouter/<id>} so they only ever price calls made through OpenRouter. Prices arrive as
 * USD per token in strings and are converted exactly; {@code -1} marks a variable-price router.
 */
public final class OpenRouterCatalog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OpenRouterCatalog.class);
    private final URI baseUrl;
    private final PriceDownload limits;

    public OpenRouterCatalog(URI baseUrl) {
        this(baseUrl, PriceDownload.DEFAULT);
    }

    /** {@code limits}: the whole fetch's deadline and the largest answer accepted. */
    public OpenRouterCatalog(URI baseUrl, PriceDownload limits) {
        this.baseUrl = baseUrl;
        this.limits = limits;
    }

    public List<PriceEntry> fetch(String asOf) throws IOException, InterruptedException {
        return parse(download(), asOf);
    }

    /** The body of {@code GET <base>/models}; anything but HTTP 200 is an error. */
    public String download() throws IOException, InterruptedException {
        String base = baseUrl.toString().replaceAll("/+$", "");
        URI uri = URI.create(base + "/models");
        PriceDownload.Answer resp = limits.get(uri, false);
        if (resp.status() != 200) {
            throw new IOException("OpenRouter answered HTTP " + resp.status() + " for " + uri);
        }
        return resp.body();
    }

    public static List<PriceEntry> parse(String json, String asOf) throws IOException {
        return parse(json, asOf, new ArrayList<>());
    }

    /** The entries; each model left out is added to {@code leftOut} as "id: reason", none silently. */
    public static List<PriceEntry> parse(String json, String asOf, List<String> leftOut) throws IOException {
        JsonNode root = json == null || json.isBlank() ? null : Json.MAPPER.readTree(json);
        if (root == null || root.isMissingNode()) {
            throw new IOException("the answer is empty (no model list)");
        }
        JsonNode data = root.path("data");
        if (!data.isArray()) {
            throw new IOException("OpenRouter model list has no 'data' array");
        }
        List<PriceEntry> out = new ArrayList<>();
        for (JsonNode m : data) {
            String id = m.path("id").asText("");
            JsonNode p = m.path("pricing");
            if (id.isEmpty() || !p.has("prompt") || !p.has("completion")) {
                leftOut.add((id.isEmpty() ? "(a model with no id)" : PriceLayerFile.printable(id)) + ": no prompt and completion price");
                continue;
            }
            BigDecimal in = perMillion(p.path("prompt"));
            BigDecimal outP = perMillion(p.path("completion"));
            if (in == null || outP == null) {
                leftOut.add(PriceLayerFile.printable(id) + ": a prompt or completion price that is no number");
                continue;
            }
            // OpenRouter marks a variable-price router with -1 (USD per token); any other negative is a broken price.
            if (in.signum() < 0 && in.compareTo(VARIABLE) != 0 || outP.signum() < 0 && outP.compareTo(VARIABLE) != 0) {
                leftOut.add(PriceLayerFile.printable(id) + ": a negative price that is not OpenRouter's -1 for a variable price");
                continue;
            }
            boolean variable = in.signum() < 0 || outP.signum() < 0;
            BigDecimal input = variable ? BigDecimal.ZERO : in;
            BigDecimal output = variable ? BigDecimal.ZERO : outP;
            String source = "openrouter /api/v1/models id " + id;
            BigDecimal imageTokens = perMillion(p.path("image_output"));
            BigDecimal textOutput = null;
            if (!variable && output.signum() == 0 && imageTokens != null && imageTokens.signum() > 0) {
                // As LiteLLM's output_cost_per_image_token: Hermes reports image tokens as output tokens.
                output = imageTokens;
                source += "; output = image_output (image tokens are reported as output tokens)";
            } else if (!variable && imageTokens != null && imageTokens.compareTo(output) > 0) {
                // Both prices: output_tokens holds image and text tokens alike, reported as one count, so
                // all are billed at the dearer image price (an estimate, flagged), never an image token below it.
                textOutput = output;
                output = imageTokens;
                source += "; output = image_output " + imageTokens.toPlainString() + " (ESTIMATE: dearer than the text"
                        + " output price " + textOutput.toPlainString() + "; image and text output tokens are not reported apart)";
            }
            boolean claude = PriceInvariants.isClaudeKey(id);
            BigDecimal cacheRead = orElse(perMillion(p.path("input_cache_read")), input);
            BigDecimal cacheWrite = orElse(perMillion(p.path("input_cache_write")), input);
            BigDecimal listed1h = perMillion(p.path("input_cache_write_1h"));
            BigDecimal cacheWrite1h = orElse(listed1h, claude ? PriceInvariants.claudeOneHourWrite(input) : cacheWrite);
            if (claude && !variable && (listed1h == null || listed1h.signum() < 0) && input.signum() > 0) {
                source += "; cache_write_1h = 2 x input (Anthropic's rule; OpenRouter lists none)";
            }
            BigDecimal reasoning = perMillion(p.path("internal_reasoning"));
            if (textOutput != null && (reasoning == null || reasoning.signum() <= 0)) {
                // Thinking is text: reasoning tokens keep the text output price.
                reasoning = textOutput;
            }
            if (reasoning != null && (reasoning.signum() <= 0 || reasoning.compareTo(output) == 0)) {
                reasoning = null;
            }
            List<PriceTier> tiers = new ArrayList<>();
            for (JsonNode o : p.path("overrides")) {
                long min = o.path("min_prompt_tokens").asLong(-1);
                if (min < 0) {
                    continue;
                }
                BigDecimal tierInput = perMillion(o.path("prompt"));
                BigDecimal tier1h = perMillion(o.path("input_cache_write_1h"));
                if (tier1h == null && claude && tierInput != null) {
                    tier1h = PriceInvariants.claudeOneHourWrite(tierInput);
                }
                // min_prompt_tokens is the smallest prompt the override applies to: it starts AT that size.
                tiers.add(new PriceTier(Math.max(0, min - 1), tierInput, perMillion(o.path("completion")),
                        perMillion(o.path("input_cache_read")), perMillion(o.path("input_cache_write")), tier1h));
            }
            String problem = outOfRange(variable, input, output, cacheRead, cacheWrite, cacheWrite1h, reasoning, tiers);
            // Written out, an out-of-range price would make the whole fetched table unreadable (see PriceLimits).
            BigDecimal perRequest = variable ? null : positiveUsd(p.path("request"));
            BigDecimal webSearch = positiveUsd(p.path("web_search"));
            BigDecimal searchFee = variable || webSearch == null ? null
                    : SearchFees.perRequest(id, null, java.util.Map.of("low", webSearch, "medium", webSearch, "high", webSearch));
            if (searchFee != null) {
                perRequest = perRequest == null ? searchFee : perRequest.add(searchFee);
                source += "; per_request includes web_search " + searchFee.toPlainString() + " USD (every request of this model searches)";
            }
            // OpenRouter's "image" is a price per image token, not per image: only "request" is billed apart.
            if (problem == null && perRequest != null) {
                problem = PriceLimits.priceProblem(perRequest);
            }
            if (problem != null) {
                LOG.warn("OpenRouter model {} left out: a price {}", PriceLayerFile.printable(id), problem);
                leftOut.add(PriceLayerFile.printable(id) + ": a price " + problem);
                continue;
            }
            // OpenRouter's own routers are listed as openrouter/...: never prefix them twice.
            String key = id.toLowerCase(java.util.Locale.ROOT).startsWith("openrouter/") ? id : "openrouter/" + id;
            if (textOutput != null) {
                tiers = LiteLlmCatalog.atLeastOutput(tiers, output);
            }
            out.add(new PriceEntry(key, "openrouter", input, output, cacheRead, cacheWrite, cacheWrite1h,
                    variable ? null : reasoning, variable ? List.of() : tiers, List.of(), variable,
                    source, asOf, PriceOrigin.FETCHED, perRequest, null, null,
                    List.of(), List.of(), java.util.Set.of(), null, textOutput != null ? java.util.Set.of("output") : java.util.Set.of()));
        }
        return out;
    }

    private static String outOfRange(boolean variable, BigDecimal input, BigDecimal output, BigDecimal cacheRead,
            BigDecimal cacheWrite, BigDecimal cacheWrite1h, BigDecimal reasoning, List<PriceTier> tiers) {
        List<BigDecimal> prices = new ArrayList<>(java.util.Arrays.asList(input, output, cacheRead, cacheWrite, cacheWrite1h, reasoning));
        if (!variable) {
            for (PriceTier t : tiers) {
                prices.addAll(java.util.Arrays.asList(t.input(), t.output(), t.cacheRead(), t.cacheWrite(), t.cacheWrite1h()));
            }
        }
        for (BigDecimal p : prices) {
            String problem = p == null ? null : PriceLimits.priceProblem(p);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** OpenRouter's -1 per token (a variable-price router), per million tokens. */
    private static final BigDecimal VARIABLE = BigDecimal.valueOf(-1_000_000);

    private static BigDecimal perMillion(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return null;
        }
        try {
            return new BigDecimal(v.asText().trim()).movePointRight(6).stripTrailingZeros();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A per-request or per-image price in USD; zero and -1 ("none") read as none. */
    private static BigDecimal positiveUsd(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(v.asText().trim()).stripTrailingZeros();
            return d.signum() > 0 ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static BigDecimal orElse(BigDecimal v, BigDecimal fallback) {
        return v == null || v.signum() < 0 ? fallback : v;
    }
}
