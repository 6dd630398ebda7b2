package dev.plutus.ingest;

import dev.plutus.core.InputRanges;
import dev.plutus.core.TokenUsage;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns an OTLP span that follows OpenTelemetry's GenAI semantic conventions into a model call,
 * under the rules {@code /v1/usage} applies to its events. A span is a GenAI span when it names a
 * provider ({@code gen_ai.provider.name}, or the older {@code gen_ai.system}); it is a model call when
 * its operation is one. An agent's or a tool's span may carry the usage of the calls inside it, which
 * are counted from their own spans. A span that names no operation is a call unless it wraps GenAI
 * spans, which only the other spans of its trace can tell: {@link GenAiWrappers} decides. A call's
 * id is its trace and span id, so a re-sent export records nothing twice.
 */
public final class GenAiSpans {
    static final Set<String> MODEL_CALLS = Set.of("chat", "text_completion", "generate_content", "embeddings");
    private static final int MAX_TEXT = UsageEventParser.MAX_TEXT;

    private GenAiSpans() {}

    /** What a span is to Plutus. */
    public sealed interface Mapped {
        /** Not a model call: nothing to count, and not an error. */
        record Skipped() implements Mapped {}

        /** A model call that breaks a rule: refused, and counted among OTLP's rejected spans. */
        record Rejected(String reason) implements Mapped {}

        record Call(String eventId, UsageEvent event) implements Mapped {}
    }

    /** What a span's attributes say it is, before the rest of its trace is known. */
    public enum Kind {
        /** Names no provider: an app's own span, passed over. */
        NOT_GENAI,
        /** Names an operation that is not a model call (an agent's, a tool's): its usage is its children's. */
        OTHER_OPERATION,
        /** Names a model-call operation: a call. */
        MODEL_CALL,
        /** Names a provider but no operation: a call, or a wrapper of calls whose usage it sums. */
        NO_OPERATION
    }

    /** The provider a span names, or null when it names none (then it is no GenAI span). */
    static String provider(Map<String, Object> a) {
        String provider = text(a, "gen_ai.provider.name").or(() -> text(a, "gen_ai.system")).orElse(null);
        return provider == null || provider.isBlank() ? null : provider;
    }

    public static Kind kind(OtlpSpan span) {
        if (provider(span.attributes()) == null) {
            return Kind.NOT_GENAI;
        }
        Optional<String> operation = operation(span.attributes());
        if (operation.isEmpty()) {
            return Kind.NO_OPERATION;
        }
        return MODEL_CALLS.contains(operation.get()) ? Kind.MODEL_CALL : Kind.OTHER_OPERATION;
    }

