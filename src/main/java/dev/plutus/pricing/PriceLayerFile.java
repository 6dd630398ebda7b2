package dev.plutus.pricing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.plutus.config.ConfigException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The machine-written price layers (the shipped LiteLLM and OpenRouter tables, and the copies
 * {@code /setup pricing auto} fetches) in JSON: the same fields as a YAML price table, one model a
 * line, read by a streaming parser in milliseconds where SnakeYAML took a second for LiteLLM's
 * 2,400 models on every command.
 *
 * <p>Entries are read one by one: an entry that cannot be used (an id that is blank, too long or
 * holds control characters, an id given twice, a price or tier out of {@link PriceLimits}' range, a
 * field that is no number) is skipped with the reason, and the rest of the layer still loads. Only
 * a file that is no such table at all is refused whole.
 */
public final class PriceLayerFile {
    /** Longer ids are refused: no model id is anywhere near this long. */
    public static final int MAX_ID_CHARS = 300;
    private static final JsonFactory JSON = new JsonFactory();
    private static final BigDecimal DEFAULT_CACHE_READ = new BigDecimal("0.10");
    private static final BigDecimal DEFAULT_CACHE_WRITE = new BigDecimal("1.25");
    private static final List<String> PRICE_FIELDS = List.of("input", "output", "cache_read", "cache_write",
            "cache_write_1h", "reasoning", "per_request", "per_image");
    private static final List<String> TEXT_FIELDS = List.of("provider", "source", "as_of", "note");
    /** Classes an {@code estimated} list may name, in the order they are written. */
    static final List<String> ESTIMABLE = List.of("input", "output", "cache_read", "cache_write", "cache_write_1h",
            "reasoning");
    private static final List<String> TIER_PRICES = List.of("input", "output", "cache_read", "cache_write", "cache_write_1h");

    /** A layer read: the entries in force, and one line per entry left out ("id: reason"). */
    public record Loaded(PriceTable table, List<String> skipped) {}

    private PriceLayerFile() {}

