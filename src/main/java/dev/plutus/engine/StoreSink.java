package dev.plutus.engine;

import dev.plutus.budget.BudgetFile;
import dev.plutus.budget.ReservationBook;
import dev.plutus.budget.ScopeRef;
import dev.plutus.budget.SharedReservations;
import dev.plutus.core.CallEvent;
import dev.plutus.core.LlmCall;
import dev.plutus.core.RecordedCall;
import dev.plutus.store.GroupCommitQueue;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/** Commits calls to the local store (concurrent callers share commits) and ends the holds they settle. */
public final class StoreSink implements CallSink {
    private final GroupCommitQueue<LlmCall, OptionalLong> writer;
    private final ReservationBook reservations;
    private final SharedReservations shared;
    private final BudgetFile budgets;
    private final Clock clock;

    StoreSink(GroupCommitQueue<LlmCall, OptionalLong> writer, ReservationBook reservations, SharedReservations shared,
            BudgetFile budgets, Clock clock) {
        this.writer = writer;
        this.reservations = reservations;
        this.shared = shared;
        this.budgets = budgets;
        this.clock = clock;
    }

    @Override
    public List<RecordedCall> accept(List<LlmCall> prepared, List<CallEvent> events) {
        List<OptionalLong> ids = writer.writeAll(prepared);
        List<RecordedCall> out = new ArrayList<>(ids.size());
        Set<ScopeRef> released = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            out.add(new RecordedCall(prepared.get(i), ids.get(i).isEmpty()));
            // The real cost is counted now: the money held for the call goes back.
            released.addAll(reservations.releaseScopes(prepared.get(i).eventId()));
        }
        if (!released.isEmpty() && budgets.current().reservations().shared()) {
            shared.ended(released, clock.instant());
        }
        return out;
    }
}
