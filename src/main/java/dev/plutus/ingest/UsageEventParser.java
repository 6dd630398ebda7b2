package dev.plutus.ingest;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.plutus.core.InputRanges;
import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@code /v1/usage} body: one event object or an array of 1 to 1,000. Strict on purpose:
 * a misspelt field or a token count sent as text would otherwise be billed as zero, so any field
 * it does not know, any wrong type and any negative, fractional or absurd number is refused with
 * the event's index and the field's name (in the message and as {@link UsageError}'s members).
 * Nothing of a refused body is recorded.
 */
public final class UsageEventParser {
    public static final int MAX_EVENTS = 1000;
    /** More than any single call could use; larger counts are typos or overflow attempts (see {@link InputRanges}). */
    static final long MAX_TOKENS = InputRanges.MAX_TOKENS;
    static final BigDecimal MAX_COST_USD = InputRanges.MAX_COST_USD;
    public static final int MAX_TEXT = 200;
    private static final Set<String> TOKEN_FIELDS = Set.of("input_tokens", "output_tokens", "cache_read_tokens",
            "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens");
    private static final Set<String> TEXT_FIELDS = Set.of("provider", "model", "task_type", "workspace", "source",
            "session_id", "root_session_id", "cron_job_id", "sender");
    private static final List<String> FIELDS = List.of("provider", "model", "input_tokens", "output_tokens",
            "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens", "cost_usd",
            "task_type", "workspace", "source", "timestamp", "session_id", "root_session_id", "cron_job_id", "sender",
            "latency_ms", "images");

    private UsageEventParser() {}

    /** The events of one request; {@code batch} when they came as an array (answered with per-event results). */
    public record Parsed(List<UsageEvent> events, boolean batch) {}

    public static Parsed parse(byte[] body) throws UsageRejected {
        // Limits hold while the bytes are read: a hostile body never becomes a big tree.
        JsonNode root = UsageBodyReader.read(body);
        if (root == null || root.isMissingNode()) {
            throw new UsageRejected("empty body: send one event object or an array of events");
        }
        if (root.isObject()) {
            return new Parsed(List.of(event(root, new At("event", 0))), false);
        }
        if (!root.isArray()) {
            throw new UsageRejected("body must be an event object or an array of events, not " + root.getNodeType().name().toLowerCase());
        }
        if (root.isEmpty()) {
            throw new UsageRejected("empty array: a batch holds 1 to " + MAX_EVENTS + " events");
        }
        if (root.size() > MAX_EVENTS) {
            throw new UsageRejected("batch of " + root.size() + " events: at most " + MAX_EVENTS + " per request");
        }
        List<UsageEvent> out = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            JsonNode e = root.get(i);
            if (!e.isObject()) {
                throw new UsageRejected("event " + i + ": must be an object", i, null);
            }
            out.add(event(e, new At("event " + i, i)));
        }
        return new Parsed(out, true);
    }

    /** Where a problem is: the event as a message names it, and its index in the body. */
    private record At(String label, int index) {
        UsageRejected field(String field, String problem) {
            return new UsageRejected(label + ": field '" + field + "' " + problem, index, field);
        }
    }

    private static UsageEvent event(JsonNode e, At where) throws UsageRejected {
        for (Map.Entry<String, JsonNode> f : e.properties()) {
            if (!FIELDS.contains(f.getKey())) {
                throw new UsageRejected(where.label() + ": unknown field '" + f.getKey() + "' (known: " + String.join(", ", FIELDS) + ")",
                        where.index(), f.getKey());
            }
            JsonNode v = f.getValue();
            if (TEXT_FIELDS.contains(f.getKey()) && !v.isNull()) {
                if (!v.isTextual()) {
                    throw where.field(f.getKey(), "must be a string");
                }
                if (v.asText().length() > MAX_TEXT) {
                    throw where.field(f.getKey(), "is longer than " + MAX_TEXT + " characters");
                }
            }
        }
        String provider = text(e, "provider");
        if (provider == null || provider.isBlank()) {
            throw where.field("provider", "is required");
        }
        long input = tokens(e, "input_tokens", where);
        long output = tokens(e, "output_tokens", where);
        long reasoning = tokens(e, "reasoning_tokens", where);
        if (reasoning > output) {
            throw where.field("reasoning_tokens", "(" + reasoning + ") is part of output_tokens (" + output + ") and cannot exceed it");
        }
        TokenUsage usage = new TokenUsage(input, output, tokens(e, "cache_read_tokens", where),
                tokens(e, "cache_write_tokens", where), tokens(e, "cache_write_1h_tokens", where), reasoning);
        return new UsageEvent(provider.strip(), blankToNull(text(e, "model")), usage, cost(e, where),
                orDefault(text(e, "task_type"), "general"), orDefault(text(e, "workspace"), "default"),
                orDefault(text(e, "source"), "api"), timestamp(e, where), session(e, where),
                latency(e, where), tokens(e, "images", where));
    }

    /** The optional session members; the others only make sense with a session to attach them to. */
    private static UsageEvent.SessionFacts session(JsonNode e, At where) throws UsageRejected {
        String session = blankToNull(text(e, "session_id"));
        if (session == null) {
            for (String f : List.of("root_session_id", "cron_job_id", "sender")) {
                if (blankToNull(text(e, f)) != null) {
                    throw where.field(f, "needs session_id: it describes the session that made the call");
                }
            }
            return null;
        }
        return new UsageEvent.SessionFacts(session, blankToNull(text(e, "root_session_id")), blankToNull(text(e, "cron_job_id")),
                blankToNull(text(e, "sender")));
    }

    private static long tokens(JsonNode e, String field, At where) throws UsageRejected {
        JsonNode v = e.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isNumber()) {
            throw where.field(field, "must be a whole number, not " + v.getNodeType().name().toLowerCase());
        }
        BigDecimal d = v.decimalValue();
        if (d.signum() < 0) {
            throw where.field(field, "must not be negative (" + d.toPlainString() + ")");
        }
        if (d.stripTrailingZeros().scale() > 0) {
            throw where.field(field, "must be a whole number (" + d.toPlainString() + ")");
        }
        if (d.compareTo(BigDecimal.valueOf(MAX_TOKENS)) > 0) {
            throw where.field(field, "is too large (" + d.toPlainString() + " > " + MAX_TOKENS + ")");
        }
        return d.longValueExact();
    }

    /** How long the call took, in whole milliseconds, 0 .. one day; 0 when not sent (the average leaves such calls out). */
    private static long latency(JsonNode e, At where) throws UsageRejected {
        JsonNode v = e.get("latency_ms");
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isNumber()) {
            throw where.field("latency_ms", "must be a whole number of milliseconds, not " + v.getNodeType().name().toLowerCase());
        }
        BigDecimal d = v.decimalValue();
        if (d.signum() < 0) {
            throw where.field("latency_ms", "must not be negative (" + d.toPlainString() + ")");
        }
        if (d.stripTrailingZeros().scale() > 0) {
            throw where.field("latency_ms", "must be a whole number of milliseconds (" + d.toPlainString() + ")");
        }
        if (d.compareTo(BigDecimal.valueOf(InputRanges.MAX_DURATION_MILLIS)) > 0) {
            throw where.field("latency_ms", "is too large (" + d.toPlainString() + " > " + InputRanges.MAX_DURATION_MILLIS + ", one day)");
        }
        return d.longValueExact();
    }

    private static BigDecimal cost(JsonNode e, At where) throws UsageRejected {
        JsonNode v = e.get("cost_usd");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw where.field("cost_usd", "must be a number");
        }
        BigDecimal d = v.decimalValue();
        if (d.signum() < 0) {
            throw where.field("cost_usd", "must not be negative (" + d.toPlainString() + ")");
        }
        if (d.compareTo(MAX_COST_USD) > 0) {
            throw where.field("cost_usd", "is too large (" + d.toPlainString() + " > " + MAX_COST_USD + ")");
        }
        return d;
    }

    /** ISO-8601 text or Unix seconds: when the call happened, for senders that buffer and send later. */
    private static Instant timestamp(JsonNode e, At where) throws UsageRejected {
        JsonNode v = e.get("timestamp");
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            if (v.isNumber()) {
                BigDecimal s = v.decimalValue();
                if (s.signum() < 0 || s.compareTo(BigDecimal.valueOf(32_503_680_000L)) >= 0) {
                    throw where.field("timestamp", "is out of range (" + s.toPlainString() + ")");
                }
                return Instant.ofEpochMilli(s.movePointRight(3).longValue());
            }
            if (v.isTextual()) {
                return Instant.parse(v.asText());
            }
        } catch (DateTimeParseException ex) {
            throw where.field("timestamp", "is not ISO-8601 (" + v.asText() + ")");
        }
        throw where.field("timestamp", "must be ISO-8601 text or Unix seconds");
    }

    private static String text(JsonNode e, String field) {
        JsonNode v = e.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String orDefault(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s.strip();
    }
}
