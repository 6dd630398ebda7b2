package dev.plutus.hermes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.CallEvent;
import dev.plutus.core.CallIntent;
import dev.plutus.core.TokenUsage;
import dev.plutus.core.ToolCall;
import dev.plutus.store.SessionRecord;
import dev.plutus.engine.CallRecorder;
import dev.plutus.engine.Enforcer;
import dev.plutus.engine.VerdictUnknown;
import dev.plutus.store.SessionDirectory;
import java.time.Clock;
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
        try {
            HookEvent e = HookEvents.parse(event, kwargs, clock.instant(), note -> clamped(event, note));
            if (e instanceof HookEvent.PreToolCall t) {
                seen(t.sessionId(), t.platform(), t.model(), t.at());
            } else if (e instanceof HookEvent.ApiRequestError f) {
                seen(f.sessionId(), f.platform(), f.model(), f.at());
            } else if (e instanceof HookEvent.SessionStart s) {
                seen(s.sessionId(), s.platform(), s.model(), s.at());
            } else if (e instanceof HookEvent.PreLlmCall p) {
                seen(p.sessionId(), p.platform(), p.model(), p.at());
                if (p.senderId() != null && !p.senderId().isBlank()) {
                    rememberSender(need(p.sessionId(), "session_id"), p.senderId());
                }
            } else if (e instanceof HookEvent.PreApiRequest p) {
                seen(p.sessionId(), p.platform(), null, p.at());
                if (p.approxInputTokens() > 0) {
                    estimator.rememberRequest(p.apiRequestId(), p.sessionId(), p.approxInputTokens());
                }
            } else {
                handle(e);
            }
            return ReplayOutcome.DONE;
        } catch (HookEvents.Malformed | IllegalArgumentException e) {
            // Replaying again would fail the same way: set aside, not retried for ever in front of the rest.
            malformed(event, e.getMessage());
            return ReplayOutcome.REJECTED;
        } catch (RuntimeException e) {
            counters.count("errors");
            LOG.warn("replay of {} failed, will retry: {}", event, e, e);
            return ReplayOutcome.RETRY;
        }
    }

    /** A line of a hook journal: the hook's name and its keyword arguments. */
    public record Journaled(String event, JsonNode kwargs) {}

    /**
     * Handles hooks the bridge wrote to its journal instead of sending (hooks whose answer is not wanted), in their
     * order, each as {@link #dispatch} would and counted as a hook event, except that a pre_api_request only renews
     * its hold ({@link #renewHold}) and model calls following each other are recorded together ({@link CallRecorder#recordAll}: one batch costs the engine
     * a fraction of as many single calls). A store failure asks for the line to be read again later; an event that
     * fails for any other reason is set aside (kept in rejected.jsonl), never retried in front of the rest of its
     * journal. Returns an outcome per hook handled, in order; after a {@link ReplayOutcome#RETRY} nothing more was
     * handled, so the list ends there.
     */
    public List<ReplayOutcome> journaledAll(List<Journaled> events) {
        List<ReplayOutcome> out = new ArrayList<>(events.size());
        List<CallEvent> calls = new ArrayList<>();
        List<String> callEvents = new ArrayList<>();
        for (Journaled j : events) {
            counters.count("events");
            counters.count("journaled");
            HookEvent e;
            try {
                e = HookEvents.parse(j.event(), j.kwargs(), clock.instant(), note -> clamped(j.event(), note));
                CallEvent call = e instanceof HookEvent.PostApiRequest p ? callOf(p)
                        : e instanceof HookEvent.AuxiliaryCall a ? callOf(a) : null;
                if (call != null || e instanceof HookEvent.AuxiliaryCall) {
                    if (call != null) {
                        calls.add(call);
                        callEvents.add(j.event());
                    } else {
                        counters.count("event." + j.event());
                    }
                    // Held until the next hook that is not a call (or the end): a DONE placeholder fixed up by the flush.
                    out.add(call != null ? null : ReplayOutcome.DONE);
                    continue;
                }
            } catch (HookEvents.Malformed | IllegalArgumentException ex) {
                malformed(j.event(), ex.getMessage());
                out.add(ReplayOutcome.REJECTED);
                continue;
            }
            if (!flush(calls, callEvents, out)) {
                return upToRetry(out);
            }
            ReplayOutcome o = journaledParsed(j.event(), e);
            out.add(o);
            if (o == ReplayOutcome.RETRY) {
                return out;
            }
        }
        flush(calls, callEvents, out);
        return upToRetry(out);
    }

    private static List<ReplayOutcome> upToRetry(List<ReplayOutcome> out) {
        int retry = out.indexOf(ReplayOutcome.RETRY);
        return retry < 0 ? out : out.subList(0, retry + 1);
    }

    /** One journaled hook already parsed (see {@link #journaledAll}). */
    private ReplayOutcome journaledParsed(String event, HookEvent e) {
        try {
            if (e instanceof HookEvent.PreApiRequest p) {
                renewHold(p);
            } else {
                handle(e);
            }
            counters.count("event." + event);
            return ReplayOutcome.DONE;
        } catch (HookEvents.Malformed | IllegalArgumentException ex) {
            malformed(event, ex.getMessage());
            return ReplayOutcome.REJECTED;
        } catch (dev.plutus.store.StoreException ex) {
            counters.count("store_errors");
            LOG.warn("journaled {} could not be stored, read again later: {}", event, ex.getMessage());
            return ReplayOutcome.RETRY;
        } catch (VerdictUnknown ex) {
            // A journaled pre_api_request renews the hold the middleware's verdict placed; with no verdict now that hold
            // stands as it was, and nothing about the line is wrong, so it is not set aside.
            counters.count("verdict_unknown");
            LOG.warn("journaled {}: verdict unknown ({}); the hold placed before stands", event, ex.getMessage());
            return ReplayOutcome.DONE;
        } catch (RuntimeException ex) {
            counters.count("errors");
            LOG.warn("journaled {} failed: {}", event, ex, ex);
            return ReplayOutcome.REJECTED;
        }
    }

    /**
     * Records the calls waiting in one batch and fills in their outcomes (the nulls of {@code out}, in order).
     * A call the recorder refuses fails the whole batch, so the batch is then recorded one by one to find it
     * (event ids keep the ones already counted from counting twice). False when the store failed: retry.
     */
    private boolean flush(List<CallEvent> calls, List<String> events, List<ReplayOutcome> out) {
        if (calls.isEmpty()) {
            return true;
        }
        List<ReplayOutcome> outcomes = new ArrayList<>(calls.size());
        try {
            recorder.recordAll(calls);
            for (String event : events) {
                counters.count("event." + event);
                outcomes.add(ReplayOutcome.DONE);
            }
        } catch (dev.plutus.store.StoreException ex) {
            counters.count("store_errors");
            LOG.warn("{} journaled calls could not be stored, read again later: {}", calls.size(), ex.getMessage());
            outcomes.add(ReplayOutcome.RETRY);
        } catch (RuntimeException batchFailed) {
            for (int i = 0; i < calls.size(); i++) {
                ReplayOutcome o = recordOne(events.get(i), calls.get(i));
                outcomes.add(o);
                if (o == ReplayOutcome.RETRY) {
                    break;
                }
            }
        }
        int next = 0;
        for (int i = 0; i < out.size() && next < outcomes.size(); i++) {
            if (out.get(i) == null) {
                out.set(i, outcomes.get(next++));
            }
        }
        // Calls after a RETRY were not recorded: cut there (the caller reads them again).
        if (next < calls.size()) {
            int cut = out.indexOf(null);
            out.subList(cut, out.size()).clear();
        }
        calls.clear();
        events.clear();
        return !outcomes.contains(ReplayOutcome.RETRY);
    }

    private ReplayOutcome recordOne(String event, CallEvent call) {
        try {
            recorder.record(call);
            counters.count("event." + event);
            return ReplayOutcome.DONE;
        } catch (dev.plutus.store.StoreException ex) {
            counters.count("store_errors");
            LOG.warn("journaled {} could not be stored, read again later: {}", event, ex.getMessage());
            return ReplayOutcome.RETRY;
        } catch (IllegalArgumentException ex) {
            malformed(event, ex.getMessage());
            return ReplayOutcome.REJECTED;
        } catch (RuntimeException ex) {
            counters.count("errors");
            LOG.warn("journaled {} failed: {}", event, ex, ex);
            return ReplayOutcome.REJECTED;
        }
    }

    /** What became of a replayed event: stored, unusable (set aside), or to be tried again later. */
    public enum ReplayOutcome { DONE, REJECTED, RETRY }

    /**
     * The hook's answer. Throws {@link VerdictUnknown} when the event asks for a verdict (may a tool
     * run, may a call go out, are notices due) and none could be computed, whatever failed: the host
     * answers that as it answers an unreachable Plutus, so its fail mode decides, never "ok".
     */
    public HookReply dispatch(String event, JsonNode kwargs) {
        counters.count("events");
        try {
            HookReply reply = handle(HookEvents.parse(event, kwargs, clock.instant(), note -> clamped(event, note)));
            counters.count("event." + event);
            return reply;
        } catch (HookEvents.Malformed e) {
            return malformed(event, e.getMessage());
        } catch (VerdictUnknown e) {
            counters.count("verdict_unknown");
            LOG.warn("hook {}: {}", event, e.getMessage());
            throw e;
        } catch (dev.plutus.store.StoreException e) {
            // Not swallowed: the event is not stored, so the caller must keep it (the bridge spools it
            // and applies its fail_mode; the daemon replays the spool once the store is back).
            counters.count("store_errors");
            LOG.warn("hook {} could not be stored: {}", event, e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            if (VERDICT_EVENTS.contains(event)) {
                counters.count("verdict_unknown");
                LOG.warn("hook {} failed, its verdict is unknown: {}", event, e, e);
                throw new VerdictUnknown(VerdictUnknown.reasonOf(e), e);
            }
            counters.count("errors");
            LOG.warn("hook {} failed: {}", event, e, e);
            return HookReply.NOTHING;
        }
    }

    /** Hooks whose answer is a verdict (on_session_start stops a cron run in hard breach). */
    private static final java.util.Set<String> VERDICT_EVENTS = java.util.Set.of("pre_tool_call", "pre_llm_call",
            "pre_api_request", "llm_request", "on_session_start");

    /** Whether the hook's answer is a budget verdict, which must never default to "ok" when it cannot be computed. */
    public static boolean asksForVerdict(String event) {
        return VERDICT_EVENTS.contains(event);
    }

    /** A number of the hook's arguments was out of range and clamped (see {@link HookEvents#parse}): counted and logged. */
    private void clamped(String event, String note) {
        counters.count("clamped");
        LOG.warn("{}: {}", event, note);
    }

    private HookReply handle(HookEvent e) {
        if (e instanceof HookEvent.SessionStart s) {
            return sessionStart(s);
        } else if (e instanceof HookEvent.PreLlmCall p) {
            return preLlmCall(p);
        } else if (e instanceof HookEvent.PreApiRequest p) {
            return preApiRequest(p);
        } else if (e instanceof HookEvent.PostApiRequest p) {
            return postApiRequest(p);
        } else if (e instanceof HookEvent.AuxiliaryCall a) {
            return auxiliaryCall(a);
        } else if (e instanceof HookEvent.PreToolCall t) {
            // No session named: the scopes that do not depend on one (the global cap) still decide.
            return enforce(t.sessionId() == null || t.sessionId().isBlank() ? null : t.sessionId());
        } else if (e instanceof HookEvent.PostToolCall t) {
            return postToolCall(t);
        } else if (e instanceof HookEvent.ApiRequestError f) {
            return apiRequestError(f);
        } else if (e instanceof HookEvent.SubagentStart s) {
            sessions.linkChild(need(s.childSessionId(), "child_session_id"), need(s.parentSessionId(), "parent_session_id"), s.at());
        } else if (e instanceof HookEvent.SubagentStop s) {
            subagentStop(s);
        } else if (e instanceof HookEvent.SessionEnd s) {
            sessionEnd(s);
        } else if (e instanceof HookEvent.SessionFinalize f) {
            if (f.sessionId() != null && sessions.find(f.sessionId()).isPresent()) {
                sessions.finalizeSession(f.sessionId(), f.at(), f.reason());
            }
        } else if (e instanceof HookEvent.SessionSeen s) {
            seen(s.sessionId(), s.platform(), s.model(), s.at());
        } else if (e instanceof HookEvent.Unknown u) {
            counters.count("unknown");
            LOG.debug("ignoring unknown hook event '{}'", u.name());
        }
        return HookReply.NOTHING;
    }

    private HookReply malformed(String event, String why) {
        counters.count("malformed");
        LOG.warn("malformed {} event: {}", event, why);
        return HookReply.NOTHING;
    }

    private HookReply sessionStart(HookEvent.SessionStart e) {
        String sessionId = need(e.sessionId(), "session_id");
        SessionRecord s = sessions.observe(sessionId, e.platform(), e.model(), null, e.at());
        if (s.cronJobId() == null) {
            return HookReply.NOTHING;
        }
        // A cron run that starts in hard breach is stopped before its first model call.
        return enforcer.block(sessionId)
                .map(b -> new HookReply(HookAction.NONE, b.pause(), Optional.of(b.message())))
                .orElse(HookReply.NOTHING);
    }

    private HookReply preLlmCall(HookEvent.PreLlmCall e) {
        String sessionId = need(e.sessionId(), "session_id");
        sessions.observe(sessionId, e.platform(), e.model(), null, e.at());
        rememberSender(sessionId, e.senderId());
        Enforcer.Announcements due = enforcer.announce(sessionId);
        List<String> notices = new ArrayList<>(due.notices());
        notices.addAll(recorder.provisionalNotices(sessionId));
        notices.addAll(runwayNotices.get());
        HookAction action = notices.isEmpty() ? HookAction.NONE : new HookAction.InjectContext(String.join("\n\n", notices));
        return new HookReply(action, due.pause(), Optional.empty());
    }

    private void rememberSender(String sessionId, String sender) {
        if (sender != null && !sender.isBlank()) {
            sessions.setSender(sessionId, sender);
        }
    }

    private HookReply preApiRequest(HookEvent.PreApiRequest e) {
        // No session named is not malformed: a call still goes out and costs money, so the scopes that
        // do not depend on a session (global, and with a reservation the provider and model) still decide.
        String sessionId = noteRequest(e);
        // Hermes cannot cancel a model call from this hook; the bridge may act on the block by
        // shrinking the request, so the verdict is returned all the same.
        if (e.apiRequestId() == null || e.apiRequestId().isBlank() || e.provider() == null || e.provider().isBlank()) {
            return enforce(sessionId);
        }
        // The call's expected cost is held until post_api_request records the real one (a retry of the
        // same request renews the hold rather than adding to it).
        Optional<Enforcer.Block> refused = enforcer.admit(new CallIntent("api:" + e.apiRequestId(), sessionId, e.platform(),
                e.provider(), e.model(), e.approxInputTokens(), e.maxTokens()));
        return refused.map(this::blocked).orElse(HookReply.NOTHING);
    }

    /** Sees the request's session and remembers its prompt size (to estimate a reply without usage); its session or null. */
    private String noteRequest(HookEvent.PreApiRequest e) {
        String sessionId = e.sessionId() == null || e.sessionId().isBlank() ? null : e.sessionId();
        if (sessionId != null) {
            sessions.observe(sessionId, e.platform(), null, null, e.at());
        }
        if (e.approxInputTokens() > 0) {
            estimator.rememberRequest(e.apiRequestId(), sessionId, e.approxInputTokens());
        }
        return sessionId;
    }

    /**
     * A journaled pre_api_request: the bridge's middleware already asked about this call and it went out, so its hold
     * is only renewed (Enforcer#renew); nothing is decided that someone would have to carry out.
     */
    private void renewHold(HookEvent.PreApiRequest e) {
        String sessionId = noteRequest(e);
        if (e.apiRequestId() != null && !e.apiRequestId().isBlank() && e.provider() != null && !e.provider().isBlank()) {
            enforcer.renew(new CallIntent("api:" + e.apiRequestId(), sessionId, e.platform(), e.provider(), e.model(),
                    e.approxInputTokens(), e.maxTokens()));
        }
    }

    /** A failed attempt that will not be retried spends nothing: its hold goes back at once. */
    private HookReply apiRequestError(HookEvent.ApiRequestError e) {
        counters.count("api_request_error");
        if (e.apiRequestId() != null && !e.retryable()) {
            enforcer.release("api:" + e.apiRequestId());
        }
        return HookReply.NOTHING;
    }

    private HookReply postApiRequest(HookEvent.PostApiRequest e) {
        recorder.record(callOf(e));
        return HookReply.NOTHING;
    }

    /** The call a post_api_request reports, its tokens estimated when Hermes gave none (counted here). */
    private CallEvent callOf(HookEvent.PostApiRequest e) {
        String sessionId = need(e.sessionId(), "session_id");
        String provider = e.provider() == null || e.provider().isBlank() ? "unknown" : e.provider();
        TokenUsage usage = e.usage();
        boolean estimated = usage == null;
        if (e.usageProblem() != null) {
            // Keep the call: a broken usage record is replaced by an estimate, never dropped.
            counters.count("malformed");
            LOG.warn("post_api_request {}: {}; tokens estimated instead", e.apiRequestId(), e.usageProblem());
        }
        if (estimated) {
            usage = estimator.estimate(e.apiRequestId(), sessionId, e.requestApproxInputTokens(), e.outputChars());
        } else {
            estimator.takeApproxInput(e.apiRequestId(), null);
        }
        String eventId = e.apiRequestId() != null ? "api:" + e.apiRequestId()
                : e.bridgeEventId() != null ? "hook:" + e.bridgeEventId() : null;
        if (estimated) {
            counters.count("estimated_calls");
        }
        return new CallEvent(eventId, e.endedAt(), sessionId, e.platform(), provider, e.model(), e.responseModel(), usage,
                estimated, e.latencyMillis(), null);
    }

    /** Prefix of the event id of an auxiliary call: how the store tells those calls apart (see {@link #auxiliaryTask}). */
    public static final String AUXILIARY_PREFIX = "aux:";

    /**
     * Recorded, priced and counted against the session's budgets like any call. Its event id
     * ({@code aux:<task>:<api_request_id>}) marks it as auxiliary in the store, so /stats shows it apart.
     * A failed attempt with no usage is not recorded: the provider refused it and billed nothing.
     */
    private HookReply auxiliaryCall(HookEvent.AuxiliaryCall e) {
        CallEvent call = callOf(e);
        if (call != null) {
            recorder.record(call);
        }
        return HookReply.NOTHING;
    }

    /** The call an auxiliary hook reports, or null for a failed attempt with no usage (billed nothing). */
    private CallEvent callOf(HookEvent.AuxiliaryCall e) {
        counters.count("auxiliary_calls");
        if (e.failed() && e.usage() == null) {
            return null;
        }
        String provider = e.provider() == null || e.provider().isBlank() ? "unknown" : e.provider();
        TokenUsage usage = e.usage();
        boolean estimated = usage == null;
        if (e.usageProblem() != null) {
            counters.count("malformed");
            LOG.warn("post_auxiliary_call {}: {}; tokens estimated instead", e.apiRequestId(), e.usageProblem());
        }
        if (estimated) {
            usage = estimator.estimate(null, e.sessionId(), 0, 0);
        }
        String id = e.apiRequestId() != null && !e.apiRequestId().isBlank() ? e.apiRequestId()
                : e.bridgeEventId() != null ? "hook:" + e.bridgeEventId() : null;
        String eventId = id == null ? null : AUXILIARY_PREFIX + e.auxTask().replace(':', '_') + ":" + id;
        return new CallEvent(eventId, e.at(), e.sessionId(), null, provider, e.model(), e.responseModel(), usage,
                estimated, e.latencyMillis(), null);
    }

    /** The side task of an auxiliary call from its stored event id, or null for any other call. */
    public static String auxiliaryTask(String eventId) {
        if (eventId == null || !eventId.startsWith(AUXILIARY_PREFIX)) {
            return null;
        }
        int end = eventId.indexOf(':', AUXILIARY_PREFIX.length());
        return end < 0 ? "other" : eventId.substring(AUXILIARY_PREFIX.length(), end);
    }

    /** Blocks work in hard breach; pauses the cron job once. In remote mode the central verdict decides. */
    private HookReply enforce(String sessionId) {
        return enforcer.block(sessionId).map(this::blocked).orElse(HookReply.NOTHING);
    }

    private HookReply blocked(Enforcer.Block b) {
        counters.count("blocked");
        return new HookReply(new HookAction.BlockTool(b.message()), b.pause(), Optional.empty());
    }

    private HookReply postToolCall(HookEvent.PostToolCall e) {
        String sessionId = need(e.sessionId(), "session_id");
        String tool = need(e.toolName(), "tool_name");
        String eventId = e.toolCallId() != null ? "tool:" + sessionId + ":" + e.toolCallId()
                : e.bridgeEventId() != null ? "hook:" + e.bridgeEventId() : null;
        recorder.recordTool(new ToolCall(eventId, e.at(), sessionId, tool, e.status(), e.errorType(), e.durationMillis()));
        return HookReply.NOTHING;
    }

    private void seen(String sessionId, String platform, String model, java.time.Instant at) {
        if (sessionId != null) {
            sessions.observe(sessionId, platform, model, null, at);
        }
    }

    private void subagentStop(HookEvent.SubagentStop e) {
        String child = need(e.childSessionId(), "child_session_id");
        String parent = need(e.parentSessionId(), "parent_session_id");
        if (sessions.find(child).map(SessionRecord::parentSessionId).isEmpty()) {
            sessions.linkChild(child, parent, e.at());
        }
        sessions.countSubagent(parent);
        String status = e.childStatus();
        sessions.end(child, "completed".equals(status) ? "ok" : "interrupted".equals(status) ? "interrupted" : "error",
                e.at(), status);
    }

    private void sessionEnd(HookEvent.SessionEnd e) {
        String sessionId = need(e.sessionId(), "session_id");
        sessions.observe(sessionId, e.platform(), null, null, e.at());
        String status = e.completed() ? "ok" : e.interrupted() ? "interrupted" : "error";
        sessions.end(sessionId, status, e.at(), e.reason());
    }

    private static String need(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new HookEvents.Malformed("missing " + field);
        }
        return value;
    }
}
