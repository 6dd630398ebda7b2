package dev.plutus.ingest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Which spans wrap GenAI spans, across exports. An agent's or a workflow's span may carry a provider
 * and the usage of the model calls inside it; when it also names no {@code gen_ai.operation.name} it
 * looks like a call itself, and counting it beside its children would bill their tokens twice. A span
 * with a GenAI child is such a wrapper: the children are counted, it is not.
 *
 * <p>Only the rest of the trace can tell, and an exporter that sends each span as it ends sends parent
 * and children in separate requests, which may reach the daemon in any order. So the export holding a
 * span that names no operation and has no GenAI child known yet waits (its {@link OtlpSettings#wrapperGrace()
 * grace}) for one to arrive; the span is counted as a call only if none did. An export answers only once
 * all its spans are decided and recorded, so what it acknowledged is committed.
 *
 * <p>What one export decides on the strength of another waits for that other's commit: a parent is
 * passed over only once a child of it is committed (a child still being recorded keeps the parent
 * waiting, past its grace if need be, up to {@link #PATIENCE}), and a span counted on its own after its
 * grace is <em>claimed</em> before it is recorded, so a child that arrives later, even by an instant, is
 * taken as counted in it (its usage is in the parent's) instead of counted again; that child waits for
 * the claim's commit, and counts after all if the commit failed. Decisions and the memory they read
 * change under one lock, so no child slips between a parent's look and its claim.
 *
 * <p>At most {@link OtlpSettings#waitingExports()} exports wait at once; one more decides at once, as
 * if its grace had passed (its spans are counted, their late children taken as counted in them), and
 * does not wait at all: no sender can tie up the server's threads, and nothing is counted twice or
 * dropped. An export that cannot be decided without waiting for a commit elsewhere (beyond the bound,
 * or still so after its patience) is answered 503, nothing of it acknowledged, and the sender retries.
 * Spans that name an operation never wait for a grace, only, rarely, for a parent's claim being
 * committed at that moment.
 *
 * <p>The memory is bounded ({@link #DEFAULT_CAPACITY} spans of each kind, the least recently used
 * forgotten first) and is not kept across restarts: a child that arrives after its parent was counted on
 * its own and then forgotten is counted too. A late span is judged by its direct parent only: a grandchild
 * counted before its own parent arrived, after the grandparent's grace, stays counted beside the grandparent.
 */
public final class GenAiWrappers {
    /** Spans remembered: far more than the spans of the exports in flight at once (an export holds at most 10,000). */
    public static final int DEFAULT_CAPACITY = 200_000;
    /** How long past its grace an export waits for commits it depends on before it is answered 503. */
    public static final Duration PATIENCE = Duration.ofSeconds(2);

    /** How a span that could not be decided at once ended, for /metrics. */
    public enum Outcome {
        /** A child came within the grace: a wrapper, not counted. */
        WRAPPER("wrapper"),
        /** No child came within the grace: counted as a call. */
        CALL("call"),
        /** Counted as a call at once: the waiting room was full, or the grace is 0. */
        CALL_WITHOUT_GRACE("call_without_grace"),
        /** Arrived after its parent had been counted on its own: its usage is the parent's, not counted again. */
        COUNTED_IN_PARENT("counted_in_parent");

        private final String label;

        Outcome(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A span's GenAI children: how many exports are recording one now, and whether one was committed. */
    private static final class Children {
        int inFlight;
        boolean committed;
    }

    /** A span counted on its own after its grace, and the spans taken as counted in it. Withdrawn (removed) if its commit fails. */
    static final class Claim {
        final String owner;
        boolean committed;

        Claim(String owner) {
            this.owner = owner;
        }
    }

    private final OtlpSettings settings;
    private final IngestCounters counters;
    private final Map<String, Children> children;
    private final Map<String, Claim> claims;
    private int waiting;

    public GenAiWrappers(OtlpSettings settings, IngestCounters counters) {
        this(settings, counters, DEFAULT_CAPACITY);
    }

    GenAiWrappers(OtlpSettings settings, IngestCounters counters, int capacity) {
        this.settings = settings;
        this.counters = counters;
        this.children = bounded(capacity);
        this.claims = bounded(capacity);
    }

    private static <V> Map<String, V> bounded(int capacity) {
        return new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Registers the export's GenAI spans as children in flight of their parents, and decides what can be decided now. */
    synchronized void open(OtlpExport e) {
        for (int i = 0; i < e.size(); i++) {
            if (e.registers(i)) {
                children.computeIfAbsent(e.parentKey(i), k -> new Children()).inFlight++;
            }
        }
        decide(e, settings.wrapperGrace().isZero(), false);
    }

    /**
     * Waits until every span of the export is decided: its grace, then up to {@link #PATIENCE} for
     * commits it depends on. False when some span is still undecided (then nothing of it may be answered 200).
     */
    synchronized boolean await(OtlpExport e) throws InterruptedException {
        boolean room = waiting < settings.waitingExports();
        long grace = room ? settings.wrapperGrace().toNanos() : 0;
        if (room) {
            waiting++;
            counters.otlpWaiting(1);
        }
        try {
            long start = System.nanoTime();
            while (true) {
                long elapsed = System.nanoTime() - start;
                if (!decide(e, elapsed >= grace, room)) {
                    return true;
                }
                long patience = grace + PATIENCE.toNanos();
                if (!room || elapsed >= patience) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, elapsed < grace ? grace - elapsed : patience - elapsed);
            }
        } finally {
            if (room) {
                waiting--;
                counters.otlpWaiting(-1);
            }
        }
    }

    /** The export's spans {@code done} are final: recorded (or refused, or passed over) when {@code committed}, else given up. */
    synchronized void settle(OtlpExport e, List<Integer> done, boolean committed) {
        for (int i : done) {
            if (e.registers(i)) {
                Children c = children.get(e.parentKey(i));
                if (c != null) {
                    c.inFlight = Math.max(0, c.inFlight - 1);
                    c.committed |= committed;
                }
            }
            Claim claim = e.claim(i);
            if (claim != null) {
                if (committed) {
                    claim.committed = true;
                } else {
                    claims.remove(e.key(i), claim);
                }
            }
        }
        notifyAll();
    }

    /**
     * Decides the export's undecided spans; true while some remain undecided. {@code graceOver}: a span
     * with no child known may be counted now; {@code graced}: it had its grace (else it is counted without).
     */
    private boolean decide(OtlpExport e, boolean graceOver, boolean graced) {
        List<Integer> undecided = e.undecidedSpans();
        OtlpExport.Fate[] decisions = new OtlpExport.Fate[undecided.size()];
        for (int k = 0; k < decisions.length; k++) {
            decisions[k] = fate(e, undecided.get(k), graceOver, graced);
        }
        e.decided(decisions);
        return e.undecided();
    }

    private OtlpExport.Fate fate(OtlpExport e, int i, boolean graceOver, boolean graced) {
        GenAiSpans.Kind kind = e.kind(i);
        if (kind == GenAiSpans.Kind.NOT_GENAI) {
            return OtlpExport.Fate.PASSED_OVER;
        }
        String key = e.key(i);
        Claim known = claims.get(key);
        if (known != null && known.committed) {
            // Seen before (this is an export sent again): counted on its own then, or taken as counted in an ancestor.
            return known.owner.equals(key) ? OtlpExport.Fate.CALL : OtlpExport.Fate.PASSED_OVER;
        }
        Claim parent = e.hasParent(i) ? claims.get(e.parentKey(i)) : null;
        if (parent != null) {
            if (!parent.committed) {
                e.waited(i);
                return OtlpExport.Fate.UNDECIDED;
            }
            claims.putIfAbsent(key, parent); // so that its own children are counted in the same ancestor
            counters.undecided(Outcome.COUNTED_IN_PARENT);
            return OtlpExport.Fate.PASSED_OVER;
        }
        if (kind == GenAiSpans.Kind.OTHER_OPERATION) {
            return OtlpExport.Fate.PASSED_OVER;
        }
        if (kind == GenAiSpans.Kind.MODEL_CALL) {
            return OtlpExport.Fate.CALL;
        }
        if (known != null) {
            return OtlpExport.Fate.CALL; // claimed by an export still recording it: this is the same span sent again
        }
        if (e.parentsHere().contains(key)) {
            return wrapper(e, i);
        }
        Children c = children.get(key);
        if (c != null && c.committed) {
            return wrapper(e, i);
        }
        if (e.refusedAsCall(i)) {
            return OtlpExport.Fate.CALL; // refused when recorded: nothing of it counts, so nothing waits for it
        }
        if ((c != null && c.inFlight > 0) || !graceOver) {
            e.waited(i);
            return OtlpExport.Fate.UNDECIDED;
        }
        Claim claim = new Claim(key);
        claims.put(key, claim);
        e.claimed(i, claim);
        counters.undecided(graced ? Outcome.CALL : Outcome.CALL_WITHOUT_GRACE);
        return OtlpExport.Fate.CALL;
    }

    private OtlpExport.Fate wrapper(OtlpExport e, int i) {
        if (e.hasWaited(i)) {
            counters.undecided(Outcome.WRAPPER);
        }
        return OtlpExport.Fate.PASSED_OVER;
    }
}
