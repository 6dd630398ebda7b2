package dev.plutus.ingest;

import dev.plutus.store.ApiKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One OTLP trace export on its way to the store: which of its spans are calls ({@link GenAiWrappers}
 * decides, waiting for other exports when it must), recording them, and what to answer. Recording
 * happens in rounds: what is decided at once, then, after {@link #await()}, the rest. Closing it
 * gives up whatever was not recorded, so other exports waiting on it go on.
 */
public final class OtlpExport implements AutoCloseable {
    enum Fate { UNDECIDED, CALL, PASSED_OVER }

    private final GenAiWrappers wrappers;
    private final UsageIngestor ingestor;
    private final ApiKey key;
    private final Instant now;
    private final List<OtlpSpan> spans;
    private final GenAiSpans.Kind[] kinds;
    private final Fate[] fates;
    private final boolean[] waited;
    private final boolean[] settled;
    private final GenAiWrappers.Claim[] claims;
    /** Spans read as calls, once, when first needed: spans that name no operation on arrival, to know whether they could count at all. */
    private final GenAiSpans.Mapped[] asCalls;
    /** Spans of this export that have a GenAI child in it: wrappers whatever else arrives. */
    private final Set<String> parentsHere = new HashSet<>();
    /** The spans not decided yet, so that a wait re-reads only those. */
    private List<Integer> undecided;
    private final List<String> rejections = new ArrayList<>();
    /** Its key's memory in {@link GenAiWrappers}, set when opened. */
    private GenAiWrappers.Memory memory;
    private int recorded;
    private int duplicates;
    private int refused;
    private String refusal;

    private OtlpExport(GenAiWrappers wrappers, UsageIngestor ingestor, ApiKey key, List<OtlpSpan> spans) {
        this.wrappers = wrappers;
        this.ingestor = ingestor;
        this.key = key;
        this.now = ingestor.clock().instant();
        this.spans = List.copyOf(spans);
        int n = spans.size();
        this.kinds = new GenAiSpans.Kind[n];
        this.fates = new Fate[n];
        this.waited = new boolean[n];
        this.settled = new boolean[n];
        this.claims = new GenAiWrappers.Claim[n];
        this.asCalls = new GenAiSpans.Mapped[n];
        this.undecided = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            undecided.add(i);
            kinds[i] = GenAiSpans.kind(spans.get(i));
            fates[i] = Fate.UNDECIDED;
            if (kinds[i] == GenAiSpans.Kind.NO_OPERATION) {
                asCalls[i] = GenAiSpans.map(spans.get(i), now);
            }
            if (registers(i)) {
                parentsHere.add(parentKey(i));
            }
        }
    }

    /** The export's spans, with what can be decided about them without waiting decided. */
    public static OtlpExport open(GenAiWrappers wrappers, UsageIngestor ingestor, ApiKey key, List<OtlpSpan> spans) {
        OtlpExport e = new OtlpExport(wrappers, ingestor, key, spans);
        wrappers.open(e);
        return e;
    }

    /**
     * Records the calls decided and not yet recorded, in one commit; the spans passed over are final too.
     * Other exports waiting on these spans learn the outcome, a failure included.
     */
    public void record() {
        List<UsageEvent> calls = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<Integer> recording = new ArrayList<>();
        List<Integer> done = new ArrayList<>();
        List<Integer> withdrawn = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            if (settled[i] || fates[i] == Fate.UNDECIDED) {
                continue;
            }
            if (fates[i] == Fate.CALL) {
                GenAiSpans.Mapped mapped = asCall(i);
                if (mapped instanceof GenAiSpans.Mapped.Call c) {
                    calls.add(c.event());
                    ids.add(c.eventId());
                    recording.add(i);
                    continue;
                }
                if (mapped instanceof GenAiSpans.Mapped.Rejected r) {
                    rejections.add(r.reason());
                }
                (claims[i] == null ? done : withdrawn).add(i); // a refused span counts nowhere: a claim on it is withdrawn
            } else {
                done.add(i);
            }
        }
        settle(withdrawn, false);
        boolean committed = false;
        try {
            UsageIngestor.SpanIntake intake = ingestor.ingestSpans(key, calls, ids);
            recorded += intake.recorded();
            duplicates += intake.duplicates();
            refused += intake.refused();
            if (refusal == null) {
                refusal = intake.refusal();
            }
            committed = true;
        } finally {
            // Spans passed over settle with the commit too: a wrapper's children may be among the calls it holds.
            recording.addAll(done);
            settle(recording, committed);
        }
    }

    /** Whether some span waits for other exports (its grace, or a commit it depends on). */
    public boolean undecided() {
        return !undecided.isEmpty();
    }

    /** Waits for the undecided spans (hold no ingest slot meanwhile); false when some could not be decided. */
    public boolean await() throws InterruptedException {
        return wrappers.await(this);
    }

    /** Refusals for the answer's partial success: spans that break a rule, then calls refused by the tracked-token cap. */
    public List<String> rejections() {
        List<String> out = new ArrayList<>(rejections);
        for (int i = 0; i < refused; i++) {
            out.add(refusal);
        }
        return out;
    }

    /**
     * What the event rate is charged: calls recorded, found already recorded, refused by the cap, spans refused as
     * breaking a rule, and GenAI spans passed over that {@link GenAiWrappers} remembers as children (agents' and
     * tools' spans), so that a key cannot churn its memory for free.
     */
    public int counted() {
        int remembered = 0;
        for (int i = 0; i < spans.size(); i++) {
            if (fates[i] == Fate.PASSED_OVER && registers(i)) {
                remembered++;
            }
        }
        return recorded + duplicates + refused + rejections.size() + remembered;
    }

    public int recorded() {
        return recorded;
    }

    /** Gives up what was not recorded: other exports waiting on these spans decide without them. */
    @Override
    public void close() {
        List<Integer> left = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            if (!settled[i]) {
                left.add(i);
            }
        }
        settle(left, false);
    }

    private void settle(List<Integer> done, boolean committed) {
        if (done.isEmpty()) {
            return;
        }
        for (int i : done) {
            settled[i] = true;
        }
        wrappers.settle(this, done, committed);
    }

    int size() {
        return spans.size();
    }

    String keyId() {
        return key.keyId();
    }

    void remembered(GenAiWrappers.Memory m) {
        memory = m;
    }

    GenAiWrappers.Memory memory() {
        return memory;
    }

    GenAiSpans.Kind kind(int i) {
        return kinds[i];
    }

    List<Integer> undecidedSpans() {
        return undecided;
    }

    /** What {@link GenAiWrappers} decided of the undecided spans, in their order. */
    void decided(Fate[] decisions) {
        List<Integer> still = new ArrayList<>();
        for (int k = 0; k < decisions.length; k++) {
            int i = undecided.get(k);
            fates[i] = decisions[k];
            if (decisions[k] == Fate.UNDECIDED) {
                still.add(i);
            }
        }
        undecided = still;
    }

    void waited(int i) {
        waited[i] = true;
    }

    boolean hasWaited(int i) {
        return waited[i];
    }

    void claimed(int i, GenAiWrappers.Claim claim) {
        claims[i] = claim;
    }

    GenAiWrappers.Claim claim(int i) {
        return claims[i];
    }

    /** The span read as a call (see {@link GenAiSpans#map}). */
    GenAiSpans.Mapped asCall(int i) {
        if (asCalls[i] == null) {
            asCalls[i] = GenAiSpans.map(spans.get(i), now);
        }
        return asCalls[i];
    }

    /** The span claimed as a call on its own: what spans found inside it later may be counted in. Only for a span that maps to a call. */
    GenAiWrappers.Claim ownClaim(int i) {
        UsageEvent call = ((GenAiSpans.Mapped.Call) asCall(i)).event();
        return new GenAiWrappers.Claim(true, new GenAiWrappers.Room(call.usage()), call.provider(), call.model(), start(i), end(i));
    }

    long start(int i) {
        return spans.get(i).startNanos();
    }

    /** When the span ended: its end time, or its start time without one (0 when neither is known). */
    long end(int i) {
        OtlpSpan s = spans.get(i);
        return s.endNanos() != 0 ? s.endNanos() : s.startNanos();
    }

    /** Whether the span, taken as a call, breaks a rule: then it is refused, never counted, whatever its children. */
    boolean refusedAsCall(int i) {
        return asCalls[i] instanceof GenAiSpans.Mapped.Rejected;
    }

    Set<String> parentsHere() {
        return parentsHere;
    }

    String key(int i) {
        OtlpSpan s = spans.get(i);
        return s.traceId() + '/' + s.spanId();
    }

    boolean hasParent(int i) {
        OtlpSpan s = spans.get(i);
        return !s.parentSpanId().isEmpty() && !s.parentSpanId().equals(s.spanId());
    }

    String parentKey(int i) {
        OtlpSpan s = spans.get(i);
        return s.traceId() + '/' + s.parentSpanId();
    }

    /**
     * Whether the span is a GenAI child of another span, whose fate that span's waits on: one that is recorded
     * or validly passed over. A call refused as breaking a rule (no usage, a token count as text) counts nowhere,
     * so it makes no wrapper of its parent: the parent would then count nowhere either.
     */
    boolean registers(int i) {
        return kinds[i] != GenAiSpans.Kind.NOT_GENAI && hasParent(i)
                && (kinds[i] == GenAiSpans.Kind.OTHER_OPERATION || !(asCall(i) instanceof GenAiSpans.Mapped.Rejected));
    }
}
