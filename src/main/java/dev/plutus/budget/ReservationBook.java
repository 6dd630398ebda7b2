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
 *
 * <p>Where processes share a store, each may also keep a <em>claim</em> per scope: money it has
 * published as held beyond its holds, granted by the store under the writers' lock, which it may
 * then hand out to its own calls in memory until the claim runs out or lapses
 * ({@link #reserveClaimed}). Others count the claim as held, so the cap still holds between them.
 */
public final class ReservationBook {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Held> byId = new HashMap<>();
    private final Map<ScopeRef, Long> heldByScope = new HashMap<>();
    private final Map<ScopeRef, Claim> claims = new HashMap<>();
    private long nextExpiry = Long.MAX_VALUE;

    private record Held(List<ScopeRef> scopes, long micros, long expiresAtMillis) {}

    /**
     * Money claimed beyond the holds for one scope, usable until {@code untilMillis} under the budget
     * config it was sized by ({@code basis}: a reloaded budget.yaml voids every claim).
     * {@code unlimited}: the scope had no limit when claimed, so nothing beyond the holds is published.
     */
    private record Claim(long micros, boolean unlimited, long untilMillis, Object basis) {
        boolean covers(long need, long now, Object currentBasis) {
            return now < untilMillis && basis == currentBasis && (unlimited || micros >= need);
        }
    }

    /** What became of a request to hold money: let through (with the verdict it was let through on), or refused. */
    public sealed interface Outcome {
        BudgetCheck check();

        record Admitted(String id, long micros, Instant expiresAt, BudgetCheck check) implements Outcome {}

        /**
         * {@code centralMessage}: in remote mode, the central Plutus's words for its hard verdict (null otherwise);
         * {@code expectedMicros}: what the refused call was expected to cost (0 when not known here).
         */
        record Refused(BudgetCheck check, String centralMessage, long expectedMicros) implements Outcome {
            public Refused(BudgetCheck check) {
                this(check, null, 0);
            }

            public Refused(BudgetCheck check, String centralMessage) {
                this(check, centralMessage, 0);
            }
        }
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
     * and is judged without counting itself twice. A renewal never holds less than the call already held (a
     * request re-sized smaller, or sent with its sizes missing, would otherwise free money for other calls while
     * it is in flight), and refused it keeps that hold with the later expiry: the call was let out on it (Hermes
     * cannot take a call back), so its money stays held until it reports or fails.
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
            BudgetCheck check = judge.check(scope -> dev.plutus.core.Money.plus(heldByScope.getOrDefault(scope, 0L), elsewhere.heldMicros(scope)));
            long until = again == null ? expiresAt.toEpochMilli() : Math.max(again.expiresAtMillis(), expiresAt.toEpochMilli());
            if (check.verdict() instanceof Verdict.Hard) {
                if (again != null) {
                    hold(id, new Held(again.scopes(), again.micros(), until));
                }
                return new Outcome.Refused(check, null, micros);
            }
            long held = again == null ? micros : Math.max(micros, again.micros());
            hold(id, new Held(List.copyOf(scopes), held, until));
            return new Outcome.Admitted(id, held, Instant.ofEpochMilli(until), check);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Holds {@code micros} against claims this process already has, without asking the store: null
     * when a scope has no live claim under {@code basis} large enough, or when the verdict would be
     * hard (the store must then decide, exactly). Claims shrink by what they hand out.
     */
    public Outcome reserveClaimed(String id, Collection<ScopeRef> scopes, long micros, Instant now, Instant expiresAt,
                                  Judge judge, Elsewhere elsewhere, Object basis) {
        lock.lock();
        try {
            long nowMillis = now.toEpochMilli();
            expire(nowMillis);
            for (ScopeRef s : scopes) {
                Claim c = claims.get(s);
                if (c == null || !c.covers(micros, nowMillis, basis)) {
                    return null;
                }
            }
            Held again = byId.get(id);
            if (again != null) {
                // A retry is judged without counting itself twice; its old hold is covered by the claim already published.
                byId.remove(id);
                unhold(again);
            }
            BudgetCheck check = judge.check(scope -> dev.plutus.core.Money.plus(heldByScope.getOrDefault(scope, 0L), elsewhere.heldMicros(scope)));
            if (check.verdict() instanceof Verdict.Hard) {
                if (again != null) {
                    hold(id, again);
                }
                return null;
            }
            for (ScopeRef s : scopes) {
                Claim c = claims.get(s);
                if (!c.unlimited()) {
                    claims.put(s, new Claim(c.micros() - micros, false, c.untilMillis(), c.basis()));
                }
            }
            // As in reserve: a renewal never holds less, nor ends sooner, than the hold it renews.
            long held = again == null ? micros : Math.max(micros, again.micros());
            long until = again == null ? expiresAt.toEpochMilli() : Math.max(again.expiresAtMillis(), expiresAt.toEpochMilli());
            hold(id, new Held(List.copyOf(scopes), held, until));
            return new Outcome.Admitted(id, held, Instant.ofEpochMilli(until), check);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records claims the store granted (money per scope beyond the holds; {@link Long#MAX_VALUE}
     * for a scope without limits), replacing earlier claims on those scopes.
     */
    public void grant(Map<ScopeRef, Long> micros, Instant until, Object basis) {
        lock.lock();
        try {
            micros.forEach((s, m) -> claims.put(s, new Claim(m == Long.MAX_VALUE ? 0 : m, m == Long.MAX_VALUE, until.toEpochMilli(), basis)));
        } finally {
            lock.unlock();
        }
    }

    /** Drops the claims on these scopes (a refusal: the last of a budget is handed out one exact check at a time). */
    public void revoke(Collection<ScopeRef> scopes) {
        lock.lock();
        try {
            scopes.forEach(claims::remove);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a live claim with money left covers the scope (or the scope had no limit), so what is
     * published for it need not shrink when a hold ends; a claim spent down to nothing, near a cap,
     * does not: the money a hold gave back must be free for the others at once.
     */
    public boolean claimed(ScopeRef scope, Instant now) {
        lock.lock();
        try {
            Claim c = claims.get(scope);
            return c != null && now.toEpochMilli() < c.untilMillis() && (c.unlimited() || c.micros() > 0);
        } finally {
            lock.unlock();
        }
    }

    /** Drops claims whose time is up and names their scopes: what is published for them should shrink to the holds. */
    public List<ScopeRef> dropLapsedClaims(Instant now) {
        lock.lock();
        try {
            long nowMillis = now.toEpochMilli();
            List<ScopeRef> out = new java.util.ArrayList<>();
            for (Iterator<Map.Entry<ScopeRef, Claim>> it = claims.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<ScopeRef, Claim> e = it.next();
                if (e.getValue().untilMillis() <= nowMillis) {
                    it.remove();
                    out.add(e.getKey());
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** What the others sharing the store must count as held by this process for the scope: its holds and its live claim. */
    public long publishedMicros(ScopeRef scope, Instant now) {
        lock.lock();
        try {
            long held = heldByScope.getOrDefault(scope, 0L);
            Claim c = claims.get(scope);
            return c == null || c.unlimited() || now.toEpochMilli() >= c.untilMillis() ? held : held + c.micros();
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

    private void hold(String id, Held h) {
        byId.put(id, h);
        for (ScopeRef s : h.scopes()) {
            heldByScope.merge(s, h.micros(), Long::sum);
        }
        nextExpiry = Math.min(nextExpiry, h.expiresAtMillis());
    }

    private void unhold(Held h) {
        for (ScopeRef s : h.scopes()) {
            heldByScope.computeIfPresent(s, (k, v) -> v - h.micros() == 0 ? null : v - h.micros());
        }
    }
}
