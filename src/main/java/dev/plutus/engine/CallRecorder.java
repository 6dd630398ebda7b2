package dev.plutus.engine;

import dev.plutus.core.CallEvent;
import dev.plutus.core.InputRanges;
import dev.plutus.core.TokenUsage;
import dev.plutus.core.LlmCall;
import dev.plutus.core.RecordedCall;
import dev.plutus.core.ToolCall;
import dev.plutus.pricing.CallCost;
import dev.plutus.pricing.PricingEngine;
import dev.plutus.store.CallStore;
import dev.plutus.store.EnforcementStore;
import dev.plutus.store.SessionDirectory;
import dev.plutus.store.SessionRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Prices each call, resolves who made it (session root, cron job, sender), and hands it to the sink. */
public final class CallRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(CallRecorder.class);

    private final SessionDirectory sessions;
    private final PricingEngine pricing;
    private final EnforcementStore enforcement;
    private final CallStore calls;
    private final CallSink sink;
    private final Clock clock;
    /** Unpriced models this process has already put in the once-only ledger. */
    private final Set<String> unpricedSeen = ConcurrentHashMap.newKeySet();

    CallRecorder(SessionDirectory sessions, PricingEngine pricing, EnforcementStore enforcement, CallStore calls, CallSink sink,
            Clock clock) {
        this.sessions = sessions;
        this.pricing = pricing;
        this.enforcement = enforcement;
        this.calls = calls;
        this.sink = sink;
        this.clock = clock;
    }

    /**
     * Prices and stores one call, and counts it toward every budget it falls under. Returns once the
     * row is committed; concurrent callers share commits.
     */
    public RecordedCall record(CallEvent e) {
        return recordAll(List.of(e)).get(0);
    }

    /** Records the calls in as few transactions as possible (one per 512); results in the same order. */
    public List<RecordedCall> recordAll(List<CallEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        List<LlmCall> prepared = new ArrayList<>(events.size());
        for (CallEvent e : events) {
            prepared.add(prepare(e));
        }
        return sink.accept(prepared, events);
    }

    /** Stores a tool run; false when it was a replay already stored. */
    public boolean recordTool(ToolCall t) {
        if (t.sessionId() != null) {
            sessions.observe(t.sessionId(), null, null, null, t.timestamp());
        }
        return calls.insertTool(t);
    }

    /**
     * The one door every call comes through (hooks, {@code /v1/usage}, the spool, the state.db import,
     * JVM callers): a call dated ahead of now counts now, with the sender's time kept as
     * {@link LlmCall#reportedAt()}, so a sender's clock (or a timestamp in the wrong unit) can never move
     * a budget period and make spent money vanish from it. Times no call can have are refused; the
     * hosts that must not refuse (hooks) clamp them before they get here.
     */
    private LlmCall prepare(CallEvent e) {
        Instant received = clock.instant();
        Optional<String> timeProblem = InputRanges.timeProblem(e.timestamp(), received);
        if (timeProblem.isPresent()) {
            throw new IllegalArgumentException("call " + e.eventId() + ": timestamp " + timeProblem.get());
        }
        Instant countsAt = e.timestamp().isAfter(received) ? received : e.timestamp();
        Instant reportedAt = countsAt.equals(e.timestamp()) ? null : e.timestamp();
        if (e.latencyMillis() > InputRanges.MAX_DURATION_MILLIS) {
            throw new IllegalArgumentException("call " + e.eventId() + ": latency of " + e.latencyMillis() + " ms is over "
                    + InputRanges.MAX_DURATION_MILLIS);
        }
        if (e.reportedCostUsd() != null && e.reportedCostUsd().compareTo(InputRanges.MAX_COST_USD) > 0) {
            throw new IllegalArgumentException("call " + e.eventId() + ": cost_usd " + e.reportedCostUsd().toPlainString()
                    + " is over " + InputRanges.MAX_COST_USD.toPlainString());
        }
        requireTokens(e);
        Optional<SessionRecord> session = e.sessionId() == null ? Optional.empty()
                : Optional.of(sessions.observe(e.sessionId(), e.platform(), e.model(), e.provider(), countsAt));
        CallCost cost = e.reportedCostUsd() != null
                ? new CallCost(e.reportedCostUsd(), CallCost.of(e.reportedCostUsd(), null).micros(), null, null)
                : pricing.price(e.provider(), e.model(), e.responseModel(), e.usage());
        if (!cost.priced() && unpricedSeen.add(e.provider() + "\u0000" + e.model())
                && enforcement.recordUnpriced(e.provider(), e.model(), clock.instant())) {
            LOG.warn("unpriced model: {} (provider {}); its calls are recorded at $0 and counted as unpriced."
                    + " Add it to pricing.yaml or run /setup pricing auto.", cost.unpricedReason(), e.provider());
        }
        return new LlmCall(e.eventId(), countsAt, e.sessionId(),
                session.map(SessionRecord::rootSessionId).orElse(null),
                e.platform() != null ? e.platform() : session.map(SessionRecord::platform).orElse(null),
                session.map(SessionRecord::cronJobId).orElse(null), session.map(SessionRecord::senderId).orElse(null),
                e.provider(), e.model(), e.responseModel(), e.usage(), e.estimated(), cost.micros(), cost.priced(),
                cost.entryKey(), e.latencyMillis(), e.origin(), reportedAt);
    }

    private static void requireTokens(CallEvent e) {
        TokenUsage u = e.usage();
        for (long n : new long[] {u.input(), u.output(), u.cacheRead(), u.cacheWrite(), u.cacheWrite1h(), u.reasoning()}) {
            if (n > InputRanges.MAX_TOKENS) {
                throw new IllegalArgumentException("call " + e.eventId() + ": a token count of " + n + " is over "
                        + InputRanges.MAX_TOKENS);
            }
        }
    }
}
