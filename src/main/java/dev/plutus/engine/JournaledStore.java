package dev.plutus.engine;

import dev.plutus.budget.LedgerSync;
import dev.plutus.core.LlmCall;
import dev.plutus.core.PlutusThreads;
import dev.plutus.store.CallJournal;
import dev.plutus.store.Database;
import dev.plutus.store.Dialect;
import dev.plutus.store.EventIdFilter;
import dev.plutus.store.JournalStore;
import dev.plutus.store.StoreException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQLite store fronted by the call journal: a call is acknowledged once it is appended to the
 * journal (a write into the page cache, which a SIGKILL does not lose: the guarantee of WAL with
 * {@code synchronous=NORMAL}) and counted in the running totals; one drainer thread stores journaled
 * calls into the calls table in batches, committing the journal position it reached in the same
 * transaction. Opening replays whatever a crash left undrained. Readers that must see every call wait
 * for the drainer to reach the journal's end as it was when they asked ({@link #awaitDrained}, at most
 * {@link #READ_WAIT}). Only the process holding the journal's lock journals; any other process opening
 * the same home stores its calls directly, so two processes never write one journal.
 */
final class JournaledStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JournaledStore.class);
    static final int DRAIN_BATCH = 512;
    /**
     * The most calls one drain stores in one transaction when more are waiting: each commit writes every page it
     * dirtied (a random event id's and session's index leaves, mostly) to the WAL once, so a backlog stored in larger
     * transactions writes fewer pages per call and the drainer catches up instead of falling further behind.
     */
    static final int MAX_DRAIN_BATCH = 4096;
    static final Duration READ_WAIT = Duration.ofSeconds(10);
    /**
     * A new file starts past this size, and the drainer deletes the old one once it has stored it, so stored
     * records never pin more than about this much disk (on a full disk, see {@link CallJournal#append}).
     */
    static final long ROTATE_BYTES = 4L << 20;
    /** How long the drainer sleeps with nothing to do, and after a part batch (so the next one is fuller). */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /**
     * Calls acknowledged and not yet stored beyond which a recorder waits for the drainer: each waits in memory
     * as well as in the journal, and recorders can outpace the drainer (it stores about 25,000 calls/s on a
     * core of its own; batches are acknowledged several times faster), so without a bound the queue would
     * grow until the heap ran out.
     */
    static final int MAX_BACKLOG = 65_536;
    /**
     * The longest one record waits for the backlog to shrink. A drainer that cannot store at all (a full disk,
     * a refusing database) then slows each recorder to a few calls a second instead of stopping the host it
     * records for; what it acknowledges meanwhile is safe in the journal and stored once SQLite takes it.
     */
    static final long BACKLOG_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final CallJournal journal;
    private final JournalStore table;
    private final LedgerSync tracker;
    /** Where calls without an event id go (they cannot be told apart from a replay, so they are not journaled). */
    private final Function<List<LlmCall>, List<OptionalLong>> direct;
    /** Which sessions' sightings wait to be stored with their calls, and is told when they are. */
    private final dev.plutus.store.SessionDirectory sessions;
    /** Every event id the table held when it was built, and every one counted since; set once built. */
    private volatile EventIdFilter storedIds;
    private final ConcurrentLinkedQueue<CallJournal.Entry> queue = new ConcurrentLinkedQueue<>();
    /** The queue's length (its own size() walks every entry). */
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private final Object progress = new Object();
    private final AtomicLong drainedCalls = new AtomicLong();
    private final Thread drainer;
    private volatile CallJournal.Position appended;
    private volatile CallJournal.Position drained;
    private volatile boolean closing;
    private volatile int backlogLimit = MAX_BACKLOG;
    /** Records that waited for the drainer because the backlog was full ({@link #MAX_BACKLOG}). */
    private final AtomicLong backlogWaits = new AtomicLong();
    /** Made once: each call's duplicate check and append go through these. */
    private final java.util.function.Predicate<String> isStored = this::stored;
    private final java.util.function.Consumer<List<LlmCall>> appender = this::append;

    private JournaledStore(CallJournal journal, JournalStore table, LedgerSync tracker,
            Function<List<LlmCall>, List<OptionalLong>> direct, dev.plutus.store.SessionDirectory sessions) {
        this.journal = journal;
        this.table = table;
        this.tracker = tracker;
        this.direct = direct;
        this.sessions = sessions;
        this.appended = journal.end();
        this.drained = appended;
        this.drainer = PlutusThreads.named("call-journal").newThread(this::drainLoop);
        drainer.start();
    }

    /**
     * Replays what an earlier process left in the journal in {@code dir} into the calls table, when
     * no live process holds it; then, if {@code keep}, journals this engine's calls. Empty when
     * another process holds the journal, when not {@code keep}, or on a store that is not SQLite.
     */
    static Optional<JournaledStore> open(Database db, Path dir, boolean keep, LedgerSync tracker,
            Function<List<LlmCall>, List<OptionalLong>> direct, dev.plutus.store.SessionDirectory sessions) {
        if (db.dialect() != Dialect.SQLITE) {
            return Optional.empty();
        }
        Optional<CallJournal> held = CallJournal.tryOpen(dir, ROTATE_BYTES);
        if (held.isEmpty()) {
            LOG.info("the call journal in {} is held by another process; this one stores its calls directly", dir);
            return Optional.empty();
        }
        CallJournal journal = held.get();
        JournalStore table = null;
        try {
            table = JournalStore.open(db);
            replay(journal, table);
            if (!keep) {
                journal.deleteBefore(Long.MAX_VALUE);
                table.close();
                journal.close();
                return Optional.empty();
            }
            journal.startWriting(table.position());
            journal.deleteBefore(journal.end().seq());
            return Optional.of(new JournaledStore(journal, table, tracker, direct, sessions));
        } catch (RuntimeException e) {
            if (table != null) {
                table.close();
            }
            journal.close();
            throw e;
        }
    }

    private static void replay(CallJournal journal, JournalStore table) {
        CallJournal.Position from = table.position();
        long[] calls = {0};
        long[] stored = {0};
        journal.replay(from, DRAIN_BATCH, entries -> {
            List<OptionalLong> ids = table.store(calls(entries), entries.get(entries.size() - 1).end());
            calls[0] += entries.size();
            stored[0] += ids.stream().filter(OptionalLong::isPresent).count();
        });
        if (calls[0] > 0) {
            LOG.info("call journal: {} calls a stopped process had acknowledged were replayed into the store ({} new, {} already"
                    + " there)", calls[0], stored[0], calls[0] - stored[0]);
        }
    }

    /**
     * Records the calls: each new one appended to the journal and counted before this returns; for
     * each, whether it was new. Calls without an event id are committed directly.
     */
    List<Boolean> record(List<LlmCall> batch) {
        if (allKeyed(batch)) {
            List<Boolean> out = tracker.countJournaled(batch, isStored, appender);
            wakeDrainerIfFull();
            waitWhileBacklogged();
            return out;
        }
        List<LlmCall> keyed = new ArrayList<>(batch.size());
        List<LlmCall> unkeyed = new ArrayList<>();
        for (LlmCall call : batch) {
            (call.eventId() == null ? unkeyed : keyed).add(call);
        }
        List<Boolean> keyedNew = keyed.isEmpty() ? List.of() : tracker.countJournaled(keyed, isStored, appender);
        List<OptionalLong> unkeyedIds = unkeyed.isEmpty() ? List.of() : direct.apply(unkeyed);
        if (!unkeyed.isEmpty()) {
            // Stored directly, so no drained batch carries their sightings (the session's platform, model, provider).
            sessions.storeWaitingSightings(sessionIdsOf(unkeyed));
        }
        List<Boolean> out = new ArrayList<>(batch.size());
        int k = 0;
        int u = 0;
        for (LlmCall call : batch) {
            out.add(call.eventId() == null ? unkeyedIds.get(u++).isPresent() : keyedNew.get(k++));
        }
        wakeDrainerIfFull();
        waitWhileBacklogged();
        return out;
    }

    private static boolean allKeyed(List<LlmCall> batch) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).eventId() == null) {
                return false;
            }
        }
        return true;
    }

    private void wakeDrainerIfFull() {
        if (queued.get() >= DRAIN_BATCH) {
            LockSupport.unpark(drainer);
        }
    }

    /**
     * After acknowledging (outside the ledger's lock, so readers and the drainer go on): while more calls wait
     * for the drainer than the backlog allows, waits for it to store some, at most {@link #BACKLOG_WAIT_NANOS}.
     */
    private void waitWhileBacklogged() {
        if (queued.get() < backlogLimit || Thread.currentThread() == drainer) {
            return;
        }
        backlogWaits.incrementAndGet();
        LockSupport.unpark(drainer);
        long deadline = System.nanoTime() + BACKLOG_WAIT_NANOS;
        synchronized (progress) {
            while (queued.get() >= backlogLimit && !closing) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Sets the backlog bound (tests use a small one). */
    void limitBacklog(int calls) {
        if (calls < 1) {
            throw new IllegalArgumentException("backlog limit must be at least 1, got " + calls);
        }
        backlogLimit = calls;
    }

    /** How many records waited because the backlog was full. */
    long backlogWaits() {
        return backlogWaits.get();
    }

    /**
     * Whether a call with this event id is in the table. Once the filter of stored ids is built, an id it
     * has never seen is new without asking SQLite (the filter is told every id counted since it was
     * built, and had every id stored before); only a "maybe" is looked up.
     */
    private boolean stored(String eventId) {
        EventIdFilter ids = storedIds;
        if (ids != null && !ids.mightContain(eventId)) {
            return false;
        }
        return table.stored(eventId);
    }

    /**
     * Builds the filter of stored event ids in the background; until it is ready every duplicate check
     * looks the id up. Call once the running totals are built: from then on every row past them is
     * folded in (and so told to the filter), and every row up to them is in the table the scan reads.
     */
    void buildStoredIdFilter() {
        Thread t = PlutusThreads.named("event-ids").newThread(() -> {
            try {
                long start = System.nanoTime();
                EventIdFilter ids = new EventIdFilter(Math.max(1_000_000, 2 * table.countCalls()));
                tracker.noteCountedIds(ids);
                long[] n = {0};
                table.forEachEventId(id -> {
                    ids.add(id);
                    n[0]++;
                });
                storedIds = ids;
                LOG.info("call journal: {} stored event ids read in {} ms; new calls no longer look their ids up", n[0],
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            } catch (RuntimeException e) {
                LOG.warn("call journal: the stored event ids could not be read ({}); every call's id is looked up", e.getMessage());
            }
        });
        t.setDaemon(true);
        t.start();
    }

    /** Whether new calls skip the duplicate lookup (the filter of stored ids is built). */
    boolean storedIdFilterReady() {
        return storedIds != null;
    }

    /** Runs under the ledger's lock: journal order, queue order and counting order are one order. */
    private void append(List<LlmCall> calls) {
        if (closing) {
            throw new StoreException("the store is closed");
        }
        List<CallJournal.Position> ends = journal.append(calls);
        for (int i = 0; i < calls.size(); i++) {
            queue.add(new CallJournal.Entry(calls.get(i), ends.get(i)));
        }
        queued.addAndGet(calls.size());
        appended = ends.get(ends.size() - 1);
    }

    /**
     * Waits until every call journaled before this call is in the calls table, at most
     * {@link #READ_WAIT}; past that, fails (a reader must not report totals that leave calls out).
     */
    void awaitDrained() {
        if (Thread.currentThread() == drainer || closing) {
            return;
        }
        CallJournal.Position target = appended;
        if (drained.compareTo(target) >= 0) {
            return;
        }
        LockSupport.unpark(drainer);
        long deadline = System.nanoTime() + READ_WAIT.toNanos();
        synchronized (progress) {
            while (drained.compareTo(target) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new StoreException("calls acknowledged into the call journal are still not in the store after "
                            + READ_WAIT.toSeconds() + " s (see the log for why the store refuses them)");
                }
                try {
                    progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("interrupted while waiting for the call journal to reach the store");
                }
            }
        }
    }

    /** Calls stored from the journal since this engine opened. */
    long drainedCalls() {
        return drainedCalls.get();
    }

    /** CPU time the drainer thread has used so far (what storing journaled calls costs beside recording them); -1 if unknown. */
    long drainerCpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        return threads.isThreadCpuTimeSupported() ? threads.getThreadCpuTime(drainer.getId()) : -1;
    }

    /** Calls acknowledged and not yet in the table. */
    int undrained() {
        return queued.get();
    }

    private void drainLoop() {
        List<CallJournal.Entry> batch = List.of();
        long backoff = 0;
        int failures = 0;
        long lastLogged = 0;
        while (true) {
            if (batch.isEmpty()) {
                batch = take();
            }
            if (batch.isEmpty()) {
                if (closing) {
                    return;
                }
                LockSupport.parkNanos(IDLE_NANOS);
                continue;
            }
            try {
                drain(batch);
                boolean full = batch.size() >= DRAIN_BATCH;
                batch = List.of();
                backoff = 0;
                failures = 0;
                if (!full && !closing) {
                    LockSupport.parkNanos(GATHER_NANOS);
                }
            } catch (RuntimeException e) {
                failures++;
                if (closing && failures >= 3) {
                    LOG.error("call journal: {} calls could not be stored before closing ({}); they stay in the journal and are"
                            + " stored when Plutus next opens this home", batch.size() + queued.get(), e.getMessage());
                    return;
                }
                if (System.nanoTime() - lastLogged > TimeUnit.SECONDS.toNanos(30) || failures == 1) {
                    lastLogged = System.nanoTime();
                    LOG.warn("call journal: storing {} calls failed ({}); retrying, nothing is lost (they are in the journal)",
                            batch.size(), e.getMessage(), e);
                }
                backoff = Math.min(Math.max(backoff * 2, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.SECONDS.toNanos(2));
                LockSupport.parkNanos(backoff);
            } catch (Error e) {
                LOG.error("call journal: the drainer stopped ({}); calls stay in the journal and are stored at the next open",
                        e.toString(), e);
                throw e;
            }
        }
    }

    private List<CallJournal.Entry> take() {
        List<CallJournal.Entry> batch = new ArrayList<>();
        for (CallJournal.Entry e; batch.size() < MAX_DRAIN_BATCH && (e = queue.poll()) != null; ) {
            batch.add(e);
        }
        queued.addAndGet(-batch.size());
        if (!batch.isEmpty() && queued.get() < backlogLimit) {
            synchronized (progress) {
                progress.notifyAll();   // recorders waiting on a full backlog go on
            }
        }
        return batch;
    }

    private void drain(List<CallJournal.Entry> batch) {
        CallJournal.Position to = batch.get(batch.size() - 1).end();
        List<LlmCall> calls = calls(batch);
        java.util.Set<String> sessionIds = new java.util.HashSet<>();
        for (LlmCall c : calls) {
            if (c.sessionId() != null) {
                sessionIds.add(c.sessionId());
            }
        }
        // Read before the transaction: a sighting a later call adds meanwhile stays waiting, and is stored with that call.
        java.util.Map<String, dev.plutus.store.SessionRecord> sightings = sessions.pendingSightings(sessionIds);
        List<OptionalLong> ids = table.store(calls, to, sightings);
        journal.drainedTo(to);
        sessions.sightingsStored(sightings);
        // The rows just stored are folded in now (each was counted when journaled), so nothing waits set aside.
        tracker.foldStoredJournaled(calls, ids);
        drainedCalls.addAndGet(batch.size());
        if (to.seq() > drained.seq()) {
            journal.deleteBefore(to.seq());
        }
        synchronized (progress) {
            drained = to;
            progress.notifyAll();
        }
    }

    private static List<String> sessionIdsOf(List<LlmCall> calls) {
        List<String> out = new ArrayList<>(calls.size());
        for (LlmCall c : calls) {
            if (c.sessionId() != null) {
                out.add(c.sessionId());
            }
        }
        return out;
    }

    private static List<LlmCall> calls(List<CallJournal.Entry> entries) {
        List<LlmCall> out = new ArrayList<>(entries.size());
        for (CallJournal.Entry e : entries) {
            out.add(e.call());
        }
        return out;
    }

    /** Stores what is journaled (bounded), stops the drainer and lets the journal go. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(drainer);
        try {
            drainer.join(READ_WAIT.toMillis() * 3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (drainer.isAlive()) {
            LOG.warn("call journal: the drainer did not finish in time; what it had not stored is stored at the next open");
        }
        table.close();
        journal.close();
    }
}
