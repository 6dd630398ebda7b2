package dev.plutus.engine;

import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.BudgetConfig;
import dev.plutus.budget.BudgetPlan;
import dev.plutus.budget.VerdictMemo;
import dev.plutus.budget.BudgetEvaluator;
import dev.plutus.budget.BudgetFile;
import dev.plutus.budget.BudgetMessages;
import dev.plutus.budget.CronPauseRequest;
import dev.plutus.budget.Level;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.ScopeStatus;
import dev.plutus.budget.Scopes;
import dev.plutus.budget.SpendLedger;
import dev.plutus.budget.Verdict;
import dev.plutus.store.EnforcementStore;
import dev.plutus.store.SessionDirectory;
import dev.plutus.store.SessionRecord;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Budget verdicts from this process's running totals: for a set of scopes or a session, which
 * notices are due (once per scope, window and period, across processes), and when a cron job is to
 * be paused.
 */
public final class BudgetGate {
    private static final Logger LOG = LoggerFactory.getLogger(BudgetGate.class);

    private final BudgetFile budgets;
    private final SpendLedger ledger;
    private final SessionDirectory sessions;
    private final EnforcementStore enforcement;
    private final Clock clock;
    private final EnumMap<Level, LongAdder> verdicts = new EnumMap<>(Level.class);
    private final BudgetEvaluator evaluator;
    private volatile BudgetPlan plan;
    /**
     * Per session, its scopes as planned and its last verdict, so a session's check reads the running
     * totals and returns without a lock or an allocation while nothing it depends on changed. Keyed by the
     * session record object: a session whose root, cron job, sender or model changes gets a new record.
     */
    private final ConcurrentHashMap<String, SessionVerdict> memos = new ConcurrentHashMap<>();
    /** Past this many sessions the memos are dropped and rebuilt as sessions are checked. */
    private static final int MAX_MEMOS = 50_000;

    /** A session's record as last found, its planned scopes and its last verdict. */
    private static final class SessionVerdict {
        final SessionRecord source;
        final BudgetPlan.Planned planned;
        /** The plan {@code planned} belongs to, kept here so an unchanged verdict is told without reading {@code planned}. */
        final BudgetPlan plan;
        final VerdictMemo memo;
        /** {@code memo}'s verdict, kept here so an unchanged verdict is returned without reading more objects. */
        final BudgetCheck check;
        /** The session directory's revision at which {@code source} was last found current. */
        volatile long revision;

        SessionVerdict(SessionRecord source, BudgetPlan.Planned planned, VerdictMemo memo, long revision) {
            this.source = source;
            this.planned = planned;
            this.plan = planned.plan();
            this.memo = memo;
            this.check = memo.check();
            this.revision = revision;
        }
    }

    BudgetGate(BudgetFile budgets, SpendLedger ledger, SessionDirectory sessions, EnforcementStore enforcement, Clock clock) {
        this.budgets = budgets;
        this.ledger = ledger;
        this.sessions = sessions;
        this.enforcement = enforcement;
        this.clock = clock;
        this.evaluator = new BudgetEvaluator(ledger);
        for (Level l : Level.values()) {
            verdicts.put(l, new LongAdder());
        }
    }

    /**
     * Every limited scope the session spends into, and the verdict; {@link Verdict.Unknown} (never ok)
     * when it cannot be computed.
     */
    public BudgetCheck checkSession(String sessionId) {
        BudgetCheck c = verdictOf(sessionId);
        count(c);
        return c;
    }

    /**
     * As {@link #checkSession}, without counting it among the verdicts answered: for a verdict published
     * ahead of being asked (the daemon's verdict snapshot), which no host has asked for yet.
     */
    public BudgetCheck peekSession(String sessionId) {
        return verdictOf(sessionId);
    }

    private BudgetCheck verdictOf(String sessionId) {
        Optional<BudgetCheck> refused = unenforceable();
        if (refused.isPresent()) {
            return refused.get();
        }
        try {
            SessionVerdict before = sessionId == null ? null : memos.get(sessionId);
            // The directory's revision before its record: while it is unchanged the record found last time still stands
            // (a session not found is looked for again: another process may store it, the directory's misses expire).
            long revision = sessions.revision();
            BudgetPlan plan = currentPlan();
            // The unchanged verdict, read from this session's entry and its memo alone: at 10M calls thousands of live
            // sessions' objects are not in a core's cache, and each object read one after another is a wait on memory
            // (the session's planned scopes and the verdict's own objects are not read on this path).
            if (before != null && before.source != null && before.revision == revision && before.plan == plan
                    && before.memo.holds(before.planned, ledger, clock.millis())) {
                return before.check;
            }
            SessionRecord r;
            if (before != null && before.source != null && before.revision == revision) {
                r = before.source;
            } else {
                r = sessionId == null ? null : sessions.known(sessionId);
                if (before != null && before.source == r) {
                    before.revision = revision;
                }
            }
            BudgetPlan.Planned planned = before != null && before.source == r && before.planned.plan() == plan
                    ? before.planned : plan.plan(r == null ? Scopes.of(sessionId, null, null, null, null, null)
                            : Scopes.of(r.sessionId(), r.rootSessionId(), r.cronJobId(), r.senderId(), r.provider(), r.model()));
            VerdictMemo memo = evaluator.check(planned, clock.millis(), before == null ? null : before.memo);
            if (sessionId != null && (before == null || before.memo != memo || before.planned != planned)) {
                if (memos.size() >= MAX_MEMOS) {
                    memos.clear();
                }
                memos.put(sessionId, new SessionVerdict(r, planned, memo, revision));
            }
            return memo.check();
        } catch (RuntimeException e) {
            LOG.warn("budget verdict unknown: {}", e.toString(), e);
            return new BudgetCheck(List.of(), new Verdict.Unknown(VerdictUnknown.reasonOf(e)));
        }
    }