    private static Optional<String> operation(Map<String, Object> a) {
        return text(a, "gen_ai.operation.name").map(o -> o.strip().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * The span as a model call: the call, or why it breaks a rule; {@link Mapped.Skipped} when it is no
     * GenAI span or names an operation other than a model call. Whether a span that names no operation
     * is a call is decided before, by {@link GenAiWrappers}.
     */
    public static Mapped map(OtlpSpan span, Instant now) {
        Kind kind = kind(span);
        if (kind == Kind.NOT_GENAI || kind == Kind.OTHER_OPERATION) {
            return new Mapped.Skipped();
        }
        Map<String, Object> a = span.attributes();
        String provider = provider(a);
        Optional<String> operation = operation(a);
        String where = "span " + span.spanId() + ": ";
        if (span.traceId().length() != 32 || span.spanId().length() != 16 || span.traceId().chars().allMatch(c -> c == '0')
                || span.spanId().chars().allMatch(c -> c == '0')) {
            return new Mapped.Rejected(where + "no valid trace id (16 bytes) and span id (8 bytes), so it could not be counted only once");
        }
        try {
            long input = tokens(a, where, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens");
            long output = tokens(a, where, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens");
            if (input < 0 && output < 0) {
                return new Mapped.Rejected(where + "a model call without gen_ai.usage.input_tokens or gen_ai.usage.output_tokens");
            }
            input = Math.max(0, input);
            output = Math.max(0, output);
            long cacheRead = Math.max(0, tokens(a, where, "gen_ai.usage.cache_read.input_tokens"));
            long cacheWrite = Math.max(0, tokens(a, where, "gen_ai.usage.cache_creation.input_tokens"));
            long reasoning = Math.max(0, tokens(a, where, "gen_ai.usage.reasoning.output_tokens"));
            if (reasoning > output) {
                return new Mapped.Rejected(where + "gen_ai.usage.reasoning.output_tokens (" + reasoning
                        + ") is part of output_tokens (" + output + ") and cannot exceed it");
            }
            // The conventions count cache reads and writes inside input_tokens; Plutus keeps them apart. A sender
            // that counts them outside (as Anthropic's API does) shows it by reporting more cache than input.
            if (input >= cacheRead + cacheWrite) {
                input -= cacheRead + cacheWrite;
            }
            String model = text(a, "gen_ai.response.model").or(() -> text(a, "gen_ai.request.model")).orElse(null);
            String session = text(a, "gen_ai.conversation.id").orElse(null);
            String workspace = text(a, "plutus.workspace").orElse("default");
            String service = text(a, "service.name").orElse(null);
            for (String[] t : new String[][] {{"gen_ai.provider.name", provider}, {"gen_ai.response.model", model},
                    {"gen_ai.conversation.id", session}, {"plutus.workspace", workspace}}) {
                if (t[1] != null && t[1].length() > MAX_TEXT) {
                    return new Mapped.Rejected(where + t[0] + " is longer than " + MAX_TEXT + " characters");
                }
            }
            long nanos = span.endNanos() != 0 ? span.endNanos() : span.startNanos();
            if (nanos == 0) {
                return new Mapped.Rejected(where + "no start or end time");
            }
            Instant at = Instant.ofEpochSecond(0, nanos);
            Optional<String> timeProblem = InputRanges.timeProblem(at, now);
            if (timeProblem.isPresent()) {
                return new Mapped.Rejected(where + "end time " + timeProblem.get());
            }
            String source = service == null ? "otlp" : "otlp:" + service;
            UsageEvent event = new UsageEvent(provider.strip(), model == null || model.isBlank() ? null : model.strip(),
                    new TokenUsage(input, output, cacheRead, cacheWrite, 0, reasoning), null, operation.orElse("chat"),
                    workspace.isBlank() ? "default" : workspace.strip(),
                    source.length() > MAX_TEXT ? source.substring(0, MAX_TEXT) : source, at,
                    session == null || session.isBlank() ? null : new UsageEvent.SessionFacts(session.strip(), null, null, null),
                    latencyMillis(span));
            return new Mapped.Call("otlp_" + span.traceId() + "_" + span.spanId(), event);
        } catch (UsageRejected e) {
            return new Mapped.Rejected(e.getMessage());
        }
    }

    /** The span's duration, the call's latency: 0 (not measured) without both times, at most a day. */
    private static long latencyMillis(OtlpSpan span) {
        if (span.startNanos() == 0 || span.endNanos() == 0 || span.endNanos() < span.startNanos()) {
            return 0;
        }
        return Math.min((span.endNanos() - span.startNanos()) / 1_000_000L, 86_400_000L);
    }

    private static Optional<String> text(Map<String, Object> a, String key) {
        return a.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** The first of {@code keys} present, as a token count; -1 when none is. */
    private static long tokens(Map<String, Object> a, String where, String... keys) throws UsageRejected {
        for (String key : keys) {
            Object v = a.get(key);
            if (v == null) {
                continue;
            }
            long n;
            if (v instanceof Long l) {
                n = l;
            } else if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
                if (d > InputRanges.MAX_TOKENS) {
                    throw new UsageRejected(where + key + " is too large (" + d + " > " + InputRanges.MAX_TOKENS + ")");
                }
                n = d.longValue();
            } else {
                throw new UsageRejected(where + key + " must be a whole number, not " + v);
            }
            if (n < 0) {
                throw new UsageRejected(where + key + " must not be negative (" + n + ")");
            }
            if (n > InputRanges.MAX_TOKENS) {
                throw new UsageRejected(where + key + " is too large (" + n + " > " + InputRanges.MAX_TOKENS + ")");
            }
            return n;
        }
        return -1;
    }
}
