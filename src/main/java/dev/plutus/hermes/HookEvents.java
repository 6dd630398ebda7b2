package dev.plutus.hermes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.TokenUsage;
import java.time.Instant;
import java.util.Optional;

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
        if (k == null || !k.isObject()) {
            throw new Malformed("keyword arguments are not a JSON object");
        }
        Instant at = epochSeconds(k, "_plutus_ts").orElse(receivedAt);
        return switch (name) {
            case "on_session_start" -> new HookEvent.SessionStart(text(k, "session_id"), text(k, "platform"), text(k, "model"), at);
            case "pre_llm_call" -> new HookEvent.PreLlmCall(text(k, "session_id"), text(k, "platform"), text(k, "model"),
                    text(k, "sender_id"), at);
            case "pre_api_request" -> {
                JsonNode max = k.get("max_tokens");
                yield new HookEvent.PreApiRequest(text(k, "session_id"), text(k, "platform"), text(k, "api_request_id"),
                        text(k, "provider"), text(k, "model"), k.path("approx_input_tokens").asLong(0),
                        max != null && max.canConvertToLong() ? max.asLong() : null, at);
            }
            case "post_api_request" -> postApiRequest(k, at);
            case "api_request_error" -> new HookEvent.ApiRequestError(text(k, "session_id"), text(k, "platform"), text(k, "model"),
                    text(k, "api_request_id"), k.path("retryable").asBoolean(false), at);
            case "pre_tool_call" -> new HookEvent.PreToolCall(text(k, "session_id"), text(k, "platform"), text(k, "model"), at);
            case "post_tool_call" -> new HookEvent.PostToolCall(text(k, "session_id"), text(k, "tool_name"), text(k, "tool_call_id"),
                    Optional.ofNullable(text(k, "status")).orElse("ok"), text(k, "error_type"),
                    Math.max(0, k.path("duration_ms").asLong(0)), bridgeEventId(k), at);
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

    private static HookEvent.PostApiRequest postApiRequest(JsonNode k, Instant at) {
        JsonNode u = k.get("usage");
        TokenUsage usage = null;
        String problem = null;
        if (u != null && !u.isNull()) {
            try {
                usage = usage(u);
            } catch (Malformed e) {
                problem = e.getMessage();
            }
        }
        return new HookEvent.PostApiRequest(text(k, "session_id"), text(k, "platform"), text(k, "api_request_id"),
                text(k, "provider"), text(k, "model"), text(k, "response_model"), usage, problem, outputChars(k),
                epochSeconds(k, "ended_at").orElse(at), Math.round(k.path("api_duration").asDouble(0) * 1000), bridgeEventId(k), at);
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
        return v.asLong();
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

    private static Optional<Instant> epochSeconds(JsonNode k, String field) {
        JsonNode v = k.get(field);
        if (v == null || !v.isNumber() || v.asDouble() <= 0) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochMilli(Math.round(v.asDouble() * 1000)));
    }

    private static String text(JsonNode k, String field) {
        JsonNode v = k.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
