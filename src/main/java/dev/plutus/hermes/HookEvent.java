package dev.plutus.hermes;

import dev.plutus.core.TokenUsage;
import java.time.Instant;

/**
 * A Hermes hook firing, read out of its keyword arguments ({@link HookEvents#parse}): one record per
 * event Plutus acts on. Text fields are null when Hermes left them out; the handler decides which it
 * needs. {@code at} is when the hook fired (the bridge's stamp, else when it arrived).
 */
public sealed interface HookEvent {
    Instant at();

    record SessionStart(String sessionId, String platform, String model, Instant at) implements HookEvent {}

    record PreLlmCall(String sessionId, String platform, String model, String senderId, Instant at) implements HookEvent {}

    /** {@code maxTokens} null when the request sets no limit. */
    record PreApiRequest(String sessionId, String platform, String apiRequestId, String provider, String model,
            long approxInputTokens, Long maxTokens, Instant at) implements HookEvent {}

    /**
     * {@code usage} null when Hermes reported none; {@code usageProblem} says why a reported usage
     * could not be read (the call is then estimated, never dropped). {@code outputChars} is the size
     * of the response's text and tool calls, and {@code requestApproxInputTokens} the size its own
     * pre_api_request gave (0 when unknown), for that estimate.
     */
    record PostApiRequest(String sessionId, String platform, String apiRequestId, String provider, String model,
            String responseModel, TokenUsage usage, String usageProblem, long outputChars, long requestApproxInputTokens,
            Instant endedAt, long latencyMillis,
            String bridgeEventId, Instant at) implements HookEvent {}

    /**
     * A side-task model call Hermes made outside the turn's own requests ({@code post_auxiliary_call}):
     * {@code auxTask} names it (compression, title_generation, vision, ...); {@code sessionId} null
     * outside a turn; {@code failed} when Hermes reported an error for the attempt.
     */
    record AuxiliaryCall(String sessionId, String auxTask, String apiRequestId, String provider, String model,
            String responseModel, TokenUsage usage, String usageProblem, boolean failed, boolean streaming, long latencyMillis,
            String bridgeEventId, Instant at) implements HookEvent {}

    record ApiRequestError(String sessionId, String platform, String model, String apiRequestId, boolean retryable, Instant at)
            implements HookEvent {}

    record PreToolCall(String sessionId, String platform, String model, Instant at) implements HookEvent {}

    record PostToolCall(String sessionId, String toolName, String toolCallId, String status, String errorType, long durationMillis,
            String bridgeEventId, Instant at) implements HookEvent {}

    record SubagentStart(String childSessionId, String parentSessionId, Instant at) implements HookEvent {}

    record SubagentStop(String childSessionId, String parentSessionId, String childStatus, Instant at) implements HookEvent {}

    record SessionEnd(String sessionId, String platform, boolean completed, boolean interrupted, String reason, Instant at)
            implements HookEvent {}

    /** {@code sessionId} falls back to Hermes's {@code old_session_id}. */
    record SessionFinalize(String sessionId, String reason, Instant at) implements HookEvent {}

    /** Events that only tell Plutus a session is alive ({@code post_llm_call}, {@code on_session_reset}). */
    record SessionSeen(String sessionId, String platform, String model, Instant at) implements HookEvent {}

    /** A hook Plutus does not act on. */
    record Unknown(String name, Instant at) implements HookEvent {}
}
