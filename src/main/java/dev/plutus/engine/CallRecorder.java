package dev.plutus.engine;

import dev.plutus.core.CallEvent;
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

    private LlmCall prepare(CallEvent e) {
        Optional<SessionRecord> session = e.sessionId() == null ? Optional.empty()
                : Optional.of(sessions.observe(e.sessionId(), e.platform(), e.model(), e.provider(), e.timestamp()));
        CallCost cost = e.reportedCostUsd() != null
                ? new CallCost(e.reportedCostUsd(), CallCost.of(e.reportedCostUsd(), null).micros(), null, null)
                : pricing.price(e.provider(), e.model(), e.responseModel(), e.usage());
        if (!cost.priced() && unpricedSeen.add(e.provider() + "\u0000" + e.model())
                && enforcement.recordUnpriced(e.provider(), e.model(), clock.instant())) {
            LOG.warn("unpriced model: {} (provider {}); its calls are recorded at $0 and counted as unpriced."
                    + " Add it to pricing.yaml or run /setup pricing auto.", cost.unpricedReason(), e.provider());
        }
        return new LlmCall(e.eventId(), e.timestamp(), e.sessionId(),
                session.map(SessionRecord::rootSessionId).orElse(null),
                e.platform() != null ? e.platform() : session.map(SessionRecord::platform).orElse(null),
                session.map(SessionRecord::cronJobId).orElse(null), session.map(SessionRecord::senderId).orElse(null),
                e.provider(), e.model(), e.responseModel(), e.usage(), e.estimated(), cost.micros(), cost.priced(),
                cost.entryKey(), e.latencyMillis(), e.origin());
    }
}
