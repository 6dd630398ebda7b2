package dev.plutus.engine;

import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.BudgetConfig;
import dev.plutus.budget.BudgetEvaluator;
import dev.plutus.budget.BudgetFile;
import dev.plutus.budget.EnforcementMode;
import dev.plutus.budget.ReservationBook;
import dev.plutus.budget.ReservationSettings;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.SharedReservations;
import dev.plutus.budget.SpendLedger;
import dev.plutus.budget.Verdict;
import dev.plutus.core.CallIntent;
import dev.plutus.core.TokenUsage;
import dev.plutus.pricing.CallCost;
import dev.plutus.pricing.PricingEngine;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Holds a call's expected cost against every scope before it goes out, so concurrent calls cannot
 * together pass a hard cap; in shared mode the holds are published in the store for every process
 * on it. Recording the call (under the intent's id) or {@link #release} ends a hold.
 */
public final class Reservations {
    private final BudgetFile budgets;
    private final SpendLedger ledger;
    private final PricingEngine pricing;
    private final BudgetGate gate;
    private final ReservationBook book;
    private final SharedReservations shared;
    private final Clock clock;

    Reservations(BudgetFile budgets, SpendLedger ledger, PricingEngine pricing, BudgetGate gate, ReservationBook book,
            SharedReservations shared, Clock clock) {
        this.budgets = budgets;
        this.ledger = ledger;
        this.pricing = pricing;
        this.gate = gate;
        this.book = book;
        this.shared = shared;
        this.clock = clock;
    }

    /**
     * Holds the intent's expected cost against every scope it falls under and answers the verdict
     * with everything held counted; refused (nothing held) when that is hard, or unknown (budget.yaml
     * refused with no earlier good budget: the limits meant are not known).
     */
    public ReservationBook.Outcome reserve(CallIntent intent) {
        return reserve(intent, null);
    }

    /**
     * As {@link #reserve(CallIntent)}, holding {@code expectedOutputTokens} of output when given instead of
     * {@code reservations.expected_output_tokens} (capped by the intent's max). The JVM adapters pass the
     * request's own output cap: a host that sets one may well use it all, and holding less lets
     * concurrent calls overrun a hard cap many times over. Hermes hooks pass null.
     */
    public ReservationBook.Outcome reserve(CallIntent intent, Long expectedOutputTokens) {
        Optional<BudgetCheck> unknown = gate.unenforceable();
        if (unknown.isPresent()) {
            gate.count(unknown.get());
            return new ReservationBook.Outcome.Refused(unknown.get());
        }
        BudgetConfig cfg = budgets.current();
        ReservationSettings rs = cfg.reservations();
        Collection<ScopeRef> scopes = gate.callScopes(intent.sessionId(), intent.provider(), intent.model());
        Instant now = clock.instant();
        ReservationBook.Outcome o;
        if (!rs.enabled() || !cfg.hasAnyLimit()) {
            BudgetCheck c = new BudgetEvaluator(ledger).check(cfg, scopes, now);
            o = c.verdict() instanceof Verdict.Hard ? new ReservationBook.Outcome.Refused(c)
                    : new ReservationBook.Outcome.Admitted(intent.id(), 0, now, c);
        } else {
            long expectedOut = expectedOutputTokens != null ? expectedOutputTokens : rs.expectedOutputTokens();
            long out = intent.maxOutputTokens() == null ? expectedOut : Math.min(expectedOut, intent.maxOutputTokens());
            TokenUsage expected = new TokenUsage(intent.approxInputTokens(), Math.max(0, out), 0, 0, 0, 0);
            CallCost cost = pricing.price(intent.provider(), intent.model(), null, expected, now, 0);
            if (!cost.priced() && cfg.onUnpriced() == EnforcementMode.PROVISIONAL) {
                // The call will be counted at the stand-in price: hold that much, as for any other call.
                cost = pricing.provisional(intent.provider(), expected, cost.unpricedReason());
            }
            long micros = cost.micros();
            Instant expires = now.plus(rs.ttl());
            if (rs.shared()) {
                o = shared.reserve(cfg, intent.id(), scopes, micros, now, expires);
            } else {
                BudgetEvaluator ev = new BudgetEvaluator(ledger);
                o = book.reserve(intent.id(), scopes, micros, now, expires, held -> ev.check(cfg, scopes, now, held),
                        ReservationBook.Elsewhere.NONE);
            }
        }
        gate.count(o.check());
        return o;
    }

    /** Ends a hold whose call failed or was abandoned; false when nothing was held under that id. */
    public boolean release(String intentId) {
        List<ScopeRef> scopes = book.releaseScopes(intentId);
        if (!scopes.isEmpty() && budgets.current().reservations().shared()) {
            shared.ended(scopes, clock.instant());
        }
        return !scopes.isEmpty();
    }

    /** In shared mode: reservations checked in the store, and those admitted from a claim in memory, since this process opened. */
    public Map<String, Long> paths() {
        return Map.of("store", shared.storeChecks(), "claim", shared.claimedAdmissions());
    }

    /**
     * In shared mode, money every process sharing the store publishes as held for the scope (holds
     * for calls in flight and claimed slices of the headroom); 0 otherwise.
     */
    public long heldInStoreMicros(ScopeRef scope) {
        ReservationSettings rs = budgets.current().reservations();
        return rs.shared() ? shared.publishedByAll(scope, clock.instant(), rs.ttl()) : 0;
    }

    /** Money held now for calls in flight in the scope (by this process; in shared mode others' too). */
    public long heldMicros(ScopeRef scope) {
        return book.heldMicros(scope);
    }

    /** Shrinks what this process publishes as held for scopes whose claims lapsed (upkeep runs it every second). */
    public int republishLapsedClaims() {
        return budgets.current().reservations().shared() ? shared.republishLapsed(clock.instant()) : 0;
    }
}
