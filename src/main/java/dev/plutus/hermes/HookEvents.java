package dev.plutus.hermes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.InputRanges;
import dev.plutus.core.TokenUsage;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/** Reads a hook's keyword arguments (JSON, as the bridge forwards them) into its {@link HookEvent}. */
public final class HookEvents {
    private HookEvents() {}

    /** A hook's arguments that cannot be read at all; the hook is counted as malformed and Hermes carries on. */
    public static final class Malformed extends RuntimeException {
        public Malformed(String message) {
            super(message);
        }
    }

    /** @param receivedAt when the hook arrived, its time when the bridge did not stamp one */
    public static HookEvent parse(String name, JsonNode k, Instant receivedAt) {
        return parse(name, k, receivedAt, note -> { });
    }

    /**
     * As {@link #parse(String, JsonNode, Instant)}; every number out of its range (see
     * {@link InputRanges}) is clamped rather than refused, since Hermes must carry on whatever it
     * sends, and {@code clamped} is told what was clamped. A time before 2000, further ahead than the
     * slack, or not a finite number becomes the time the hook arrived.
     */
    public static HookEvent parse(String name, JsonNode k, Instant receivedAt, Consumer<String> clamped) {
        if (k == null || !k.isObject()) {
            throw new Malformed("keyword arguments are not a JSON object");
        }
        Instant at = time(k, "_plutus_ts", receivedAt, receivedAt, clamped);
        return switch (name) {
            case "on_session_start" -> new HookEvent.SessionStart(text(k, "session_id"), text(k, "platform"), text(k, "model"), at);
            case "pre_llm_call" -> new HookEvent.PreLlmCall(text(k, "session_id"), text(k, "platform"), text(k, "model"),
                    text(k, "sender_id"), at);
            // llm_request: the bridge's request middleware asks for the verdict on the call it is about to let out.
            case "pre_api_request", "llm_request" -> {
                JsonNode max = k.get("max_tokens");
                yield new HookEvent.PreApiRequest(text(k, "session_id"), text(k, "platform"), text(k, "api_request_id"),
                        text(k, "provider"), text(k, "model"), tokens(k, "approx_input_tokens", clamped),
                        max != null && max.canConvertToLong() ? InputRanges.clampTokens(max.asLong()) : null, at);
            }
            case "post_api_request" -> postApiRequest(k, at, receivedAt, clamped);
            case "post_auxiliary_call" -> auxiliaryCall(k, at, clamped);
            case "pre_auxiliary_call" -> new HookEvent.SessionSeen(blankToNull(text(k, "session_id")), null, null, at);
            case "api_request_error" -> new HookEvent.ApiRequestError(text(k, "session_id"), text(k, "platform"), text(k, "model"),
                    text(k, "api_request_id"), k.path("retryable").asBoolean(false), at);
            case "pre_tool_call" -> new HookEvent.PreToolCall(text(k, "session_id"), text(k, "platform"), text(k, "model"), at);
            case "post_tool_call" -> new HookEvent.PostToolCall(text(k, "session_id"), text(k, "tool_name"), text(k, "tool_call_id"),
                    Optional.ofNullable(text(k, "status")).orElse("ok"), text(k, "error_type"),
                    duration(k, "duration_ms", 1, clamped), bridgeEventId(k), at);
            case "subagent_start" -> new HookEvent.SubagentStart(text(k, "child_session_id"), text(k, "parent_session_id"), at);
            case "subagent_stop" -> new HookEvent.SubagentStop(text(k, "child_session_id"), text(k, "parent_session_id"),
                    text(k, "child_status"), at);
            case "on_session_end" -> new HookEvent.SessionEnd(text(k, "session_id"), text(k, "platform"),
                    k.path("completed").asBoolean(false), k.path("interrupted").asBoolean(false), text(k, "reason"), at);
            case "on_session_finalize" -> new HookEvent.SessionFinalize(
                    Optional.ofNullable(text(k, "session_id")).orElse(text(k, "old_session_id")), text(k, "reason"), at);
            case "post_llm_call", "on_session_reset" -> new HookEvent.SessionSeen(text(k, "session_id"), text(k, "platform"),
                    text(k, "model"), at);
            default -> new HookEvent.Unknown(name, at);
        };
    }

    private static HookEvent.PostApiRequest postApiRequest(JsonNode k, Instant at, Instant receivedAt, Consumer<String> clamped) {
        ReadUsage read = readUsage(k);
        TokenUsage usage = read.usage();
        String problem = read.problem();
        return new HookEvent.PostApiRequest(text(k, "session_id"), text(k, "platform"), text(k, "api_request_id"),
                text(k, "provider"), text(k, "model"), text(k, "response_model"), usage, problem, outputChars(k),
                tokens(k, "_plutus_approx_input_tokens", clamped), time(k, "ended_at", at, receivedAt, clamped), duration(k, "api_duration", 1000, clamped), bridgeEventId(k), at);
    }

    /** A hook's {@code usage}, or why it could not be read (null both when there is none). */
    private record ReadUsage(TokenUsage usage, String problem) {}

