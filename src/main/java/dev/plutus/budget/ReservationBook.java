package dev.plutus.budget;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;

/**
 * Money held for model calls in flight, per scope. Admission and holding happen under one lock, so
 * two calls racing for the last of a budget cannot both see it free: a call is let through only
 * while spent + held is below the hard threshold of every scope it falls under, and what it holds
 * counts against the next one at once. A hold ends when the call's real cost is recorded
 * ({@link #release}) or when its time is up (a call that never reported back cannot hold money forever).
 */
public final class ReservationBook {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Held> byId = new HashMap<>();
    private final Map<ScopeRef, Long> heldByScope = new HashMap<>();
    private long nextExpiry = Long.MAX_VALUE;

    private record Held(List<ScopeRef> scopes, long micros, long expiresAtMillis) {}

    /** What became of a request to hold money: let through (with the verdict it was let through on), or refused. */
    public sealed interface Outcome {
        BudgetCheck check();

        record Admitted(String id, long micros, Instant expiresAt, BudgetCheck check) implements Outcome {}

        record Refused(BudgetCheck check) implements Outcome {}
    }

    /** What else counts as held for a scope beyond this book (other processes' reservations in shared mode). */
    @FunctionalInterface
    public interface Elsewhere {
        long heldMicros(ScopeRef scope);

        Elsewhere NONE = scope -> 0;
    }

    /**
     * Checks {@code scopes} with everything held counted as spent and, unless that is a hard verdict,
     * holds {@code micros} against each. A request whose id is already held (a retry) renews its time
     * and is judged without counting itself twice.
     */
    public Outcome reserve(String id, Collection<ScopeRef> scopes, long micros, Instant now, Instant expiresAt,
                           Judge judge, Elsewhere elsewhere) {
        lock.lock();
        try {
            expire(now.toEpochMilli());
            Held again = byId.remove(id);
            if (again != null) {
                unhold(again);
            }
            BudgetCheck check = judge.check(scope -> heldByScope.getOrDefault(scope, 0L) + elsewhere.heldMicros(scope));
            if (check.verdict() instanceof Verdict.Hard) {
                return new Outcome.Refused(check);
            }
            Held h = new Held(List.copyOf(scopes), micros, expiresAt.toEpochMilli());
            byId.put(id, h);
            for (ScopeRef s : h.scopes()) {
                heldByScope.merge(s, micros, Long::sum);
            }
            nextExpiry = Math.min(nextExpiry, h.expiresAtMillis());
            return new Outcome.Admitted(id, micros, expiresAt, check);
        } finally {
            lock.unlock();
        }
    }

    /** Judges scopes given what is held for each (the budget evaluator, with config and clock bound). */
    @FunctionalInterface
    public interface Judge {
        BudgetCheck check(ToLongFunction<ScopeRef> held);
    }

    /** Ends the hold (the call's cost is recorded, or it failed); false when nothing was held under that id. */
    public boolean release(String id) {
        return !releaseScopes(id).isEmpty();
    }

    /** Ends the hold and names the scopes it was held in (global among them); empty when nothing was held under that id. */
    public List<ScopeRef> releaseScopes(String id) {
        if (id == null) {
            return List.of();
        }
        lock.lock();
        try {
            Held h = byId.remove(id);
            if (h == null) {
                return List.of();
            }
            unhold(h);
            return h.scopes();
        } finally {
            lock.unlock();
        }
    }

    public boolean isHeld(String id) {
        lock.lock();
        try {
            return byId.containsKey(id);
        } finally {
            lock.unlock();
        }
    }

    /** Money held now for the scope. */
    public long heldMicros(ScopeRef scope) {
        lock.lock();
        try {
            return heldByScope.getOrDefault(scope, 0L);
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return byId.size();
        } finally {
            lock.unlock();
        }
    }

    /** Drops holds whose time is up; returns how many. */
    public int expire(Instant now) {
        lock.lock();
        try {
            return expire(now.toEpochMilli());
        } finally {
            lock.unlock();
        }
    }

    private int expire(long now) {
        if (now < nextExpiry) {
            return 0;
        }
        int n = 0;
        long next = Long.MAX_VALUE;
        for (Iterator<Held> it = byId.values().iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (h.expiresAtMillis() <= now) {
                it.remove();
                unhold(h);
                n++;
            } else {
                next = Math.min(next, h.expiresAtMillis());
            }
        }
        nextExpiry = next;
        return n;
    }

    private void unhold(Held h) {
        for (ScopeRef s : h.scopes()) {
            heldByScope.computeIfPresent(s, (k, v) -> v - h.micros() == 0 ? null : v - h.micros());
        }
    }
}
