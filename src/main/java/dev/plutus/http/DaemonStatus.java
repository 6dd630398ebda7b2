package dev.plutus.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.hermes.HookCounters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** What the running daemon has done since it started: requests, rejections, latency, replays. */
public final class DaemonStatus {
    public static final String VERSION = "0.1.0";

    private final Instant startedAt;
    private final Clock clock;
    private volatile String url = "";
    private final HookCounters hookCounters;
    private final LatencyHistogram hookLatency = new LatencyHistogram();
    private final ConcurrentHashMap<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder replayed = new LongAdder();
    private final LongAdder replayRejected = new LongAdder();

    DaemonStatus(Clock clock, HookCounters hookCounters) {
        this.clock = clock;
        this.startedAt = clock.instant();
        this.hookCounters = hookCounters;
    }

    void listening(String url) {
        this.url = url;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public LatencyHistogram hookLatency() {
        return hookLatency;
    }

    void hookHandled(String event, long nanos) {
        requests.computeIfAbsent("hook." + event, k -> new LongAdder()).increment();
        hookLatency.record(nanos);
    }

    void commandHandled(String name) {
        requests.computeIfAbsent("command." + name, k -> new LongAdder()).increment();
    }

    void rejected() {
        rejected.increment();
    }

    void malformed() {
        malformed.increment();
    }

    void replayed(int done, int setAside) {
        replayed.add(done);
        replayRejected.add(setAside);
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("version", VERSION).put("pid", ProcessHandle.current().pid()).put("url", url)
                .put("started_at", startedAt.toString())
                .put("uptime_seconds", Duration.between(startedAt, clock.instant()).toSeconds());
        ObjectNode req = o.putObject("requests");
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((k, v) -> sorted.put(k, v.sum()));
        sorted.forEach(req::put);
        o.put("unauthorized", rejected.sum()).put("malformed_bodies", malformed.sum());
        ObjectNode hooks = o.putObject("hook_events");
        hookCounters.snapshot().forEach(hooks::put);
        ObjectNode lat = o.putObject("hook_latency_us");
        lat.put("count", hookLatency.count()).put("p50_at_most", hookLatency.percentileMicros(0.50))
                .put("p99_at_most", hookLatency.percentileMicros(0.99));
        o.putObject("spool").put("replayed", replayed.sum()).put("set_aside", replayRejected.sum());
        return o;
    }
}