    private static ReadUsage readUsage(JsonNode k) {
        JsonNode u = k.get("usage");
        if (u == null || u.isNull()) {
            return new ReadUsage(null, null);
        }
        try {
            return new ReadUsage(usage(u), null);
        } catch (Malformed e) {
            return new ReadUsage(null, e.getMessage());
        }
    }

    /** A side-task model call (compression, title, vision, ...): no ended_at, so it counts when the hook fired. */
    private static HookEvent.AuxiliaryCall auxiliaryCall(JsonNode k, Instant at, Consumer<String> clamped) {
        ReadUsage read = readUsage(k);
        TokenUsage usage = read.usage();
        String problem = read.problem();
        JsonNode error = k.get("error");
        boolean failed = (error != null && !error.isNull() && !(error.isTextual() && error.asText().isBlank()))
                || (k.hasNonNull("error_type") && !k.get("error_type").asText().isBlank());
        String task = text(k, "aux_task");
        return new HookEvent.AuxiliaryCall(blankToNull(text(k, "session_id")), task == null || task.isBlank() ? "other" : task,
                text(k, "api_request_id"), text(k, "provider"), text(k, "model"), text(k, "response_model"), usage, problem,
                failed, k.path("streaming").asBoolean(false), duration(k, "api_duration", 1000, clamped), bridgeEventId(k), at);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static TokenUsage usage(JsonNode u) {
        if (!u.isObject()) {
            throw new Malformed("usage is not an object");
        }
        try {
            return new TokenUsage(count(u, "input_tokens"), count(u, "output_tokens"), count(u, "cache_read_tokens"),
                    count(u, "cache_write_tokens"), count(u, "cache_write_1h_tokens"), count(u, "reasoning_tokens"));
        } catch (IllegalArgumentException e) {
            throw new Malformed("usage: " + e.getMessage());
        }
    }

    private static long count(JsonNode u, String field) {
        JsonNode v = u.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new Malformed("usage." + field + " is not a whole number: " + v);
        }
        if (v.asLong() > InputRanges.MAX_TOKENS) {
            throw new Malformed("usage." + field + " is over " + InputRanges.MAX_TOKENS + ": " + v);
        }
        return v.asLong();
    }

    /** A token count the hook only estimates with (a request's prompt size): held to its range. */
    private static long tokens(JsonNode k, String field, Consumer<String> clamped) {
        JsonNode v = k.get(field);
        if (v == null || !v.isNumber()) {
            return 0;
        }
        long n = v.canConvertToLong() ? v.asLong() : v.asDouble() > 0 ? Long.MAX_VALUE : 0;
        long held = InputRanges.clampTokens(n);
        if (held != n) {
            clamped.accept(field + " " + v + " held to " + held);
        }
        return held;
    }

    /** A duration sent in {@code unitMillis} units (seconds: 1000), in milliseconds held to 0 .. one day. */
    private static long duration(JsonNode k, String field, int unitMillis, Consumer<String> clamped) {
        JsonNode v = k.get(field);
        if (v == null || !v.isNumber()) {
            return 0;
        }
        double seconds = v.asDouble() * unitMillis / 1000.0;
        long ms = InputRanges.durationFromSeconds(seconds);
        if (Double.isNaN(seconds) || seconds < 0 || ms == InputRanges.MAX_DURATION_MILLIS) {
            clamped.accept(field + " " + v + " held to " + ms + " ms");
        }
        return ms;
    }

    /**
     * A time sent as Unix seconds: {@code fallback} when absent, and the time the hook arrived when it
     * is not one a call can have (a day ahead, milliseconds sent as seconds, 1e300, before 2000).
     */
    private static Instant time(JsonNode k, String field, Instant fallback, Instant receivedAt, Consumer<String> clamped) {
        JsonNode v = k.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        Optional<Instant> t = v.isNumber() ? InputRanges.fromEpochSeconds(v.asDouble()) : Optional.empty();
        Optional<String> problem = t.isEmpty() ? Optional.of("is not a time in Unix seconds")
                : InputRanges.timeProblem(t.get(), receivedAt);
        if (problem.isPresent()) {
            clamped.accept(field + " " + abbreviated(v) + " " + problem.get() + "; the time the hook arrived is used");
            return receivedAt;
        }
        return t.get();
    }

    private static String abbreviated(JsonNode v) {
        String s = v.toString();
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    /** The response's size in characters: its text, and its tool calls (the bridge sends their size instead of them). */
    private static long outputChars(JsonNode k) {
        long chars = Math.max(0, k.path("assistant_content_chars").asLong(0));
        chars += Math.max(0, k.path("_plutus_tool_call_chars").asLong(0));
        JsonNode calls = k.path("response").path("assistant_message").path("tool_calls");
        if (calls.isArray()) {
            for (JsonNode c : calls) {
                chars += c.path("name").asText("").length() + c.path("arguments").asText("").length();
            }
        }
        return chars;
    }

    /** The bridge's id for this hook firing, which makes events without a Hermes id idempotent too. */
    private static String bridgeEventId(JsonNode k) {
        String id = text(k, "_plutus_event_id");
        return id == null || id.isBlank() ? null : id;
    }

    private static String text(JsonNode k, String field) {
        JsonNode v = k.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
