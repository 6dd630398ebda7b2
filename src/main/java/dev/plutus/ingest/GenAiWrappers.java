package dev.plutus.ingest;

import dev.plutus.core.TokenUsage;
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
 * grace is <em>claimed</em> before it is recorded, so a child that arrives later, even by an instant, may be
 * taken as counted in it (its usage is in the parent's) instead of counted again; that child waits for
 * the claim's commit, and counts after all if the commit failed. A parent absorbs late children only up
 * to its own usage, class by class ({@link Room}), and only children within its time, of its provider and
 * (when it names one) its model: one that does not fit is counted in full. So what is counted is never
 * below the calls' sum, whatever the order, and a true wrapper is never counted beside the calls it sums. Decisions and the memory they read
 * change under one lock, so no child slips between a parent's look and its claim.
 *
 * <p>A waiting export holds one of the server's handler threads. So at most {@link #waitingBound} exports wait
 * at once: {@link OtlpSettings#waitingExports()}, and never more than a quarter of the handler threads, so
 * most stay free for everything else (health checks, {@code /v1/usage}, spans that name their operation,
 * hooks over TCP). One more decides at once, as if its grace had passed (its spans are counted; their late
 * children are counted in them only up to their usage), and does not wait at all: a flood of such exports
 * holds a quarter of the threads at most, and nothing is counted twice or dropped. An export that cannot
 * be decided without waiting for a commit elsewhere (beyond the bound, or still so after its patience) is
 * answered 503, nothing of it acknowledged, and the sender retries.
 * Spans that name an operation never wait for a grace, only, rarely, for a parent's claim being
 * committed at that moment.
 *
 * <p>The memory is kept per API key, so no key's spans can push another's out, and is bounded
 * ({@link #DEFAULT_CAPACITY} spans of each kind per key, the least recently used forgotten first; the
 * spans a key has remembered count against its event rate).
 *
 * <p>Known limits, each counting more, never less (what is remembered is only ever a reason not to count):
 * <ul>
 * <li>The memory is not kept across restarts, and a key's oldest spans are forgotten past the bound. A
 * parent whose children were committed before a restart waits its grace and is counted beside them; a
 * child of a parent counted on its own before a restart is counted beside it.</li>
 * <li>A late span is judged by its direct parent only. With A and B naming no operation and calls C
 * under B under A: when A was counted after its grace and the Cs arrived before B (orders A, C, B and
 * C, A, B, more than a grace apart), the Cs are counted (their parent unknown) and B is then counted in
 * A: A is counted beside the Cs. A GenAI span under an app's own span (an HTTP request's) is not linked
 * to the GenAI span above that one either.</li>
 * </ul>
 * With the {@link Room} rule in place the worst case of each is the ambiguous ancestor's own usage counted
 * beside the calls it sums (the trace's tokens twice); nothing is ever left uncounted because it was forgotten.
 */
public final class GenAiWrappers {
    /** Spans remembered per key: far more than the spans of the exports in flight at once (an export holds at most 10,000). */
    public static final int DEFAULT_CAPACITY = 100_000;
    /** Keys whose memory is kept (a daemon has a few): past this, the key unheard of longest is forgotten. */
    static final int MAX_KEYS = 256;
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
        /** Arrived after its parent had been counted on its own, and fits what is left of the parent's usage: not counted again. */
        COUNTED_IN_PARENT("counted_in_parent"),
        /**
         * Arrived after its parent had been counted on its own, but is not inside what was counted (its usage does
         * not fit what is left of the parent's, it names another model, or it lies outside the parent's time): judged on its own.
         */
        BEYOND_PARENT("beyond_parent");

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

    /**
     * A span whose usage is counted: on its own, claimed after its grace ({@code own}), or found later
     * inside such a span (absorbed). Spans found inside it later may be counted in it only up to what
     * is left of its usage ({@link Room}), and only if they lie within its time. An own claim is
     * withdrawn (removed) if its commit fails; an absorbed span depends on no commit.
     */
    static final class Claim {
        final boolean own;
        final Room room;
        final String provider;
        final String model;
        /** Its start and end (0 unknown): a span that started before or ended after it was not inside it. */
        final long start;
        final long end;
        boolean committed;

        Claim(boolean own, Room room, String provider, String model, long start, long end) {
            this.own = own;
            this.room = room;
            this.provider = provider;
            this.model = model;
            this.start = start;
            this.end = end;
        }
    }

    /**
     * Tokens of a counted span, per class, that spans found inside it later have not yet used up. A
     * late span is counted in its ancestor only if every class of its usage fits in what is left, so
     * what is counted is never below the sum of the calls, however late they come, and a true wrapper
     * is never counted beside the calls it sums.
     */
    static final class Room {
        private long input;
        private long output;
        private long cacheRead;
        private long cacheWrite;
        private long cacheWrite1h;
        private long reasoning;

        Room(TokenUsage u) {
            input = u.input();
            output = u.output();
            cacheRead = u.cacheRead();
            cacheWrite = u.cacheWrite();
            cacheWrite1h = u.cacheWrite1h();
            reasoning = u.reasoning();
        }

        /** Takes {@code u} out of what is left, if all of it fits; false (and nothing taken) otherwise. */
        boolean take(TokenUsage u) {
            if (u.input() > input || u.output() > output || u.cacheRead() > cacheRead || u.cacheWrite() > cacheWrite
                    || u.cacheWrite1h() > cacheWrite1h || u.reasoning() > reasoning) {
                return false;
            }
            input -= u.input();
            output -= u.output();
            cacheRead -= u.cacheRead();
            cacheWrite -= u.cacheWrite();
            cacheWrite1h -= u.cacheWrite1h();
            reasoning -= u.reasoning();
            return true;
        }
    }

    private final OtlpSettings settings;
    /** Exports that may wait at once: see the class comment. */
    private final int waitingBound;
    private final IngestCounters counters;
    private final int capacity;
    /** Each API key's memory: what one key sends never evicts what another's spans left. */
    private final Map<String, Memory> byKey = bounded(MAX_KEYS);
    private int waiting;

    /** What one key's exports left: spans with GenAI children, and spans counted (claims and what is counted in them). */
    static final class Memory {
        final Map<String, Children> children;
        final Map<String, Claim> claims;

        Memory(int capacity) {
            children = bounded(capacity);
            claims = bounded(capacity);
        }
    }

    /** {@code handlerThreads}: requests the server handles at once, a waiting export holding one. */
    public GenAiWrappers(OtlpSettings settings, IngestCounters counters, int handlerThreads) {
        this(settings, counters, handlerThreads, DEFAULT_CAPACITY);
    }

    GenAiWrappers(OtlpSettings settings, IngestCounters counters, int handlerThreads, int capacity) {
        this.settings = settings;
        this.waitingBound = waitingBound(settings, handlerThreads);
        this.counters = counters;
        this.capacity = capacity;
    }

    private static <V> Map<String, V> bounded(int capacity) {
        return new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Exports that may wait at once with {@code handlerThreads} handler threads: at most a quarter of them, at least one. */
    public static int waitingBound(OtlpSettings settings, int handlerThreads) {
        return Math.min(settings.waitingExports(), Math.max(1, handlerThreads / 4));
    }

    /** Registers the export's GenAI spans as children in flight of their parents, and decides what can be decided now. */
    synchronized void open(OtlpExport e) {
        Memory m = byKey.computeIfAbsent(e.keyId(), k -> new Memory(capacity));
        e.remembered(m);
        for (int i = 0; i < e.size(); i++) {
            if (e.registers(i)) {
                m.children.computeIfAbsent(e.parentKey(i), k -> new Children()).inFlight++;
            }
        }
        decide(e, settings.wrapperGrace().isZero(), false);
    }

    /**
     * Waits until every span of the export is decided: its grace, then up to {@link #PATIENCE} for
     * commits it depends on. False when some span is still undecided (then nothing of it may be answered 200).
     */
    synchronized boolean await(OtlpExport e) throws InterruptedException {
        boolean room = waiting < waitingBound;
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
                Children c = e.memory().children.get(e.parentKey(i));
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
                    e.memory().claims.remove(e.key(i), claim);
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
        Map<String, Claim> claims = e.memory().claims;
        String key = e.key(i);
        Claim known = claims.get(key);
        if (known != null && known.committed) {
            // Seen before (this is an export sent again): counted on its own then, or counted in an ancestor.
            return known.own ? OtlpExport.Fate.CALL : OtlpExport.Fate.PASSED_OVER;
        }
        Claim parent = known == null && e.hasParent(i) ? claims.get(e.parentKey(i)) : null;
        if (parent != null) {
            if (!parent.committed) {
                e.waited(i);
                return OtlpExport.Fate.UNDECIDED;
            }
            Claim inside = inside(e, i, parent);
            if (inside != null) {
                claims.put(key, inside); // so that its own children are counted in it, or in the same ancestor
                counters.undecided(Outcome.COUNTED_IN_PARENT);
                return OtlpExport.Fate.PASSED_OVER;
            }
            // Not inside what was counted of its parent: judged as if its parent had not been counted.
            counters.undecided(Outcome.BEYOND_PARENT);
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
        Children c = e.memory().children.get(key);
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
        Claim claim = e.ownClaim(i);
        claims.put(key, claim);
        e.claimed(i, claim);
        counters.undecided(graced ? Outcome.CALL : Outcome.CALL_WITHOUT_GRACE);
        return OtlpExport.Fate.CALL;
    }

    /**
     * The span as counted inside its counted parent, its usage taken out of what is left of the parent's;
     * null when it cannot be inside it: it started before or ended after it, names another provider or
     * model, breaks a rule as a call, or its usage does not fit what is left.
     */
    private static Claim inside(OtlpExport e, int i, Claim parent) {
        long start = e.start(i);
        long end = e.end(i);
        if ((parent.start != 0 && start != 0 && start < parent.start) || (parent.end != 0 && end != 0 && end > parent.end)) {
            return null;
        }
        long startBound = start != 0 ? start : parent.start;
        long endBound = end != 0 ? end : parent.end;
        if (e.kind(i) == GenAiSpans.Kind.OTHER_OPERATION) {
            // Counted nowhere itself: the calls inside it draw on what is left of the parent's.
            Claim through = new Claim(false, parent.room, parent.provider, parent.model, startBound, endBound);
            through.committed = true;
            return through;
        }
        if (!(e.asCall(i) instanceof GenAiSpans.Mapped.Call call)) {
            return null;
        }
        UsageEvent ev = call.event();
        if (!ev.provider().equalsIgnoreCase(parent.provider)
                || (parent.model != null && (ev.model() == null || !ev.model().equalsIgnoreCase(parent.model)))
                || !parent.room.take(ev.usage())) {
            return null;
        }
        // A span with no operation inside it is a wrapper itself if anything is inside it in turn: what is inside
        // is within its own usage (taken out of the parent's already). A model call's GenAI children draw on the parent's.
        Room room = e.kind(i) == GenAiSpans.Kind.NO_OPERATION ? new Room(ev.usage()) : parent.room;
        Claim absorbed = new Claim(false, room, ev.provider(), parent.model != null ? parent.model : ev.model(), startBound, endBound);
        absorbed.committed = true;
        return absorbed;
    }

    private OtlpExport.Fate wrapper(OtlpExport e, int i) {
        if (e.hasWaited(i)) {
            counters.undecided(Outcome.WRAPPER);
        }
        return OtlpExport.Fate.PASSED_OVER;
    }
}
