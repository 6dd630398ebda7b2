package dev.plutus.ingest;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.core.CallEvent;
import dev.plutus.core.CallOrigin;
import dev.plutus.core.InputRanges;
import dev.plutus.core.Money;
import dev.plutus.engine.BudgetGate;
import dev.plutus.engine.CallRecorder;
import dev.plutus.engine.VerdictUnknown;
import dev.plutus.pricing.CallCost;
import java.time.Clock;
import dev.plutus.core.RecordedCall;
import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.BudgetMessages;
import dev.plutus.budget.Level;
import dev.plutus.budget.Scopes;
import dev.plutus.budget.Verdict;
import dev.plutus.store.ApiKey;
import dev.plutus.store.IngestStore;
import dev.plutus.store.SessionDirectory;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a {@code /v1/usage} request into recorded calls and the seed's answer. Events count toward
 * the same budgets as hook events (the answer carries the verdict, so remote agents can stop), are
 * metered against the month's tracked-token cap, and are never dropped past it unless
 * {@code block_over_free_limit} is on. An Idempotency-Key makes the event ids deterministic, so a
 * retry after a lost answer records nothing twice even if the first attempt's answer was never kept;
 * the key is bound to the body's hash before anything is written, so another body under the same key
 * is refused (422) rather than told that events it never sent are duplicates.
 */
