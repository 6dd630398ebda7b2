package dev.plutus.http;

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

    /** Something on the hook channel ({@link HookChannel}): {@code hook_channel.<what>} in /status's requests. */
    void channel(String what) {
        requests.computeIfAbsent("hook_channel." + what, k -> new LongAdder()).increment();
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

    StatusAnswer answer() {
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((k, v) -> sorted.put(k, v.sum()));
        return new StatusAnswer(VERSION, ProcessHandle.current().pid(), url, startedAt.toString(),
                Duration.between(startedAt, clock.instant()).toSeconds(), sorted, rejected.sum(), malformed.sum(),
                new java.util.LinkedHashMap<>(hookCounters.snapshot()),
                new StatusAnswer.Latency(hookLatency.count(), hookLatency.percentileMicros(0.50), hookLatency.percentileMicros(0.99)),
                new StatusAnswer.Spool(replayed.sum(), replayRejected.sum()), null, null);
    }
}
