package dev.plutus.engine;

import dev.plutus.budget.BudgetFile;
import dev.plutus.budget.EnforcementMode;
import dev.plutus.core.CallEvent;
import dev.plutus.core.InputRanges;
import dev.plutus.core.TokenUsage;
import dev.plutus.core.LlmCall;
import dev.plutus.core.RecordedCall;
import dev.plutus.core.ToolCall;
import dev.plutus.pricing.CallCost;
import dev.plutus.pricing.PriceEntry;
import dev.plutus.pricing.PricingEngine;
import dev.plutus.store.CallStore;
import dev.plutus.store.EnforcementStore;
import dev.plutus.store.SessionDirectory;
import dev.plutus.store.SessionRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prices each call, resolves who made it (session root, cron job, sender), and hands it to the sink.
 * A call no price matches is counted at a provisional price under {@code on_unpriced: provisional}
 * (the default), and its session is told so once per model ({@link #provisionalNotices}).
 */
public final class CallRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(CallRecorder.class);
    /** Sessions with a provisional-price notice waiting for their next turn; past this many, new ones wait for none. */
    private static final int PENDING_SESSIONS_LIMIT = 10_000;

    private record PendingNotice(String provider, String model, String text) {}

    private final SessionDirectory sessions;
    private final PricingEngine pricing;
    private final BudgetFile budgets;
    private final EnforcementStore enforcement;
    private final CallStore calls;
    private final CallSink sink;
    private final Clock clock;
    /** Unpriced models this process has already put in the once-only ledger. */
    private final Set<String> unpricedSeen = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Map<String, PendingNotice>> pendingNotices = new ConcurrentHashMap<>();

    CallRecorder(SessionDirectory sessions, PricingEngine pricing, BudgetFile budgets, EnforcementStore enforcement,
            CallStore calls, CallSink sink, Clock clock) {
        this.sessions = sessions;
        this.pricing = pricing;
        this.budgets = budgets;
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
        SessionRecord session = e.sessionId() == null ? null
                : sessions.observeCall(e.sessionId(), e.platform(), e.model(), e.provider(), countsAt);
        CallCost cost = e.reportedCostUsd() != null
                ? new CallCost(e.reportedCostUsd(), CallCost.of(e.reportedCostUsd(), null).micros(), null, null)
                : pricing.price(e.provider(), e.model(), e.responseModel(), e.usage(), countsAt, e.images());
        if (!cost.priced() && budgets.current().onUnpriced() == EnforcementMode.PROVISIONAL) {
            cost = pricing.provisional(e.provider(), e.usage(), cost.unpricedReason());
            if (e.sessionId() != null) {
                awaitNotice(e.sessionId(), e.provider(), e.model(), cost.entry());
            }
        }
        if (!cost.priced() && unpricedSeen.add(e.provider() + "\u0000" + e.model())
                && enforcement.recordUnpriced(e.provider(), e.model(), clock.instant())) {
            if (cost.provisional()) {
                LOG.warn("unpriced model: {} (provider {}); its calls count at the provisional price of {} until a price"
                        + " is known. Add it to pricing.yaml or run /setup pricing auto.", cost.unpricedReason(), e.provider(),
                        cost.entryKey());
            } else {
                LOG.warn("unpriced model: {} (provider {}); its calls are recorded at $0 and counted as unpriced."
                        + " Add it to pricing.yaml or run /setup pricing auto.", cost.unpricedReason(), e.provider());
            }
        }
        return new LlmCall(e.eventId(), countsAt, e.sessionId(),
                session == null ? null : session.rootSessionId(),
                e.platform() != null ? e.platform() : session == null ? null : session.platform(),
                session == null ? null : session.cronJobId(), session == null ? null : session.senderId(),
                e.provider(), e.model(), e.responseModel(), e.usage(), e.estimated(), cost.micros(), cost.priced(),
                cost.recordedEntry(), e.latencyMillis(), e.origin(), reportedAt, cost.provisional());
    }

    private static void requireTokens(CallEvent e) {
        TokenUsage u = e.usage();
        requireTokens(e, u.input());
        requireTokens(e, u.output());
        requireTokens(e, u.cacheRead());
        requireTokens(e, u.cacheWrite());
        requireTokens(e, u.cacheWrite1h());
        requireTokens(e, u.reasoning());
    }

    private static void requireTokens(CallEvent e, long n) {
        if (n > InputRanges.MAX_TOKENS) {
            throw new IllegalArgumentException("call " + e.eventId() + ": a token count of " + n + " is over "
                    + InputRanges.MAX_TOKENS);
        }
    }

    private void awaitNotice(String sessionId, String provider, String model, PriceEntry standIn) {
        if (pendingNotices.size() >= PENDING_SESSIONS_LIMIT && !pendingNotices.containsKey(sessionId)) {
            return;
        }
        // The notice is worded only when the session does not have one waiting for this model yet (once, not per call).
        pendingNotices.computeIfAbsent(sessionId, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(provider + "\u0000" + model, k -> new PendingNotice(provider, model, noticeText(provider, model, standIn)));
    }

    /**
     * Notices for the conversation of {@code sessionId}: one the first time the session used each model
     * at a provisional price (once per session and model, across processes and restarts).
     */
    public List<String> provisionalNotices(String sessionId) {
        if (sessionId == null || pendingNotices.isEmpty()) {
            return List.of();
        }
        Map<String, PendingNotice> due = pendingNotices.remove(sessionId);
        if (due == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (PendingNotice n : due.values()) {
            if (enforcement.recordProvisionalNotice(sessionId, n.provider(), n.model(), clock.instant())) {
                out.add(n.text());
            }
        }
        return out;
    }

    /** Whether {@link #provisionalNotices} may have a notice for the session: a read that hands nothing out. */
    public boolean provisionalNoticePending(String sessionId) {
        return sessionId != null && pendingNotices.containsKey(sessionId);
    }

    static String noticeText(String provider, String model, PriceEntry standIn) {
        String price = "$" + standIn.input().stripTrailingZeros().toPlainString() + " in / $"
                + standIn.output().stripTrailingZeros().toPlainString() + " out per million tokens";
        String whose = PricingEngine.FALLBACK_KEY.equals(standIn.key()) ? "Plutus's fallback price (" + price + ")"
                : "the price of " + provider + "'s dearest known model, " + standIn.key() + " (" + price + ")";
        return "[Plutus] Model '" + model + "' (provider " + provider + ") has no known price. Its calls count toward"
                + " budgets at a provisional price, " + whose + ", until a real price is known (add it to pricing.yaml"
                + " or run /setup pricing auto); they are then re-priced. /stats and /budget mark provisional amounts.";
    }
}
