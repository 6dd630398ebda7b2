package dev.plutus.hermes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.CallEvent;
import dev.plutus.core.CallIntent;
import dev.plutus.core.TokenUsage;
import dev.plutus.core.ToolCall;
import dev.plutus.store.SessionRecord;
import dev.plutus.engine.CallRecorder;
import dev.plutus.engine.Enforcer;
import dev.plutus.store.SessionDirectory;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a Hermes hook event (its name and keyword arguments as JSON) and returns what the hook
 * should return to Hermes. A malformed or unknown event is counted and logged, and the host carries
 * on as if Plutus were not there. The one thing it throws is a {@link dev.plutus.store.StoreException}:
 * an event that could not be stored must be kept by the caller, not answered as if it were.
 */
public final class HookDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(HookDispatcher.class);

    private final SessionDirectory sessions;
    private final CallRecorder recorder;
    private final Enforcer enforcer;
    private final Supplier<List<String>> runwayNotices;
    private final Clock clock;
    private final UsageEstimator estimator = new UsageEstimator();
    private final HookCounters counters = new HookCounters();

    /**
     * @param runwayNotices low-runway notices not yet shown in any conversation, each handed out once
     */
    public HookDispatcher(SessionDirectory sessions, CallRecorder recorder, Enforcer enforcer,
            Supplier<List<String>> runwayNotices, Clock clock) {
        this.sessions = sessions;
        this.recorder = recorder;
        this.enforcer = enforcer;
        this.runwayNotices = runwayNotices;
        this.clock = clock;
    }

    public HookCounters counters() {
        return counters;
    }

    /**
     * Handles an event the bridge spooled while the daemon was away. Only its record is kept: the
     * verdict it would have produced is moot now, and no notice or pause is issued for it.
     */
    public ReplayOutcome replay(String event, JsonNode kwargs) {
        counters.count("replayed");
        if (kwargs == null || !kwargs.isObject()) {
            malformed(event, "keyword arguments are not a JSON object");
            return ReplayOutcome.REJECTED;
        }
        try {
            switch (event) {
                case "pre_tool_call", "api_request_error", "on_session_start" -> touch(kwargs);
                case "pre_llm_call" -> {
                    touch(kwargs);
                    String sender = text(kwargs, "sender_id");
                    if (sender != null && !sender.isBlank()) {
                        sessions.setSender(required(kwargs, "session_id"), sender);
                    }
                }
                case "pre_api_request" -> {
                    touch(kwargs);
                    long approx = kwargs.path("approx_input_tokens").asLong(0);
                    if (approx > 0) {
                        estimator.rememberRequest(text(kwargs, "api_request_id"), text(kwargs, "session_id"), approx);
                    }
                }
                default -> handle(event, kwargs);
            }
            return ReplayOutcome.DONE;
        } catch (MalformedEvent e) {
            malformed(event, e.getMessage());
            return ReplayOutcome.REJECTED;
        } catch (RuntimeException e) {
            counters.count("errors");
            LOG.warn("replay of {} failed, will retry: {}", event, e, e);
            return ReplayOutcome.RETRY;
        }
    }

    /** What became of a replayed event: stored, unusable (set aside), or to be tried again later. */
    public enum ReplayOutcome { DONE, REJECTED, RETRY }

    public HookReply dispatch(String event, JsonNode kwargs) {
        counters.count("events");
        if (kwargs == null || !kwargs.isObject()) {
            return malformed(event, "keyword arguments are not a JSON object");
        }
        try {
            HookReply reply = handle(event, kwargs);
            counters.count("event." + event);
            return reply;
        } catch (MalformedEvent e) {
            return malformed(event, e.getMessage());
        } catch (dev.plutus.store.StoreException e) {
            // Not swallowed: the event is not stored, so the caller must keep it (the bridge spools it
            // and applies its fail_mode; the daemon replays the spool once the store is back).
            counters.count("store_errors");
            LOG.warn("hook {} could not be stored: {}", event, e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            counters.count("errors");
            LOG.warn("hook {} failed: {}", event, e, e);
            return HookReply.NOTHING;
        }
    }

    private HookReply handle(String event, JsonNode kwargs) {
        return switch (event) {
            case "on_session_start" -> sessionStart(kwargs);
            case "pre_llm_call" -> preLlmCall(kwargs);
            case "pre_api_request" -> preApiRequest(kwargs);
            case "post_api_request" -> postApiRequest(kwargs);
            case "pre_tool_call" -> preToolCall(kwargs);
            case "post_tool_call" -> postToolCall(kwargs);
            case "post_llm_call" -> touch(kwargs);
            case "subagent_start" -> subagentStart(kwargs);
            case "subagent_stop" -> subagentStop(kwargs);
            case "on_session_end" -> sessionEnd(kwargs);
            case "on_session_finalize" -> sessionFinalize(kwargs);
            case "on_session_reset" -> touch(kwargs);
            case "api_request_error" -> apiRequestError(kwargs);
            default -> {
                counters.count("unknown");
                LOG.debug("ignoring unknown hook event '{}'", event);
                yield HookReply.NOTHING;
            }
        };
    }

    private HookReply malformed(String event, String why) {
        counters.count("malformed");
        LOG.warn("malformed {} event: {}", event, why);
        return HookReply.NOTHING;
    }

    private HookReply sessionStart(JsonNode k) {
        String sessionId = required(k, "session_id");
        SessionRecord s = sessions.observe(sessionId, text(k, "platform"), text(k, "model"), null, at(k));
        if (s.cronJobId() == null) {
            return HookReply.NOTHING;
        }
        // A cron run that starts in hard breach is stopped before its first model call.
        return enforcer.block(sessionId)
                .map(b -> new HookReply(HookAction.NONE, b.pause(), Optional.of(b.message())))
                .orElse(HookReply.NOTHING);
    }

    private HookReply preLlmCall(JsonNode k) {
        String sessionId = required(k, "session_id");
        sessions.observe(sessionId, text(k, "platform"), text(k, "model"), null, at(k));
        String sender = text(k, "sender_id");
        if (sender != null && !sender.isBlank()) {
            sessions.setSender(sessionId, sender);
        }
        Enforcer.Announcements due = enforcer.announce(sessionId);
        List<String> notices = new ArrayList<>(due.notices());
        notices.addAll(runwayNotices.get());
        HookAction action = notices.isEmpty() ? HookAction.NONE : new HookAction.InjectContext(String.join("\n\n", notices));
        return new HookReply(action, due.pause(), Optional.empty());
    }

    private HookReply preApiRequest(JsonNode k) {
        String sessionId = required(k, "session_id");
        sessions.observe(sessionId, text(k, "platform"), null, null, at(k));
        long approx = k.path("approx_input_tokens").asLong(0);
        if (approx > 0) {
            estimator.rememberRequest(text(k, "api_request_id"), sessionId, approx);
        }
        // Hermes cannot cancel a model call from this hook; the bridge may act on the block by
        // shrinking the request, so the verdict is returned all the same.
        String apiRequestId = text(k, "api_request_id");
        String provider = text(k, "provider");
        if (apiRequestId == null || provider == null || provider.isBlank()) {
            return enforce(sessionId);
        }
        // The call's expected cost is held until post_api_request records the real one (a retry of the
        // same request renews the hold rather than adding to it).
        JsonNode max = k.get("max_tokens");
        Optional<Enforcer.Block> refused = enforcer.admit(new CallIntent("api:" + apiRequestId, sessionId, text(k, "platform"), provider,
                text(k, "model"), approx, max != null && max.canConvertToLong() ? max.asLong() : null));
        return refused.map(this::blocked).orElse(HookReply.NOTHING);
    }

    /** A failed attempt that will not be retried spends nothing: its hold goes back at once. */
    private HookReply apiRequestError(JsonNode k) {
        counters.count("api_request_error");
        String apiRequestId = text(k, "api_request_id");
        if (apiRequestId != null && !k.path("retryable").asBoolean(false)) {
            enforcer.release("api:" + apiRequestId);
        }
        return HookReply.NOTHING;
    }

    private HookReply postApiRequest(JsonNode k) {
        String sessionId = required(k, "session_id");
        String provider = text(k, "provider");
        if (provider == null || provider.isBlank()) {
            provider = "unknown";
        }
        String apiRequestId = text(k, "api_request_id");
        JsonNode usageNode = k.get("usage");
        TokenUsage usage;
        boolean estimated = false;
        if (usageNode == null || usageNode.isNull()) {
            usage = estimator.estimate(apiRequestId, sessionId, k);
            estimated = true;
        } else {
            try {
                usage = parseUsage(usageNode);
                estimator.takeApproxInput(apiRequestId, null);
            } catch (MalformedEvent e) {
                // Keep the call: a broken usage record is replaced by an estimate, never dropped.
                counters.count("malformed");
                LOG.warn("post_api_request {}: {}; tokens estimated instead", apiRequestId, e.getMessage());
                usage = estimator.estimate(apiRequestId, sessionId, k);
                estimated = true;
            }
        }
        Instant ts = epochSeconds(k, "ended_at").orElse(at(k));
        long latency = Math.round(k.path("api_duration").asDouble(0) * 1000);
        String eventId = apiRequestId != null ? "api:" + apiRequestId : bridgeEventId(k).map(id -> "hook:" + id).orElse(null);
        recorder.record(new CallEvent(eventId, ts, sessionId,
                text(k, "platform"), provider, text(k, "model"), text(k, "response_model"), usage, estimated, latency, null));
        if (estimated) {
            counters.count("estimated_calls");
        }
        return HookReply.NOTHING;
    }

    private HookReply preToolCall(JsonNode k) {
        String sessionId = required(k, "session_id");
        return enforce(sessionId);
    }

    /** Blocks work in hard breach; pauses the cron job once. In remote mode the central verdict decides. */
    private HookReply enforce(String sessionId) {
        return enforcer.block(sessionId).map(this::blocked).orElse(HookReply.NOTHING);
    }

    private HookReply blocked(Enforcer.Block b) {
        counters.count("blocked");
        return new HookReply(new HookAction.BlockTool(b.message()), b.pause(), Optional.empty());
    }

    private HookReply postToolCall(JsonNode k) {
        String sessionId = required(k, "session_id");
        String tool = required(k, "tool_name");
        String callId = text(k, "tool_call_id");
        String status = Optional.ofNullable(text(k, "status")).orElse("ok");
        String eventId = callId != null ? "tool:" + sessionId + ":" + callId : bridgeEventId(k).map(id -> "hook:" + id).orElse(null);
        recorder.recordTool(new ToolCall(eventId, at(k), sessionId, tool, status, text(k, "error_type"), Math.max(0, k.path("duration_ms").asLong(0))));
        return HookReply.NOTHING;
    }

    private HookReply touch(JsonNode k) {
        String sessionId = text(k, "session_id");
        if (sessionId != null) {
            sessions.observe(sessionId, text(k, "platform"), text(k, "model"), null, at(k));
        }
        return HookReply.NOTHING;
    }

    private HookReply subagentStart(JsonNode k) {
        sessions.linkChild(required(k, "child_session_id"), required(k, "parent_session_id"), at(k));
        return HookReply.NOTHING;
    }

    private HookReply subagentStop(JsonNode k) {
        String child = required(k, "child_session_id");
        String parent = required(k, "parent_session_id");
        if (sessions.find(child).map(SessionRecord::parentSessionId).isEmpty()) {
            sessions.linkChild(child, parent, at(k));
        }
        sessions.countSubagent(parent);
        String status = text(k, "child_status");
        sessions.end(child, "completed".equals(status) ? "ok" : "interrupted".equals(status) ? "interrupted" : "error",
                at(k), status);
        return HookReply.NOTHING;
    }

    private HookReply sessionEnd(JsonNode k) {
        String sessionId = required(k, "session_id");
        sessions.observe(sessionId, text(k, "platform"), null, null, at(k));
        String status = k.path("completed").asBoolean(false) ? "ok"
                : k.path("interrupted").asBoolean(false) ? "interrupted" : "error";
        sessions.end(sessionId, status, at(k), text(k, "reason"));
        return HookReply.NOTHING;
    }

    private HookReply sessionFinalize(JsonNode k) {
        String sessionId = text(k, "session_id");
        if (sessionId == null) {
            sessionId = text(k, "old_session_id");
        }
        if (sessionId == null) {
            return HookReply.NOTHING;
        }
        if (sessions.find(sessionId).isPresent()) {
            sessions.finalizeSession(sessionId, at(k), text(k, "reason"));
        }
        return HookReply.NOTHING;
    }

    private static TokenUsage parseUsage(JsonNode u) {
        if (!u.isObject()) {
            throw new MalformedEvent("usage is not an object");
        }
        try {
            return new TokenUsage(count(u, "input_tokens"), count(u, "output_tokens"), count(u, "cache_read_tokens"),
                    count(u, "cache_write_tokens"), count(u, "cache_write_1h_tokens"), count(u, "reasoning_tokens"));
        } catch (IllegalArgumentException e) {
            throw new MalformedEvent("usage: " + e.getMessage());
        }
    }

    private static long count(JsonNode u, String field) {
        JsonNode v = u.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new MalformedEvent("usage." + field + " is not a whole number: " + v);
        }
        return v.asLong();
    }

    /**
     * When the hook fired: the bridge stamps {@code _plutus_ts} (epoch seconds), which matters when
     * a spooled event is replayed later; a direct call is handled as it fires.
     */
    private Instant at(JsonNode k) {
        return epochSeconds(k, "_plutus_ts").orElseGet(clock::instant);
    }

    /** The bridge's id for this hook firing, which makes events without a Hermes id idempotent too. */
    private static Optional<String> bridgeEventId(JsonNode k) {
        return Optional.ofNullable(text(k, "_plutus_event_id")).filter(s -> !s.isBlank());
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

    private static String required(JsonNode k, String field) {
        String v = text(k, field);
        if (v == null || v.isBlank()) {
            throw new MalformedEvent("missing " + field);
        }
        return v;
    }

    private static final class MalformedEvent extends RuntimeException {
        MalformedEvent(String message) {
            super(message);
        }
    }

}
