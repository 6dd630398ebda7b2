package dev.plutus.ingest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Ingestion counts for /metrics and /status: requests by status code, events recorded, blocked, duplicate. */
public final class IngestCounters {
    private final ConcurrentHashMap<Integer, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder recorded = new LongAdder();
    private final LongAdder blocked = new LongAdder();
    private final LongAdder duplicates = new LongAdder();

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
}
