package dev.plutus.budget;

import dev.plutus.store.GroupCommitQueue;
import dev.plutus.store.Jdbc;
import dev.plutus.store.ReservationStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reservations for processes and hosts sharing one store ({@code reservations.shared: true}).
 *
 * <p>The exact check runs in a write transaction, where writers take turns on every store: it folds
 * in calls others recorded, reads what they hold, decides, and publishes what this process holds.
 * That costs several round trips, so on admitting a call it also claims a slice of what is left
 * under each scope's hard threshold (a quarter of the headroom, at most {@value #SLICE_CALLS} such
 * calls' worth) and publishes it as held. Until the slice is spent or {@code claim} passes, this
 * process admits its calls from the slice in memory; others count the slice as held, so between
 * them the cap holds exactly as if each call had been checked in the store. Near a cap the slices
 * shrink to nothing and every call is checked in the store again; a refusal drops the claim.
 */
public final class SharedReservations {
    /** A slice covers at most this many calls like the one that claimed it. */
    static final long SLICE_CALLS = 256;

    private final ReservationBook book;
    private final ReservationStore store;
    private final LedgerSync tracker;
    private final String owner;
    /** What the others held per scope at the last check in the store: counted, stale but safe, by in-memory admissions. */
    private final Map<ScopeRef, Long> othersSeen = new ConcurrentHashMap<>();
    private final LongAdder storeChecks = new LongAdder();
    private final LongAdder claimedAdmissions = new LongAdder();
    private final GroupCommitQueue<StoreWork, java.util.Optional<ReservationBook.Outcome>> work = new GroupCommitQueue<>(64, this::inStore);

    public SharedReservations(ReservationBook book, ReservationStore store, LedgerSync tracker, String owner) {
        this.book = book;
        this.store = store;
        this.tracker = tracker;
        this.owner = owner;
    }

    /** Holds {@code micros} against {@code scopes} for call {@code id}, from a claim when one covers it, else checked in the store. */
    public ReservationBook.Outcome reserve(BudgetConfig cfg, String id, Collection<ScopeRef> scopes, long micros, Instant now,
                                           Instant expires) {
        if (!cfg.reservations().claim().isZero()) {
            BudgetEvaluator ev = new BudgetEvaluator(tracker.ledger());
            ReservationBook.Outcome o = book.reserveClaimed(id, scopes, micros, now, expires, held -> ev.check(cfg, scopes, now, held),
                    scope -> othersSeen.getOrDefault(scope, 0L), cfg);
            if (o != null) {
                claimedAdmissions.increment();
                return o;
            }
        }
        storeChecks.increment();
        return work.write(new Check(cfg, id, List.copyOf(scopes), micros, now, expires)).orElseThrow();
    }

    /** What this process asks of the store: a reservation to decide, or scopes whose published totals should shrink. */
    private sealed interface StoreWork {
        List<ScopeRef> scopes();

        Instant now();
    }

    private record Check(BudgetConfig cfg, String id, List<ScopeRef> scopes, long micros, Instant now, Instant expires) implements StoreWork {}

    private record Republish(List<ScopeRef> scopes, Instant now) implements StoreWork {}

