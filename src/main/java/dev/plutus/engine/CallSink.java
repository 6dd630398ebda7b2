package dev.plutus.engine;

import dev.plutus.core.CallEvent;
import dev.plutus.core.LlmCall;
import dev.plutus.core.RecordedCall;
import java.util.List;

/**
 * Where priced calls go: this process's store (counted toward local budgets at once), or the
 * outbox to a central Plutus in remote mode. Chosen once, when the engine opens.
 */
public sealed interface CallSink permits StoreSink, RemoteSink {
    /** Stores the prepared calls in the order given; {@code events} are the events they came from. */
    List<RecordedCall> accept(List<LlmCall> prepared, List<CallEvent> events);
}
