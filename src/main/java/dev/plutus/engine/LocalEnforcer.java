package dev.plutus.engine;

import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.BudgetMessages;
import dev.plutus.budget.RefusalLog;
import dev.plutus.budget.ReservationBook;
import dev.plutus.budget.ScopeStatus;
import dev.plutus.budget.Verdict;
import dev.plutus.core.CallIntent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Verdicts from this process's running totals and reservations. */
public final class LocalEnforcer implements Enforcer {
    private final BudgetGate gate;
    private final Reservations reservations;
    private final RefusalLog refusals;
    private final java.time.Clock clock;

    LocalEnforcer(BudgetGate gate, Reservations reservations, RefusalLog refusals, java.time.Clock clock) {
        this.gate = gate;
        this.reservations = reservations;
        this.refusals = refusals;
        this.clock = clock;
    }

    @Override
    public Optional<Block> block(String sessionId) {
        return blockFor(sessionId, known(gate.checkSession(sessionId)));
    }

    @Override
    public Announcements announce(String sessionId) {
        BudgetCheck check = known(gate.checkSession(sessionId));
        List<String> notices = new ArrayList<>();
        for (ScopeStatus s : gate.unannounced(check, sessionId)) {
            notices.add(BudgetMessages.notice(s, gate.zone()));
        }
        return new Announcements(notices, gate.cronPauseIfDue(sessionId, check));
    }

    @Override
    public Optional<Block> admit(CallIntent intent) {
        ReservationBook.Outcome o = reserve(intent);
        if (!(o instanceof ReservationBook.Outcome.Refused r)) {
            return Optional.empty();
        }
        if (r.check().verdict() instanceof Verdict.Hard hard) {
            ScopeStatus s = hard.cause();
            boolean onlyHeld = s.heldMicros() > 0
                    && !(gate.check(gate.callScopes(intent.sessionId(), intent.provider(), intent.model())).verdict() instanceof Verdict.Hard);
            refusals.add(new RefusalLog.Refusal(clock.instant(), intent.sessionId(), s.scope(), s.window(), r.expectedMicros(),
                    s.spentMicros(), s.heldMicros(), s.limitMicros(), onlyHeld));
            if (onlyHeld) {
                // Refused only for what is held: the spend alone is under the limit.
                return Optional.of(new Block(BudgetMessages.reservationBlockMessage(s, r.expectedMicros()), Optional.empty()));
            }
        }
        return blockFor(intent.sessionId(), r.check());
    }

    @Override
    public void renew(CallIntent intent) {
        reserve(intent);
    }

    /** Holds the call's expected cost (or renews its hold); a failure or an unknown verdict is thrown as {@link VerdictUnknown}. */
    private ReservationBook.Outcome reserve(CallIntent intent) {
        ReservationBook.Outcome o;
        try {
            o = reservations.reserve(intent);
        } catch (RuntimeException e) {
            throw new VerdictUnknown(VerdictUnknown.reasonOf(e), e);
        }
        known(o.check());
        return o;
    }

    /** The check, unless its verdict is unknown: that is thrown, so no caller can take it for ok. */
    private static BudgetCheck known(BudgetCheck check) {
        if (check.verdict() instanceof Verdict.Unknown u) {
            throw new VerdictUnknown(u.reason(), null);
        }
        return check;
    }

    @Override
    public boolean release(String intentId) {
        return reservations.release(intentId);
    }

    private Optional<Block> blockFor(String sessionId, BudgetCheck check) {
        if (check.verdict() instanceof Verdict.Hard hard) {
            return Optional.of(new Block(BudgetMessages.blockMessage(hard.cause(), gate.zone()),
                    gate.cronPauseIfDue(sessionId, check)));
        }
        return Optional.empty();
    }
}