    /**
     * Does queued store work in one write transaction: threads of this process that need the store
     * at once share one look and one publish instead of queueing for the writers' turn.
     * Results are the checks' outcomes (empty for a republish).
     */
    private List<java.util.Optional<ReservationBook.Outcome>> inStore(List<StoreWork> batch) {
        java.util.Set<ScopeRef> scopes = new java.util.LinkedHashSet<>();
        batch.forEach(r -> scopes.addAll(r.scopes()));
        List<Check> checks = batch.stream().filter(w -> w instanceof Check).map(w -> (Check) w).toList();
        List<String> keys = scopes.stream().map(ScopeRef::describe).toList();
        Instant now = batch.get(batch.size() - 1).now();
        List<ReservationBook.Outcome> decided = new java.util.ArrayList<>(checks.size());
        try {
            Jdbc.TransactionBody<List<java.util.Optional<ReservationBook.Outcome>>> body = c -> {
                decided.clear();
                if (!checks.isEmpty()) {
                    ReservationStore.Look look = store.look(c, tracker.watermark(), LedgerSync.syncBatch(), keys, owner, now,
                            checks.get(0).cfg().reservations().ttl());
                    tracker.sync(c, look.calls());
                    for (ScopeRef s : scopes) {
                        othersSeen.put(s, look.heldByOthers().getOrDefault(s.describe(), 0L));
                    }
                }
                BudgetEvaluator ev = new BudgetEvaluator(tracker.ledger());
                for (Check r : checks) {
                    ReservationBook.Outcome o = book.reserve(r.id(), r.scopes(), r.micros(), r.now(), r.expires(),
                            held -> ev.check(r.cfg(), r.scopes(), r.now(), held), scope -> othersSeen.getOrDefault(scope, 0L));
                    Duration claim = r.cfg().reservations().claim();
                    if (o instanceof ReservationBook.Outcome.Admitted && !claim.isZero()) {
                        book.grant(slices(r.cfg(), ev, r.scopes(), r.micros(), r.now()), r.now().plus(claim), r.cfg());
                    } else {
                        book.revoke(r.scopes());
                    }
                    decided.add(o);
                }
                // Computed here, under the writers' turn, so no older total can be written after a newer one.
                store.publish(c, owner, published(scopes, now), now);
                List<java.util.Optional<ReservationBook.Outcome>> out = new java.util.ArrayList<>(batch.size());
                java.util.Iterator<ReservationBook.Outcome> next = decided.iterator();
                for (StoreWork w : batch) {
                    out.add(w instanceof Check ? java.util.Optional.of(next.next()) : java.util.Optional.empty());
                }
                return out;
            };
            // Only checks read the ledger's watermark and fold in calls; a batch of republishes must not hold up recording.
            return checks.isEmpty() ? store.exclusively(body) : tracker.whileHolding(() -> store.exclusively(body));
        } catch (RuntimeException e) {
            // Nothing was published: neither the claims granted nor the holds taken in memory for this batch may outlive the failure.
            book.revoke(scopes);
            for (ReservationBook.Outcome o : decided) {
                if (o instanceof ReservationBook.Outcome.Admitted a) {
                    book.release(a.id());
                }
            }
            throw e;
        }
    }

    /** Per scope, the money to claim beyond the holds now: what is left before hard, shared out so that other hosts keep most of it. */
    private Map<ScopeRef, Long> slices(BudgetConfig cfg, BudgetEvaluator ev, Collection<ScopeRef> scopes, long micros, Instant now) {
        Map<ScopeRef, Long> out = new LinkedHashMap<>();
        for (ScopeRef s : scopes) {
            long free = ev.headroom(cfg, s, now, book.heldMicros(s) + othersSeen.getOrDefault(s, 0L));
            if (free == Long.MAX_VALUE) {
                out.put(s, Long.MAX_VALUE);
                continue;
            }
            long slice = Math.min(free / 4, Math.multiplyExact(Math.max(micros, 1), SLICE_CALLS));
            out.put(s, slice < micros ? 0 : slice);
        }
        return out;
    }

    /**
     * After holds on {@code scopes} ended (settled by a recorded call, released or expired): the
     * scopes a live claim covers keep what they published, which can only overstate this process's
     * share until the claim lapses; the others shrink to the holds at once, so their money is free.
     */
    public void ended(Collection<ScopeRef> scopes, Instant now) {
        List<ScopeRef> unclaimed = scopes.stream().filter(s -> !book.claimed(s, now)).toList();
        if (!unclaimed.isEmpty()) {
            work.write(new Republish(unclaimed, now));
        }
    }

    /** Shrinks what is published for scopes whose claims lapsed to the holds alone (the daemon runs this every second). */
    public int republishLapsed(Instant now) {
        List<ScopeRef> lapsed = book.dropLapsedClaims(now);
        if (!lapsed.isEmpty()) {
            work.write(new Republish(lapsed, now));
        }
        return lapsed.size();
    }

    /** Money every process sharing the store publishes as held for the scope now: their holds and claimed slices. */
    public long publishedByAll(ScopeRef scope, Instant now, java.time.Duration ttl) {
        return store.held(scope.describe(), now, ttl);
    }

    /** Drops rows of processes that died holding money, once they are older than the ttl and a day. */
    public int purgeStale(Instant now, java.time.Duration ttl) {
        java.time.Duration keep = ttl.compareTo(java.time.Duration.ofDays(1)) > 0 ? ttl : java.time.Duration.ofDays(1);
        return store.purgeStale(now.minus(keep));
    }

    /** Takes back everything this process published: it is closing and will admit nothing more. */
    public void withdraw() {
        store.withdraw(owner);
    }

    private Map<String, Long> published(Collection<ScopeRef> scopes, Instant now) {
        book.expire(now);
        Map<String, Long> out = new LinkedHashMap<>();
        for (ScopeRef s : scopes) {
            out.put(s.describe(), book.publishedMicros(s, now));
        }
        return out;
    }

    /** Reservations decided in the store (exactly, under the writers' lock) since this process opened. */
    public long storeChecks() {
        return storeChecks.sum();
    }

    /** Reservations admitted from a claim in memory since this process opened. */
    public long claimedAdmissions() {
        return claimedAdmissions.sum();
    }
}
