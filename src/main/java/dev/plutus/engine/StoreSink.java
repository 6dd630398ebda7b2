package dev.plutus.engine;

import dev.plutus.budget.BudgetFile;
import dev.plutus.budget.ReservationBook;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.SharedReservations;
import dev.plutus.core.CallEvent;
import dev.plutus.core.LlmCall;
import dev.plutus.core.RecordedCall;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Stores calls locally (through the call journal, or committed directly with concurrent callers
 * sharing commits) and ends the holds they settle.
 */
public final class StoreSink implements CallSink {
    /** For each call, whether it was new (false: its event was already recorded); returns once each is durable and counted. */
    private final java.util.function.Function<List<LlmCall>, List<Boolean>> writer;
    private final ReservationBook reservations;
    private final SharedReservations shared;
    private final BudgetFile budgets;
    private final Clock clock;

    StoreSink(java.util.function.Function<List<LlmCall>, List<Boolean>> writer, ReservationBook reservations, SharedReservations shared,
            BudgetFile budgets, Clock clock) {
        this.writer = writer;
        this.reservations = reservations;
        this.shared = shared;
        this.budgets = budgets;
        this.clock = clock;
    }

    @Override
    public List<RecordedCall> accept(List<LlmCall> prepared, List<CallEvent> events) {
        List<Boolean> stored = writer.apply(prepared);
        List<RecordedCall> out = new ArrayList<>(stored.size());
        Set<ScopeRef> released = null;
        for (int i = 0; i < stored.size(); i++) {
            out.add(new RecordedCall(prepared.get(i), !stored.get(i)));
            // The real cost is counted now: the money held for the call goes back.
            List<ScopeRef> held = reservations.releaseScopes(prepared.get(i).eventId());
            if (!held.isEmpty()) {
                if (released == null) {
                    released = new LinkedHashSet<>();
                }
                released.addAll(held);
            }
        }
        if (released != null && budgets.current().reservations().shared()) {
            shared.ended(released, clock.instant());
        }
        return out;
    }
}
