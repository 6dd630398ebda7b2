package dev.plutus.ingest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Ingestion counts for /metrics and /status: requests by status code, events recorded, blocked,
 * duplicate; OTLP exports waiting now to tell wrapper spans from calls, and how those spans ended.
 */
public final class IngestCounters {
    private final ConcurrentHashMap<Integer, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder recorded = new LongAdder();
    private final LongAdder blocked = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final AtomicInteger otlpWaiting = new AtomicInteger();
    private final ConcurrentHashMap<String, LongAdder> undecided = new ConcurrentHashMap<>();

    public void request(int status) {
        requests.computeIfAbsent(status, k -> new LongAdder()).increment();
    }

    void events(int recordedNow, int blockedNow, int duplicateNow) {
        recorded.add(recordedNow);
        blocked.add(blockedNow);
        duplicates.add(duplicateNow);
    }

    public Map<Integer, Long> requestsByStatus() {
        Map<Integer, Long> out = new TreeMap<>();
        requests.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public long recorded() {
        return recorded.sum();
    }

    public long blocked() {
        return blocked.sum();
    }

    public long duplicates() {
        return duplicates.sum();
    }

    void otlpWaiting(int delta) {
        otlpWaiting.addAndGet(delta);
    }

    /** {@code /v1/traces} exports waiting now for the children of spans that name no operation. */
    public int otlpWaiting() {
        return otlpWaiting.get();
    }

    void undecided(GenAiWrappers.Outcome outcome) {
        undecided.computeIfAbsent(outcome.label(), k -> new LongAdder()).increment();
    }

    /** How the spans that could not be told apart at once ended, by {@link GenAiWrappers.Outcome#label()}. */
    public Map<String, Long> undecidedByOutcome() {
        Map<String, Long> out = new TreeMap<>();
        for (GenAiWrappers.Outcome o : GenAiWrappers.Outcome.values()) {
            out.put(o.label(), 0L);
        }
        undecided.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
