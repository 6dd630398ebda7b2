package dev.plutus.ingest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which spans wrap GenAI spans. An agent's or a workflow's span may carry a provider and the usage of
 * the model calls inside it; when it also names no {@code gen_ai.operation.name} it looks like a call
 * itself, and counting it beside its children would bill their tokens twice. A span whose children
 * name a provider is such a wrapper. Children end, and are usually exported, before their parent (an
 * exporter that sends each span as it ends sends them in separate requests), so the parents named by
 * recent exports are remembered, up to {@link #DEFAULT_CAPACITY} of them, oldest forgotten first.
 * A wrapper exported before any of its children cannot be told from a call; the conventions require
 * the operation name, and a sender that sets it is never guessed about.
 */
public final class GenAiWrappers {
    /** Parents remembered: far more than the spans of the exports in flight at once (an export holds at most 10,000). */
    public static final int DEFAULT_CAPACITY = 200_000;

    private final Map<String, Boolean> parents;

    public GenAiWrappers() {
        this(DEFAULT_CAPACITY);
    }

    public GenAiWrappers(int capacity) {
        this.parents = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Remembers the parents of this export's GenAI spans (those naming a provider); call before mapping any of them. */
    public synchronized void note(List<OtlpSpan> spans) {
        for (OtlpSpan s : spans) {
            if (!s.parentSpanId().isEmpty() && GenAiSpans.provider(s.attributes()) != null) {
                parents.put(s.traceId() + '/' + s.parentSpanId(), Boolean.TRUE);
            }
        }
    }

    /** Whether a GenAI span seen so far (in this export or a recent one) has this span as its parent. */
    public synchronized boolean wraps(OtlpSpan span) {
        return parents.containsKey(span.traceId() + '/' + span.spanId());
    }
}
