package dev.plutus.budget;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The model calls refused lately, so /budget can say why a session was cut short even when no scope
 * reads hard: a call refused for money held by calls in flight leaves every spend under its limit.
 * Bounded: only the latest {@link #CAPACITY} refusals are kept.
 */
public final class RefusalLog {
    static final int CAPACITY = 200;

    /**
     * One refused call: the scope and window that refused it, its expected cost, what was spent and held in
     * that scope at that moment, and whether the spend alone was still under the limit ({@code onlyHeld}).
     */
    public record Refusal(Instant at, String sessionId, ScopeRef scope, Window window, long expectedMicros,
                          long spentMicros, long heldMicros, long limitMicros, boolean onlyHeld) {}

    private final Object lock = new Object();
    private final ArrayDeque<Refusal> latest = new ArrayDeque<>();

    public void add(Refusal r) {
        synchronized (lock) {
            if (latest.size() == CAPACITY) {
                latest.removeFirst();
            }
            latest.addLast(r);
        }
    }

    /** The refusals at or after {@code since}, the latest per session and scope only, newest first. */
    public List<Refusal> since(Instant since) {
        List<Refusal> out = new ArrayList<>();
        synchronized (lock) {
            var it = latest.descendingIterator();
            while (it.hasNext()) {
                Refusal r = it.next();
                if (r.at().isBefore(since)) {
                    continue;
                }
                boolean seen = out.stream().anyMatch(o -> java.util.Objects.equals(o.sessionId(), r.sessionId())
                        && o.scope().equals(r.scope()) && o.window() == r.window());
                if (!seen) {
                    out.add(r);
                }
            }
        }
        return out;
    }
}