public final class UsageIngestor {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UsageIngestor.class);
    static final Duration KEEP_ANSWERS = Duration.ofHours(24);
    private static final ObjectMapper JSON = Json.MAPPER;
    /** Kept answers are read back digit for digit: 0.015600 stays 0.015600 in a replay. */
    private static final ObjectMapper EXACT = Json.EXACT;

    private final CallRecorder recorder;
    private final BudgetGate gate;
    private final Clock clock;
    private final IngestStore store;
    private final IngestSettings settings;
    private final IngestCounters counters;
    private final SessionDirectory sessions;
    private final MonthlyTokens monthly;
    private final AtomicLong ingestedCostMicros;
    /** Workspaces known to exist; they are never deleted, so only a new name costs a transaction. */
    private final java.util.Set<String> knownWorkspaces = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public UsageIngestor(CallRecorder recorder, BudgetGate gate, Clock clock, IngestStore store, IngestSettings settings,
            IngestCounters counters, SessionDirectory sessions) {
        this.sessions = sessions;
        this.recorder = recorder;
        this.gate = gate;
        this.clock = clock;
        this.store = store;
        this.settings = settings;
        this.counters = counters;
        this.monthly = new MonthlyTokens(store);
        this.ingestedCostMicros = new AtomicLong(settings.balanceUsd() == null ? 0 : store.ingestedCostMicros());
    }

    public IngestSettings settings() {
        return settings;
    }

    public Clock clock() {
        return clock;
    }

    public UsageAnswer handle(ApiKey key, byte[] body, String idempotencyKey) {
        if (idempotencyKey != null) {
            if (idempotencyKey.isBlank() || idempotencyKey.length() > 255 || !idempotencyKey.chars().allMatch(c -> c > 32 && c < 127)) {
                return rejected(UsageError.of("Idempotency-Key must be 1 to 255 visible ASCII characters"));
            }
            String requestHash = RequestHash.of(body);
            Optional<IngestStore.StoredAnswer> bound = store.claim(key.keyId(), idempotencyKey, requestHash, clock.instant());
            if (bound.isPresent()) {
                IngestStore.StoredAnswer earlier = bound.get();
                // Answers kept before bodies were hashed canonically carry the hash of the bytes as sent.
                if (!earlier.requestSha256().equals(requestHash) && !earlier.requestSha256().equals(ApiKeys.sha256Hex(body))) {
                    return conflict(idempotencyKey);
                }
                if (earlier.answered()) {
                    return replay(earlier);
                }
                // The same body is in flight or failed without an answer: its events have the same ids,
                // so ingesting it again records none of them twice.
            }
            UsageAnswer answer = ingest(key, body, idempotencyKey);
            if (answer.status() < 500) {
                try {
                    store.keepAnswer(key.keyId(), idempotencyKey,
                            new IngestStore.StoredAnswer(requestHash, answer.status(), answer.body().toString()), clock.instant());
                } catch (RuntimeException e) {
                    // The events are committed: answering 5xx now would have the sender retry and wonder. A retry
                    // without the kept answer ingests the same body again under the same event ids, recording nothing twice.
                    LOG.warn("/v1/usage: the answer for Idempotency-Key {} could not be kept: {}", idempotencyKey, e.toString());
                }
            }
            return answer;
        }
        return ingest(key, body, null);
    }

    /** What {@link #ingestSpans} did: new calls recorded, calls already recorded, and calls refused with why. */
    public record SpanIntake(int recorded, int duplicates, int refused, String refusal) {}

    /**
     * Records model calls read from OTLP spans under their own ids ({@code otlp_<trace>_<span>}), so an
     * export sent again records nothing twice. Metered and budgeted as {@code /v1/usage} events.
     */
    public SpanIntake ingestSpans(ApiKey key, List<UsageEvent> events, List<String> ids) {
        if (events.isEmpty()) {
            return new SpanIntake(0, 0, 0, null);
        }
        Instant now = clock.instant();
        YearMonth month = YearMonth.from(now.atZone(gate.zone()));
        Instant monthStart = month.atDay(1).atStartOfDay(gate.zone()).toInstant();
        Recorded rec = record(key, events, ids::get, now, month, monthStart);
        List<EventOutcome> refused = rec.outcomes().stream().filter(o -> o.eventId() == null).toList();
        counters.events(rec.toRecord().size() - rec.duplicates(), refused.size(), rec.duplicates());
        return new SpanIntake(rec.toRecord().size() - rec.duplicates(), rec.duplicates(), refused.size(),
                refused.isEmpty() ? null : refused.get(0).refusal());
    }

    /** Drops kept answers older than a day: a retry after that gets a fresh answer, its events (same ids) all duplicates. */
    public int forgetOldAnswers() {
        return store.forgetAnswersBefore(clock.instant().minus(KEEP_ANSWERS));
    }

    private UsageAnswer ingest(ApiKey key, byte[] body, String idempotencyKey) {
        UsageEventParser.Parsed parsed;
        try {
            parsed = UsageEventParser.parse(body);
        } catch (UsageRejected e) {
            return rejected(e.answer());
        }
        List<UsageEvent> events = parsed.events();
        Instant now = clock.instant();
        for (int i = 0; i < events.size(); i++) {
            Instant ts = events.get(i).timestamp();
            Optional<String> problem = ts == null ? Optional.empty() : InputRanges.timeProblem(ts, now);
            if (problem.isPresent()) {
                return rejected(new UsageError((parsed.batch() ? "event " + i : "event") + ": field 'timestamp' " + problem.get(),
                        i, "timestamp"));
            }
        }
        YearMonth month = YearMonth.from(now.atZone(gate.zone()));
        Instant monthStart = month.atDay(1).atStartOfDay(gate.zone()).toInstant();
        Recorded rec = record(key, events, i -> eventId(key, idempotencyKey, i), now, month, monthStart);
        List<EventOutcome> outcomes = rec.outcomes();
        List<CallEvent> toRecord = rec.toRecord();
        Map<String, String> workspaceNotes = rec.workspaceNotes();
        int duplicates = rec.duplicates();
        // The events are committed: from here on nothing may turn the answer into a 5xx (the sender would retry),
        // so what cannot be computed is answered as unknown.
        try {
            return answer(parsed, outcomes, toRecord.size(), duplicates, month, monthStart, workspaceNotes);
        } catch (RuntimeException e) {
            LOG.warn("/v1/usage: events committed, but the answer could not be completed: {}", e.toString(), e);
            UsageReceipt.Budget budget = budget(new Verdict.Unknown(VerdictUnknown.reasonOf(e)));
            UsageReceipt.Quota quota = new UsageReceipt.Quota(null, false, 0, settings.capped() ? settings.trackedLimit() : null,
                    settings.tier());
            List<String> warnings = List.of("the answer is incomplete (" + VerdictUnknown.reasonOf(e)
                    + "); the events were recorded");
            UsageReceipt receipt = parsed.batch()
                    ? UsageReceipt.Batch.of(settings.orgId(), outcomes.stream().map(this::result).toList(), toRecord.size(),
                            outcomes.size() - toRecord.size(), quota, null, budget, Map.of(), warnings)
                    : UsageReceipt.Single.of(settings.orgId(), result(outcomes.get(0)), quota, null, budget, Map.of(), warnings);
            return new UsageAnswer(toRecord.isEmpty() ? 402 : 200, EXACT.valueToTree(receipt), false);
        }
    }

    /** What {@link #record} did: each event's outcome, the calls handed to the recorder, and notes for the answer. */
    private record Recorded(List<EventOutcome> outcomes, List<CallEvent> toRecord, Map<String, String> workspaceNotes,
                            int duplicates) {}

    /**
     * Records validated events under the ids {@code ids} gives them (the same ids on a retry record
     * nothing twice), metered against the month's tracked tokens.
     */
    private Recorded record(ApiKey key, List<UsageEvent> events, java.util.function.IntFunction<String> ids, Instant now,
            YearMonth month, Instant monthStart) {
        List<EventOutcome> outcomes = new ArrayList<>(events.size());
        List<CallEvent> toRecord = new ArrayList<>();
        Map<String, String> workspaceNotes = new LinkedHashMap<>();
        int duplicates = 0;
        // The month's count moves only once the events are committed; until then they are held against the cap.
        try (MonthlyTokens.Hold hold = monthly.hold(month, monthStart)) {
            for (int i = 0; i < events.size(); i++) {
                UsageEvent e = events.get(i);
                Instant ts = e.timestamp() != null ? e.timestamp() : now;
                String workspace = resolveWorkspace(e.workspace(), now, workspaceNotes);
                long tracked = e.trackedTokens();
                boolean thisMonth = !ts.isBefore(monthStart);
                long after = thisMonth ? hold.add(tracked) : hold.total();
                boolean over = settings.capped() && after > settings.trackedLimit();
                if (over && settings.blockOverFreeLimit()) {
                    if (thisMonth) {
                        hold.add(-tracked);
                    }
                    outcomes.add(new EventOutcome(e, workspace, null, "over the free tier's " + settings.trackedLimit()
                            + " tracked tokens this month"));
                    continue;
                }
                String eventId = ids.apply(i);
                CallOrigin origin = new CallOrigin(key.keyId(), workspace, e.taskType(), e.source(), tracked, over);
                UsageEvent.SessionFacts who = e.session();
                if (who != null) {
                    // Known before the call is recorded, so its root, cron job and sender scopes count it.
                    sessions.reported(who.sessionId(), who.rootSessionId(), who.cronJobId(), who.sender(), e.provider(), e.model(), ts);
                }
                toRecord.add(new CallEvent(eventId, ts, who == null ? null : who.sessionId(), "api", e.provider(), e.model() == null ? "unknown" : e.model(),
                        null, e.usage(), false, e.latencyMillis(), e.costUsd(), origin, e.images()));
                outcomes.add(new EventOutcome(e, workspace, eventId, null));
            }

            List<RecordedCall> recorded = recorder.recordAll(toRecord);
            long newTokensThisMonth = 0;
            int r = 0;
            for (int i = 0; i < outcomes.size(); i++) {
                EventOutcome o = outcomes.get(i);
                if (o.eventId() == null) {
                    continue;
                }
                RecordedCall rc = recorded.get(r++);
                if (rc.duplicate()) {
                    duplicates++; // counted when it was first committed
                } else {
                    ingestedCostMicros.accumulateAndGet(rc.call().costMicros(), Money::plus);
                    if (!rc.call().timestamp().isBefore(monthStart)) {
                        newTokensThisMonth += rc.call().origin().trackedTokens();
                    }
                }
                outcomes.set(i, o.recorded(rc));
            }
            hold.commit(newTokensThisMonth);
        }
        return new Recorded(outcomes, toRecord, workspaceNotes, duplicates);
    }

    private UsageAnswer answer(UsageEventParser.Parsed parsed, List<EventOutcome> outcomes, int toRecord, int duplicates,
            YearMonth month, Instant monthStart, Map<String, String> workspaceNotes) {
        int blocked = (int) outcomes.stream().filter(o -> o.eventId() == null).count();
        counters.events(toRecord - duplicates, blocked, duplicates);

        Map<String, BudgetCheck> checks = new LinkedHashMap<>();
        for (EventOutcome o : outcomes) {
            checks.computeIfAbsent(o.event().provider() + "\u0000" + o.event().model(), k -> gate.check(
                    Scopes.of(null, null, null, null, o.event().provider(), o.event().model())));
        }
        Verdict worst = checks.values().stream().map(BudgetCheck::verdict)
                .max((a, b) -> Integer.compare(a.level().ordinal(), b.level().ordinal())).orElse(Verdict.OK);
        // Apart from the request's verdict: a sender enforces each session's own, and one session's cap must not stop the others.
        Map<String, UsageReceipt.Budget> sessionVerdicts = new LinkedHashMap<>();
        for (EventOutcome o : outcomes) {
            if (o.event().session() != null) {
                sessionVerdicts.computeIfAbsent(o.event().session().sessionId(), id -> budget(gate.checkSession(id).verdict()));
            }
        }

        int status = toRecord == 0 ? 402 : 200;
        UsageReceipt.Quota quota = quota(month, monthStart);
        UsageReceipt.Refusal refusal = status != 402 ? null : new UsageReceipt.Refusal(
                "free tier token cap reached and block_over_free_limit is on; nothing was recorded", settings.upgradeUrl());
        UsageReceipt.Budget budget = budget(worst);
        List<String> warnings = List.copyOf(workspaceNotes.values());
        UsageReceipt receipt;
        if (parsed.batch()) {
            List<UsageReceipt.EventResult> results = outcomes.stream().map(this::result).toList();
            long recorded = results.stream().filter(UsageReceipt.EventResult::recorded).count();
            receipt = UsageReceipt.Batch.of(settings.orgId(), results, recorded, results.size() - recorded, quota, refusal, budget,
                    sessionVerdicts, warnings);
        } else {
            receipt = UsageReceipt.Single.of(settings.orgId(), result(outcomes.get(0)), quota, refusal, budget, sessionVerdicts,
                    warnings);
        }
        return new UsageAnswer(status, EXACT.valueToTree(receipt), false);
    }

    private UsageReceipt.EventResult result(EventOutcome o) {
        if (o.eventId() == null) {
            return UsageReceipt.EventResult.refused(o.refusal());
        }
        // The flag is read from the price entry the call was stored with: the recorder marks it there, the one place it is kept.
        return new UsageReceipt.EventResult(true, o.eventId(), Money.microsToUsd(o.call().call().costMicros()),
                o.event().costUsd() == null, o.call().call().priced(), o.call().call().provisional() ? Boolean.TRUE : null,
                CallCost.flagReasonOfEntry(o.call().call().priceEntry()), o.call().call().origin().overFreeLimit(), o.workspace(), null,
                o.call().duplicate() ? Boolean.TRUE : null);
    }

    private UsageReceipt.Quota quota(YearMonth month, Instant monthStart) {
        long mtd = monthly.committed(month, monthStart);
        BigDecimal balance = settings.balanceUsd() == null ? null
                : settings.balanceUsd().subtract(Money.microsToUsd(ingestedCostMicros.get()));
        return new UsageReceipt.Quota(balance, settings.capped() && mtd > settings.trackedLimit(), mtd,
                settings.capped() ? settings.trackedLimit() : null, settings.tier());
    }

    /** {@code GET /v1/budget}: the verdict a sender would get for spend outside any provider or model limit (the global scope). */
    public ObjectNode currentVerdict() {
        ObjectNode o = JSON.createObjectNode();
        o.set("budget", JSON.valueToTree(budget(gate.check(Scopes.of(null, null, null, null, null, null)).verdict())));
        return o;
    }

    /**
     * {@code GET /v1/budget?session_id=…}: the verdict for every scope the session spends into (global,
     * its root session, cron job and sender as its calls reported them). A session never reported
     * gets the global and its own session scope, plus those of the root, cron job and sender asked with it.
     */
    public ObjectNode sessionVerdict(UsageEvent.SessionFacts asked) {
        java.util.Set<dev.plutus.budget.ScopeRef> scopes = new java.util.LinkedHashSet<>(gate.callScopes(asked.sessionId(), null, null));
        // What the sender knows of a session may be ahead of what its calls have told this instance.
        scopes.addAll(Scopes.of(asked.sessionId(), asked.rootSessionId(), asked.cronJobId(), asked.sender(), null, null));
        ObjectNode o = JSON.createObjectNode();
        o.put("session_id", asked.sessionId());
        o.set("budget", JSON.valueToTree(budget(gate.check(scopes).verdict())));
        return o;
    }

    private UsageReceipt.Budget budget(Verdict v) {
        String message = v instanceof Verdict.Hard h ? BudgetMessages.blockMessage(h.cause(), gate.zone())
                : v instanceof Verdict.Soft s ? BudgetMessages.notice(s.cause(), gate.zone())
                : v instanceof Verdict.Unknown u ? BudgetMessages.unknown(u.reason()) : null;
        return new UsageReceipt.Budget(v.level().label(), message);
    }

    /** The workspace the event is billed to: its own, created on first use while under the cap, else "default". */
    private String resolveWorkspace(String name, Instant now, Map<String, String> notes) {
        if (knownWorkspaces.contains(name)) {
            return name;
        }
        if (store.ensureWorkspace(name, settings.workspaceCap(), now)) {
            knownWorkspaces.add(name);
            return name;
        }
        store.ensureWorkspace("default", Integer.MAX_VALUE, now);
        notes.put(name, "workspace '" + name + "' not created: the tier's cap of " + settings.workspaceCap()
                + " workspaces is reached; its events were recorded under 'default'");
        return "default";
    }

    private static String eventId(ApiKey key, String idempotencyKey, int index) {
        if (idempotencyKey == null) {
            // Time first, then randomness: new ids land at the end of the unique index instead of at random
            // pages of it, which keeps batch inserts fast as the table grows.
            return "evt_" + String.format("%012x", System.currentTimeMillis()) + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        }
        // Deterministic (a retry gets the same ids) and contiguous within one request: the batch's ids
        // share a prefix, so they go to one place in the unique index rather than a thousand.
        String seed = key.keyId() + "\u0000" + idempotencyKey;
        return "evt_" + ApiKeys.sha256Hex(seed.getBytes(StandardCharsets.UTF_8)).substring(0, 28) + String.format("%04x", index);
    }

    private UsageAnswer replay(IngestStore.StoredAnswer kept) {
        try {
            return new UsageAnswer(kept.status(), (ObjectNode) EXACT.readTree(kept.body()), true);
        } catch (IOException e) {
            throw new IllegalStateException("a kept answer is not JSON", e);
        }
    }

    private static UsageAnswer rejected(UsageError error) {
        return new UsageAnswer(400, JSON.valueToTree(error), false);
    }

    private static UsageAnswer conflict(String idempotencyKey) {
        return new UsageAnswer(422, JSON.createObjectNode()
                .put("error", "Idempotency-Key '" + idempotencyKey + "' was already used with a different body;"
                        + " a key names one request: send another body under a new key")
                .put("idempotency_key", idempotencyKey), false);
    }

    private record EventOutcome(UsageEvent event, String workspace, String eventId, String refusal, RecordedCall call) {
        EventOutcome(UsageEvent event, String workspace, String eventId, String refusal) {
            this(event, workspace, eventId, refusal, null);
        }

        EventOutcome recorded(RecordedCall rc) {
            return new EventOutcome(event, workspace, eventId, refusal, rc);
        }
    }
}
