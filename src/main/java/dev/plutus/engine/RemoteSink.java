package dev.plutus.engine;

import dev.plutus.core.CallEvent;
import dev.plutus.core.LlmCall;
import dev.plutus.core.RecordedCall;
import dev.plutus.remote.RemoteLink;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Remote mode: calls go to the durable outbox that the link sends to the central Plutus. */
public final class RemoteSink implements CallSink {
    private final RemoteLink link;

    RemoteSink(RemoteLink link) {
        this.link = link;
    }

    @Override
    public List<RecordedCall> accept(List<LlmCall> prepared, List<CallEvent> events) {
        List<RecordedCall> out = new ArrayList<>(prepared.size());
        for (int i = 0; i < prepared.size(); i++) {
            LlmCall c = prepared.get(i);
            if (c.eventId() == null) {
                // The central instance de-duplicates by event id; a call without one gets a fresh id once, here.
                c = c.withEventId("local:" + UUID.randomUUID());
            }
            out.add(new RecordedCall(c, !link.enqueue(c, events.get(i).reportedCostUsd())));
        }
        return out;
    }
}