    /** True when {@code text} is this format (JSON) rather than a YAML table. */
    public static boolean isJson(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c) && c != '\uFEFF') {
                return c == '{';
            }
        }
        return false;
    }

    /** {@code about}: lines saying what the layer is and where it came from, kept in the file. */
    public static String write(List<PriceEntry> entries, List<String> about) {
        StringBuilder sb = new StringBuilder("{\"schema\": 1,\n \"_about\": [");
        for (int i = 0; i < about.size(); i++) {
            sb.append(i == 0 ? "\n  " : ",\n  ").append(quote(about.get(i)));
        }
        sb.append("],\n \"models\": {");
        for (int i = 0; i < entries.size(); i++) {
            sb.append(i == 0 ? "\n  " : ",\n  ").append(quote(entries.get(i).key())).append(": ").append(entry(entries.get(i)));
        }
        return sb.append("\n }\n}\n").toString();
    }

    private static String entry(PriceEntry e) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
            g.writeStartObject();
            if (e.provider() != null) {
                g.writeStringField("provider", e.provider());
            }
            if (e.variablePrice()) {
                g.writeBooleanField("variable_price", true);
            }
            number(g, "input", e.input());
            number(g, "output", e.output());
            // A class the source left out stays out, so the reader fills it as documented.
            if (!e.defaulted().contains("cache_read")) {
                number(g, "cache_read", e.cacheRead());
            }
            if (!e.defaulted().contains("cache_write")) {
                number(g, "cache_write", e.cacheWrite());
            }
            if (!e.defaulted().contains("cache_write_1h")) {
                number(g, "cache_write_1h", e.cacheWrite1h());
            }
            number(g, "reasoning", e.reasoning());
            number(g, "per_request", e.perRequest());
            number(g, "per_image", e.perImage());
            if (!e.tiers().isEmpty()) {
                g.writeArrayFieldStart("tiers");
                for (PriceTier t : e.tiers()) {
                    g.writeStartObject();
                    g.writeNumberField("above_prompt_tokens", t.abovePromptTokens());
                    number(g, "input", t.input());
                    number(g, "output", t.output());
                    number(g, "cache_read", t.cacheRead());
                    number(g, "cache_write", t.cacheWrite());
                    number(g, "cache_write_1h", t.cacheWrite1h());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (!e.estimated().isEmpty()) {
                g.writeArrayFieldStart("estimated");
                for (String cls : ESTIMABLE) {
                    if (e.estimated().contains(cls)) {
                        g.writeString(cls);
                    }
                }
                g.writeEndArray();
            }
            text(g, "source", e.source());
            text(g, "as_of", e.asOf());
            text(g, "note", e.note());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toString();
    }

    private static void number(JsonGenerator g, String name, BigDecimal v) throws IOException {
        if (v != null) {
            g.writeNumberField(name, v);
        }
    }

    private static void text(JsonGenerator g, String name, String v) throws IOException {
        if (v != null) {
            g.writeStringField(name, v);
        }
    }

    private static String quote(String s) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Reads a layer; entries that cannot be used are left out and listed in {@link Loaded#skipped()}.
     * A file that is not a JSON object with a {@code models} object is refused with an error naming it.
     */
    public static Loaded read(String json, String fileName, PriceOrigin origin) {
        List<PriceEntry> entries = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        boolean sawModels = false;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ConfigException(fileName + ": not a price table (expected a JSON object)");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String top = p.currentName();
                JsonToken v = p.nextToken();
                if (top.equals("models")) {
                    if (v != JsonToken.START_OBJECT || sawModels) {
                        throw new ConfigException(fileName + ": 'models' must be one JSON object of model id to prices");
                    }
                    sawModels = true;
                    readModels(p, origin, entries, skipped);
                } else if (top.equals("schema")) {
                    if (v != JsonToken.VALUE_NUMBER_INT || p.getLongValue() != 1) {
                        throw new ConfigException(fileName + ": schema " + p.getText() + " is not one this Plutus reads (1)");
                    }
                } else if (top.startsWith("_")) {
                    p.skipChildren();
                } else {
                    throw new ConfigException(fileName + ": unknown top-level key '" + top + "' (expected schema, models)");
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new ConfigException(fileName + ": text after the end of the table");
            }
        } catch (IOException e) {
            throw new ConfigException(fileName + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!sawModels) {
            throw new ConfigException(fileName + ": no 'models' object");
        }
        return new Loaded(PriceTable.lenient(entries, fileName), List.copyOf(skipped));
    }

    private static void readModels(JsonParser p, PriceOrigin origin, List<PriceEntry> entries, List<String> skipped)
            throws IOException {
        Set<String> seen = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String id = p.currentName();
            p.nextToken();
            Map<String, Object> fields = new HashMap<>();
            String problem = fields(p, fields);
            if (problem == null) {
                problem = idProblem(id);
            }
            if (problem == null && !seen.add(id.trim().toLowerCase(Locale.ROOT))) {
                problem = "the id is given twice; the first one is kept";
            }
            if (problem == null) {
                try {
                    entries.add(entry(id, fields, origin));
                    continue;
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage();
                }
            }
            skipped.add(printable(id) + ": " + problem);
        }
    }

    /** Why {@code id} cannot name a model, or null when it can. */
    public static String idProblem(String id) {
        if (id.isBlank()) {
            return "the id is blank";
        }
        if (id.length() > MAX_ID_CHARS) {
            return "the id is " + id.length() + " characters long (at most " + MAX_ID_CHARS + ")";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return "the id holds a control character (U+" + String.format("%04X", (int) c) + ")";
            }
        }
        if (!id.equals(id.trim())) {
            return "the id starts or ends with a space";
        }
        return null;
    }

    /** An id as it can be shown on one line of a report or log. */
    public static String printable(String id) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < id.length() && sb.length() < 80; i++) {
            char c = id.charAt(i);
            sb.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                    ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return "'" + sb + (id.length() > 80 ? "…" : "") + "'";
    }

    /**
     * Reads one entry's fields into {@code out}: numbers as exact decimals, texts, the flag and the
     * tiers (a list of maps). Returns why the entry cannot be read, or null; the parser is left at
     * the entry's end either way.
     */
    private static String fields(JsonParser p, Map<String, Object> out) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return "the entry is no JSON object";
        }
        String problem = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (problem != null) {
                p.skipChildren();
                continue;
            }
            if (out.containsKey(name)) {
                problem = "field '" + name + "' is given twice";
            } else if (PRICE_FIELDS.contains(name)) {
                problem = decimal(p, v, name, out);
            } else if (TEXT_FIELDS.contains(name)) {
                if (v == JsonToken.VALUE_STRING) {
                    out.put(name, p.getText());
                } else if (v != JsonToken.VALUE_NULL) {
                    problem = "field '" + name + "' is no text";
                }
            } else if (name.equals("variable_price")) {
                if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
                    out.put(name, v == JsonToken.VALUE_TRUE);
                } else {
                    problem = "variable_price is neither true nor false";
                }
            } else if (name.equals("tiers")) {
                problem = tiers(p, v, out);
            } else if (name.equals("estimated")) {
                problem = estimated(p, v, out);
            } else {
                problem = "unknown field '" + name + "'";
            }
            if (problem != null) {
                p.skipChildren();
            }
        }
        return problem;
    }

    /** The classes an entry marks as estimates: a list of class names. */
    private static String estimated(JsonParser p, JsonToken v, Map<String, Object> out) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            return "estimated is no list";
        }
        Set<String> classes = new java.util.LinkedHashSet<>();
        String problem = null;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String cls = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
            if (problem == null && (cls == null || !ESTIMABLE.contains(cls))) {
                problem = "estimated names no price class: " + shorten(p.getText()) + " (expected one of "
                        + String.join(", ", ESTIMABLE) + ")";
            }
            if (cls != null) {
                classes.add(cls);
            }
            p.skipChildren();
        }
        out.put("estimated", classes);
        return problem;
    }

    private static String tiers(JsonParser p, JsonToken v, Map<String, Object> out) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            return "tiers is no list";
        }
        List<Map<String, Object>> tiers = new ArrayList<>();
        out.put("tiers", tiers);
        String problem = null;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (problem != null || p.currentToken() != JsonToken.START_OBJECT) {
                problem = problem != null ? problem : "a tier is no JSON object";
                p.skipChildren();
                continue;
            }
            Map<String, Object> tier = new HashMap<>();
            tiers.add(tier);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (problem == null && (name.equals("above_prompt_tokens") || TIER_PRICES.contains(name))) {
                    problem = tier.containsKey(name) ? "tier field '" + name + "' is given twice" : decimal(p, t, "tier " + name, tier);
                } else if (problem == null) {
                    problem = "unknown tier field '" + name + "'";
                }
                p.skipChildren();
            }
        }
        return problem;
    }

    private static String decimal(JsonParser p, JsonToken v, String name, Map<String, Object> out) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            return name + " is no number: " + shorten(p.getText());
        }
        if (p.getTextLength() > PriceLimits.MAX_TEXT) {
            return name + " is " + p.getTextLength() + " characters long; a number here has at most " + PriceLimits.MAX_TEXT;
        }
        out.put(name.startsWith("tier ") ? name.substring(5) : name, p.getDecimalValue());
        return null;
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /** The entry the fields make, as the YAML table reader would make it; out-of-range prices throw. */
    private static PriceEntry entry(String key, Map<String, Object> f, PriceOrigin origin) {
        boolean variable = Boolean.TRUE.equals(f.get("variable_price"));
        BigDecimal in = price(f, "input", variable);
        BigDecimal out = price(f, "output", variable);
        BigDecimal perRequest = price(f, "per_request", false);
        BigDecimal perImage = price(f, "per_image", false);
        boolean billedApart = perRequest != null || perImage != null;
        if (!variable && !billedApart && (in == null || out == null)) {
            throw new IllegalArgumentException("needs an '" + (in == null ? "input" : "output") + "' price");
        }
        BigDecimal input = in == null ? BigDecimal.ZERO : in;
        BigDecimal output = out == null ? BigDecimal.ZERO : out;
        Set<String> defaulted = new HashSet<>();
        BigDecimal cacheRead = price(f, "cache_read", variable);
        if (cacheRead == null) {
            defaulted.add("cache_read");
            cacheRead = input.multiply(DEFAULT_CACHE_READ);
        }
        BigDecimal cacheWrite = price(f, "cache_write", variable);
        if (cacheWrite == null) {
            defaulted.add("cache_write");
            cacheWrite = input.multiply(DEFAULT_CACHE_WRITE);
        }
        BigDecimal cacheWrite1h = price(f, "cache_write_1h", variable);
        if (cacheWrite1h == null) {
            defaulted.add("cache_write_1h");
            cacheWrite1h = cacheWrite;
        }
        BigDecimal reasoning = price(f, "reasoning", variable);
        for (String cls : List.of("reasoning", "per_request", "per_image")) {
            if (f.get(cls) == null) {
                defaulted.add(cls);
            }
        }
        List<PriceTier> tiers = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> tierFields = (List<Map<String, Object>>) f.getOrDefault("tiers", List.of());
        for (Map<String, Object> t : tierFields) {
            BigDecimal above = (BigDecimal) t.get("above_prompt_tokens");
            if (above == null) {
                throw new IllegalArgumentException("a tier has no above_prompt_tokens");
            }
            if (above.signum() < 0 || above.compareTo(BigDecimal.valueOf(PriceLimits.MAX_TIER_TOKENS)) > 0
                    || above.stripTrailingZeros().scale() > 0) {
                throw new IllegalArgumentException("tier above_prompt_tokens must be a whole number from 0 to "
                        + PriceLimits.MAX_TIER_TOKENS + ", got " + shorten(above.toString()));
            }
            tiers.add(new PriceTier(above.longValueExact(), price(t, "input", false), price(t, "output", false),
                    price(t, "cache_read", false), price(t, "cache_write", false), price(t, "cache_write_1h", false)));
        }
        @SuppressWarnings("unchecked")
        Set<String> estimated = (Set<String>) f.getOrDefault("estimated", Set.of());
        return new PriceEntry(key, (String) f.get("provider"), input, output, cacheRead, cacheWrite, cacheWrite1h, reasoning,
                tiers, List.of(), variable, (String) f.get("source"), (String) f.get("as_of"), origin, perRequest, perImage,
                null, List.of(), List.of(), defaulted, (String) f.get("note"), estimated);
    }

    private static BigDecimal price(Map<String, Object> f, String name, boolean variable) {
        BigDecimal d = (BigDecimal) f.get(name);
        if (d == null) {
            return null;
        }
        if (variable && d.compareTo(BigDecimal.ONE.negate()) == 0) {
            return BigDecimal.ZERO;
        }
        String problem = PriceLimits.priceProblem(d);
        if (problem != null) {
            throw new IllegalArgumentException(name + " " + problem);
        }
        return d;
    }
}
