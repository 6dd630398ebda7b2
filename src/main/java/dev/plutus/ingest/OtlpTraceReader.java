package dev.plutus.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.plutus.core.Json;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads an OTLP/HTTP trace export ({@code ExportTraceServiceRequest}) as protobuf or as OTLP's JSON
 * (ids in hex, 64-bit numbers as text or numbers), gzip-compressed or not. A gzip body may expand to
 * at most {@link #MAX_EXPANDED_BYTES}; an export of more than {@link #MAX_SPANS} spans is refused
 * whole, so a hostile body costs a bounded amount of memory.
 */
public final class OtlpTraceReader {
    public static final int MAX_EXPANDED_BYTES = 8 * 1024 * 1024;
    public static final int MAX_SPANS = 10_000;
    private static final HexFormat HEX = HexFormat.of();

    private OtlpTraceReader() {}

    /** The body as sent: {@code gzip} when its Content-Encoding says so. */
    public static byte[] expand(byte[] body, boolean gzip) throws UsageRejected {
        if (!gzip) {
            return body;
        }
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(MAX_EXPANDED_BYTES, body.length * 4 + 64));
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > MAX_EXPANDED_BYTES) {
                    throw new UsageRejected("the gzip body expands to more than " + MAX_EXPANDED_BYTES / (1024 * 1024) + " MiB");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UsageRejected("the body is not valid gzip: " + e.getMessage());
        }
    }

    public static List<OtlpSpan> protobuf(byte[] body) throws UsageRejected {
        ExportTraceServiceRequest request;
        try {
            request = ExportTraceServiceRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new UsageRejected("the body is not an OTLP ExportTraceServiceRequest in protobuf: " + e.getMessage());
        }
        List<OtlpSpan> out = new ArrayList<>();
        for (ResourceSpans rs : request.getResourceSpansList()) {
            Map<String, Object> resource = attributes(rs.getResource().getAttributesList());
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span s : ss.getSpansList()) {
                    if (out.size() == MAX_SPANS) {
                        throw tooMany();
                    }
                    Map<String, Object> attrs = new LinkedHashMap<>(resource);
                    attrs.putAll(attributes(s.getAttributesList()));
                    out.add(new OtlpSpan(hex(s.getTraceId()), hex(s.getSpanId()), hex(s.getParentSpanId()), s.getStartTimeUnixNano(), s.getEndTimeUnixNano(), attrs));
                }
            }
        }
        return out;
    }

    public static List<OtlpSpan> json(byte[] body) throws UsageRejected {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new UsageRejected("the body is not JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new UsageRejected("the body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new UsageRejected("the body must be an OTLP ExportTraceServiceRequest object");
        }
        List<OtlpSpan> out = new ArrayList<>();
        for (JsonNode rs : array(root, "resourceSpans", "resource_spans")) {
            Map<String, Object> resource = jsonAttributes(member(member(rs, "resource"), "attributes"));
            for (JsonNode ss : array(rs, "scopeSpans", "scope_spans")) {
                for (JsonNode s : array(ss, "spans", "spans")) {
                    if (out.size() == MAX_SPANS) {
                        throw tooMany();
                    }
                    Map<String, Object> attrs = new LinkedHashMap<>(resource);
                    attrs.putAll(jsonAttributes(member(s, "attributes")));
                    out.add(new OtlpSpan(id(s, "traceId", "trace_id"), id(s, "spanId", "span_id"), id(s, "parentSpanId", "parent_span_id"),
                            nanos(s, "startTimeUnixNano", "start_time_unix_nano"), nanos(s, "endTimeUnixNano", "end_time_unix_nano"), attrs));
                }
            }
        }
        return out;
    }

    private static UsageRejected tooMany() {
        return new UsageRejected("more than " + MAX_SPANS + " spans in one export: send smaller batches");
    }

    private static String hex(ByteString b) {
        return HEX.formatHex(b.toByteArray());
    }

    private static Map<String, Object> attributes(List<KeyValue> kvs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (KeyValue kv : kvs) {
            AnyValue v = kv.getValue();
            switch (v.getValueCase()) {
                case STRING_VALUE -> m.put(kv.getKey(), v.getStringValue());
                case INT_VALUE -> m.put(kv.getKey(), v.getIntValue());
                case DOUBLE_VALUE -> m.put(kv.getKey(), v.getDoubleValue());
                case BOOL_VALUE -> m.put(kv.getKey(), v.getBoolValue());
                default -> { } // arrays, maps and bytes: nothing Plutus reads
            }
        }
        return m;
    }

    private static Map<String, Object> jsonAttributes(JsonNode list) throws UsageRejected {
        Map<String, Object> m = new LinkedHashMap<>();
        if (list == null || list.isNull() || list.isMissingNode()) {
            return m;
        }
        if (!list.isArray()) {
            throw new UsageRejected("attributes must be an array of {key, value}");
        }
        for (JsonNode kv : list) {
            String key = kv.path("key").asText(null);
            JsonNode v = kv.path("value");
            if (key == null || !v.isObject()) {
                continue;
            }
            JsonNode text = either(v, "stringValue", "string_value");
            JsonNode integer = either(v, "intValue", "int_value");
            JsonNode real = either(v, "doubleValue", "double_value");
            JsonNode bool = either(v, "boolValue", "bool_value");
            if (text != null) {
                m.put(key, text.asText());
            } else if (integer != null) {
                m.put(key, int64(key, integer));
            } else if (real != null) {
                m.put(key, real.asDouble());
            } else if (bool != null) {
                m.put(key, bool.asBoolean());
            }
        }
        return m;
    }

    private static JsonNode either(JsonNode n, String camel, String snake) {
        JsonNode v = n.get(camel);
        return v != null ? v : n.get(snake);
    }

    /** An int64 as OTLP/JSON writes it (text) or as a number; one that does not fit 64 bits is refused, never wrapped. */
    private static long int64(String key, JsonNode i) throws UsageRejected {
        if (i.isIntegralNumber()) {
            if (!i.canConvertToLong()) {
                throw new UsageRejected("attribute '" + key + "': intValue " + abbreviate(i.asText()) + " does not fit 64 bits");
            }
            return i.longValue();
        }
        try {
            return Long.parseLong(i.asText().strip());
        } catch (NumberFormatException e) {
            throw new UsageRejected("attribute '" + key + "': intValue is not a 64-bit whole number (" + abbreviate(i.asText()) + ")");
        }
    }

    /** OTLP JSON names members in lowerCamelCase; receivers also take the proto's own names. */
    private static JsonNode member(JsonNode n, String name) {
        return n == null ? null : n.get(name);
    }

    private static List<JsonNode> array(JsonNode n, String camel, String snake) throws UsageRejected {
        JsonNode a = n.has(camel) ? n.get(camel) : n.get(snake);
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new UsageRejected("'" + camel + "' must be an array");
        }
        List<JsonNode> out = new ArrayList<>(a.size());
        a.forEach(out::add);
        return out;
    }

    private static String id(JsonNode s, String camel, String snake) throws UsageRejected {
        JsonNode v = s.has(camel) ? s.get(camel) : s.get(snake);
        String text = v == null || v.isNull() ? "" : v.asText();
        if (!text.isEmpty() && !text.matches("[0-9a-fA-F]{1,64}")) {
            throw new UsageRejected("'" + camel + "' must be hex, as OTLP/JSON encodes ids (" + abbreviate(text) + ")");
        }
        return text.toLowerCase(java.util.Locale.ROOT);
    }

    private static long nanos(JsonNode s, String camel, String snake) throws UsageRejected {
        JsonNode v = s.has(camel) ? s.get(camel) : s.get(snake);
        if (v == null || v.isNull()) {
            return 0;
        }
        try {
            return v.isIntegralNumber() ? v.longValue() : Long.parseUnsignedLong(v.asText().strip());
        } catch (NumberFormatException e) {
            throw new UsageRejected("'" + camel + "' is not a time in nanoseconds (" + abbreviate(v.asText()) + ")");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