    /** The plan of the budget in force, compiled again when budget.yaml changed. */
    private BudgetPlan currentPlan() {
        BudgetPlan p = plan;
        BudgetConfig config = budgets.current();
        if (p == null || p.config() != config) {
            p = new BudgetPlan(config);
            plan = p;
        }
        return p;
    }

    /** The scopes a call of this session to this provider and model falls under. */
    public Collection<ScopeRef> callScopes(String sessionId, String provider, String model) {
        Optional<SessionRecord> s = sessionId == null ? Optional.empty() : sessions.find(sessionId);
        return Scopes.of(sessionId, s.map(SessionRecord::rootSessionId).orElse(null), s.map(SessionRecord::cronJobId).orElse(null),
                s.map(SessionRecord::senderId).orElse(null), provider, model);
    }

    /** The verdict for these scopes; {@link Verdict.Unknown} (never ok) when it cannot be computed. */
    public BudgetCheck check(Collection<ScopeRef> scopes) {
        Optional<BudgetCheck> refused = unenforceable();
        if (refused.isPresent()) {
            count(refused.get());
            return refused.get();
        }
        BudgetCheck c;
        try {
            c = new BudgetEvaluator(ledger).check(budgets.current(), scopes, clock.instant());
        } catch (RuntimeException e) {
            return unknown(e);
        }
        count(c);
        return c;
    }

    /**
     * An unknown verdict while budget.yaml is refused with no earlier good budget to enforce: the user
     * meant limits that are not known, so "no limit, ok" would fail open. (The refusal is logged, and
     * shown on /budget and /status, where it is read; it is not logged again at every check.)
     */
    Optional<BudgetCheck> unenforceable() {
        return budgets.unenforceable().map(reason -> new BudgetCheck(List.of(), new Verdict.Unknown(reason)));
    }

    private BudgetCheck unknown(RuntimeException e) {
        LOG.warn("budget verdict unknown: {}", e.toString(), e);
        BudgetCheck c = new BudgetCheck(List.of(), new Verdict.Unknown(VerdictUnknown.reasonOf(e)));
        count(c);
        return c;
    }

    void count(BudgetCheck c) {
        verdicts.get(c.verdict().level()).increment();
    }

    /** How many budget checks this process answered at each level, since it opened. */
    public Map<Level, Long> verdictCounts() {
        Map<Level, Long> out = new EnumMap<>(Level.class);
        verdicts.forEach((l, n) -> out.put(l, n.sum()));
        return out;
    }

    /** The zone budget periods are counted in (budget.yaml's timezone). */
    public ZoneId zone() {
        return budgets.current().zone();
    }

    /** Statuses at soft or hard not yet announced in their period; each is announced once, across processes. */
    public List<ScopeStatus> unannounced(BudgetCheck check) {
        return unannounced(check, null);
    }

    /**
     * As {@link #unannounced(BudgetCheck)}, for the conversation of {@code sessionId}. A subagent is told
     * only about its own session scope: a notice for a wider scope (global, provider, sender, and the
     * root's session scope it also spends into) stays due for the root session, whose conversation the
     * user reads, instead of being spent on the child.
     */
    public List<ScopeStatus> unannounced(BudgetCheck check, String sessionId) {
        boolean child = sessionId != null && sessions.find(sessionId)
                .map(r -> r.parentSessionId() != null || !r.rootOrSelf().equals(sessionId)).orElse(false);
        List<ScopeStatus> out = new ArrayList<>();
        for (ScopeStatus s : check.statuses()) {
            if (child && !(s.scope().kind() == dev.plutus.budget.ScopeKind.SESSION && s.scope().id().equals(sessionId))) {
                continue;
            }
            if (s.level() != Level.OK && enforcement.recordAlert(s.scope().kind().label(), s.scope().id(),
                    s.window().label(), s.periodKey(), s.level().label(), clock.instant(), s.spentMicros(), s.limitMicros())) {
                out.add(s);
            }
        }
        return out;
    }

    /** A pause request for the session's cron job when it is in hard breach and not yet paused this period. */
    public Optional<CronPauseRequest> cronPauseIfDue(String sessionId, BudgetCheck check) {
        if (!(check.verdict() instanceof Verdict.Hard hard) || sessionId == null) {
            return Optional.empty();
        }
        Optional<String> job = sessions.find(sessionId).map(SessionRecord::cronJobId);
        if (job.isEmpty()) {
            return Optional.empty();
        }
        ScopeStatus cause = hard.cause();
        String reason = BudgetMessages.pauseReason(cause);
        if (enforcement.recordCronPause(job.get(), cause.window().label(), cause.scope().describe() + "@" + cause.periodKey(),
                clock.instant(), reason)) {
            LOG.warn("pausing cron job {}: {}", job.get(), reason);
            return Optional.of(new CronPauseRequest(job.get(), reason));
        }
        return Optional.empty();
    }
}
