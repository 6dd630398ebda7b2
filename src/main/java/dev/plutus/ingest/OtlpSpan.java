package dev.plutus.ingest;

import java.util.Map;

/**
 * One span of an OTLP trace export, reduced to what Plutus reads: its ids (lowercase hex; the parent's
 * is empty for a root span), its end time, and its attributes with the resource's beneath them (a span's own value wins). Attribute
 * values are {@code String}, {@code Long}, {@code Double} or {@code Boolean}; other kinds are left out.
 */
public record OtlpSpan(String traceId, String spanId, String parentSpanId, long startNanos, long endNanos, Map<String, Object> attributes) {}
