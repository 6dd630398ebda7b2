package dev.plutus.budget;

import dev.plutus.core.LlmCall;
import dev.plutus.store.CallStore;
import dev.plutus.store.LedgerEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the in-memory {@link SpendLedger} equal to the call table. Every stored row is applied
 * exactly once, in id order, whoever wrote it: this process applies its own rows as it inserts them
 * and first folds in any rows with lower ids that other processes wrote; {@link #sync()} picks up
 * rows written elsewhere while this process was idle. SQLite serialises writers, so when an insert
 * is given id N every row below N is already committed (or gone for good).
 *
 * <p>Every row is folded in at a time no later than now, so a row dated ahead (another host's clock,
 * a row stored before times were checked at the door) never moves a budget period; and a row that
 * cannot be counted at all (a negative cost) is reported and set aside, never allowed to stop
 * start-up or later recording.
 *
 * <p>With a call journal, a call is counted when it is journaled ({@link #countJournaled}), before it
 * has a row; it is kept aside by event id until its row (or another process's row for the same
 * event) is folded in, which is then skipped, so each event counts once however the two meet.
 */
public final class LedgerSync {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerSync.class);
    private static final int SYNC_BATCH = 10_000;

    private final CallStore calls;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final SpendLedger ledger;
    private final ScopeRefs refs = new ScopeRefs();
    private long watermark;
    /** Journaled calls counted before their rows were folded in, by event id; guarded by {@link #lock}. */
    private final java.util.Map<String, LlmCall> journaled = new java.util.HashMap<>();
    /** Told every event id counted from here on (journaled, stored or folded in), when the call journal keeps one. */
    private volatile dev.plutus.store.EventIdFilter countedIds;

    public LedgerSync(CallStore calls, SpendLedger ledger, Clock clock) {
        this.calls = calls;
        this.ledger = ledger;
        this.clock = clock;
    }

    public SpendLedger ledger() {
        return ledger;
    }

    /**
     * From now on adds to {@code filter} the event id of every call counted or folded in, so that with
     * the ids the table held before, "absent from the filter" means "never recorded".
     */
    public void noteCountedIds(dev.plutus.store.EventIdFilter filter) {
        this.countedIds = filter;
    }

    private void noted(String eventId) {
        dev.plutus.store.EventIdFilter f = countedIds;
        if (f != null && eventId != null) {
            f.add(eventId);
        }
    }

    /**
     * Rebuilds the ledger's totals from the database for the windows current at {@code now} (after a
     * new zone, or stored calls re-priced); the ledger object stays the same, its totals switch at once.
     */
    public void rebuild(PeriodCalendar calendar, Instant now) {
        lock.lock();
        try {
            SpendLedger fresh = new SpendLedger(calendar);
            long nowMillis = now.toEpochMilli();
            long since = Math.min(calendar.periodOf(Window.MONTHLY, nowMillis).startMillis(),
                    Math.min(calendar.periodOf(Window.WEEKLY, nowMillis).startMillis(),
                            nowMillis - Duration.ofDays(7).toMillis()));
            long upTo = calls.maxId();
            calls.forEachLedgerSince(Instant.ofEpochMilli(since), upTo, e -> {
                // Counted here from its row: the journaled copy is no longer set aside.
                if (e.eventId() != null) {
                    journaled.remove(e.eventId());
                }
                fold(fresh, e, nowMillis);
            });
            // Journaled calls with no row yet (or a row past upTo, skipped when it is folded in) count from memory.
            for (LlmCall call : journaled.values()) {
                add(fresh, call, nowMillis);
            }
            watermark = upTo;
            ledger.replaceWith(fresh);
        } finally {
            lock.unlock();
        }
    }

    /** Stores the call and counts it; empty when the event was already recorded. */
    public OptionalLong record(LlmCall call) {
        return recordAll(List.of(call)).get(0);
    }

    /**
     * Stores the calls in one transaction and counts each new one; for each, its row id or empty
     * when its event was already recorded. Rows other processes committed just before are folded
     * in first, so every row is applied once and in id order.
     */
    public List<OptionalLong> recordAll(List<LlmCall> batch) {
        lock.lock();
        try {
            List<OptionalLong> ids = calls.insertAll(batch);
            for (int i = 0; i < batch.size(); i++) {
                if (ids.get(i).isEmpty()) {
                    continue;
                }
                long own = ids.get(i).getAsLong();
                if (own > watermark + 1) {
                    long now = clock.millis();
                    calls.ledgerBetween(watermark, own - 1).forEach(e -> fold(ledger, e, now));
                }
                add(ledger, batch.get(i), clock.millis());
                noted(batch.get(i).eventId());
                watermark = Math.max(watermark, own);
            }
            return ids;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counts the calls that are new, after {@code append} has journaled them, as one step no other
     * recording or folding interleaves with; for each call, whether it was new. A call is a duplicate
     * when its event id is journaled and not yet folded in, is {@code stored} in the table, or came
     * earlier in the batch. Nothing is counted when {@code append} throws. Calls need event ids.
     */
    public List<Boolean> countJournaled(List<LlmCall> batch, java.util.function.Predicate<String> stored,
            java.util.function.Consumer<List<LlmCall>> append) {
        lock.lock();
        try {
            List<Boolean> fresh = new java.util.ArrayList<>(batch.size());
            // A lone call (every hook's) needs no set of the batch's ids, and an all-new batch no copy of itself.
            java.util.Set<String> inBatch = batch.size() == 1 ? null : new java.util.HashSet<>();
            List<LlmCall> toAppend = null;
            for (int i = 0; i < batch.size(); i++) {
                LlmCall call = batch.get(i);
                String id = java.util.Objects.requireNonNull(call.eventId(), "a journaled call needs an event id");
                boolean isNew = !journaled.containsKey(id) && (inBatch == null || inBatch.add(id)) && !stored.test(id);
                fresh.add(isNew);
                if (!isNew && toAppend == null) {
                    toAppend = new java.util.ArrayList<>(batch.subList(0, i));
                } else if (isNew && toAppend != null) {
                    toAppend.add(call);
                }
            }
            if (toAppend == null) {
                toAppend = batch;
            }
            if (!toAppend.isEmpty()) {
                append.accept(toAppend);
                long now = clock.millis();
                for (LlmCall call : toAppend) {
                    noted(call.eventId());
                    journaled.put(call.eventId(), call);
                    add(ledger, call, now);
                }
            }
            return fresh;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The call journal's drainer stored {@code calls} as rows {@code ids} (in order; empty for an event
     * the table already held). When those rows are exactly the next ids after the watermark, nothing
     * else was stored in between: each was counted when journaled, so folding them in is taking them
     * off the journaled set and moving the watermark, with no read of the table and the lock held for
     * that alone (recording waits on this lock); each event id is still told to the filter of stored
     * ids. Otherwise (another process's rows in between, or an event it stored first) the rows are read
     * and folded in as {@link #sync()} does. True when the short way applied.
     */
    public boolean foldStoredJournaled(List<LlmCall> calls, List<OptionalLong> ids) {
        lock.lock();
        try {
            long next = watermark + 1;
            boolean contiguous = ids.size() == calls.size();
            for (int i = 0; contiguous && i < ids.size(); i++) {
                OptionalLong id = ids.get(i);
                contiguous = id.isPresent() && id.getAsLong() == next + i && journaled.containsKey(calls.get(i).eventId());
            }
            if (contiguous) {
                for (LlmCall call : calls) {
                    journaled.remove(call.eventId());
                    // As a folded row is: the filter of stored ids may have been started after the call was journaled.
                    noted(call.eventId());
                }
                watermark += ids.size();
                return true;
            }
        } finally {
            lock.unlock();
        }
        sync();
        return false;
    }

    /** Journaled calls counted whose rows have not been folded in yet. */
    public int journaledPending() {
        lock.lock();
        try {
            return journaled.size();
        } finally {
            lock.unlock();
        }
    }

    private void add(SpendLedger into, LlmCall call, long nowMillis) {
        into.add(Scopes.forCounting(call.sessionId(), call.rootSessionId(), call.cronJobId(), call.senderId(), call.provider(),
                call.model(), refs), Math.min(call.timestamp().toEpochMilli(), nowMillis), call.costMicros(), call.estimated(),
                call.priced(), call.provisional());
    }

    /**
     * Runs {@code body} holding the lock that recording takes first, so work that needs the database's
     * write lock too (a shared reservation) takes the two in the same order as recording does.
     */
    public <T> T whileHolding(java.util.function.Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    /** Folds in rows other processes stored since the last look; returns how many. */
    public int sync() {
        try {
            return sync(calls::ledgerAfter);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same, reading on {@code c}: for a caller inside a transaction that must see what it holds the lock over. */
    public int sync(java.sql.Connection c) throws java.sql.SQLException {
        return sync((after, limit) -> calls.ledgerAfter(c, after, limit));
    }

    /** Calls at most this many rows are read per step; a step that returns fewer has reached the end. */
    public static int syncBatch() {
        return SYNC_BATCH;
    }

    /** The id of the newest call folded in; call under {@link #whileHolding} to have it stay so. */
    public long watermark() {
        lock.lock();
        try {
            return watermark;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Folds in {@code first}, rows already read after {@link #watermark()} (at most {@link #syncBatch()},
     * in id order), then, if that batch was full, the rest on {@code c}.
     */
    public int sync(java.sql.Connection c, List<LedgerEntry> first) throws java.sql.SQLException {
        boolean[] used = {false};
        return sync((after, limit) -> {
            if (!used[0]) {
                used[0] = true;
                return first;
            }
            return calls.ledgerAfter(c, after, limit);
        });
    }

    /** Counts a stored row at its time or now, whichever is earlier; a row that cannot be counted is reported and skipped. */
    private void fold(SpendLedger into, LedgerEntry e, long nowMillis) {
        noted(e.eventId());
        if (into == ledger && e.eventId() != null && !journaled.isEmpty() && journaled.remove(e.eventId()) != null) {
            return; // counted when it was journaled
        }
        if (e.costMicros() < 0) {
            LOG.warn("call row {} has a negative cost ({} micro-dollars); it is set aside and not counted toward budgets",
                    e.id(), e.costMicros());
            return;
        }
        try {
            into.add(Scopes.forCall(e), Math.min(e.timestampMillis(), nowMillis), e.costMicros(), e.estimated(), e.priced(),
                    e.provisional());
        } catch (RuntimeException ex) {
            LOG.warn("call row {} cannot be counted toward budgets ({}); it is set aside", e.id(), ex.toString());
        }
    }

    @FunctionalInterface
    private interface Rows {
        List<LedgerEntry> after(long id, int limit) throws java.sql.SQLException;
    }

    private int sync(Rows source) throws java.sql.SQLException {
        lock.lock();
        try {
            int n = 0;
            long now = clock.millis();
            while (true) {
                List<LedgerEntry> rows = source.after(watermark, SYNC_BATCH);
                for (LedgerEntry e : rows) {
                    fold(ledger, e, now);
                    watermark = e.id();
                }
                n += rows.size();
                if (rows.size() < SYNC_BATCH) {
                    return n;
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
