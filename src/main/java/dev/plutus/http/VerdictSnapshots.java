package dev.plutus.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plutus.budget.BudgetCheck;
import dev.plutus.budget.BudgetMessages;
import dev.plutus.budget.Level;
import dev.plutus.budget.ScopeStatus;
import dev.plutus.budget.Verdict;
import dev.plutus.budget.Window;
import dev.plutus.core.Json;
import dev.plutus.engine.Engine;
import dev.plutus.store.SessionRecord;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@code PLUTUS_HOME/verdicts.snap}: the pre_tool_call answer the daemon would give now for
 * each recently active session, and which of them pre_llm_call would find nothing due for, so the bridge
 * can answer those hooks without a round trip (see docs/hook-snapshot.md). The file is replaced whole (temp file, atomic rename), owner-only.
 * <p>
 * The generation is a counter bumped after every hook that could change a verdict is dispatched;
 * each hook answer carries it. A snapshot holds the generation read <em>before</em> its verdicts were
 * computed, so a snapshot whose generation is at least one a bridge was answered with reflects what
 * that answer's hook changed. Each journal's consumed offset is likewise read before the verdicts.
 */
final class VerdictSnapshots implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VerdictSnapshots.class);
    static final String FILE = "verdicts.snap";
    /** Sessions not seen in a verdict hook for this long are left out (the bridge asks the daemon for them). */
    static final long ACTIVE_MILLIS = 3_600_000L;
    static final int MAX_SESSIONS = 2_000;
    /** A burst of hooks rewrites the file at most this often. */
    static final long MIN_GAP_NANOS = 1_000_000L;
    /**
     * Hooks, the journal tailer, the spool replay and the engine's upkeep (other processes' spend folded in, a
     * budget or price reload looked for) wake the writer; changes none of them announces (a call over
     * /v1/usage) are looked for this often, so an idle daemon's writer wakes once a second, not a hundred times.
     */
    static final long POLL_NANOS = 1_000_000_000L;

    private final Path file;
    private final Engine engine;
    private final JournalTailer journals;
    private final Clock clock;
    private final long base;
    private final AtomicLong changes = new AtomicLong();
    private final Map<String, Long> active = new ConcurrentHashMap<>();
    private final AtomicBoolean dirty = new AtomicBoolean(true);
    private final LongAdder written = new LongAdder();
    private final LongAdder passes = new LongAdder();
    private volatile boolean stopped;
    private volatile Thread thread;
    private long lastWriteNanos;
    private volatile Published last;
    /** Whether a runway notice waits to be claimed; none can while no runway monitor is watched. */
    private volatile BooleanSupplier runwayNoticeDue = () -> false;
    /** Until when no runway check can raise a notice unseen by the file (the next check, when it can raise one). */
    private volatile long runwayQuietUntil = Long.MAX_VALUE;
    /** Alerts known to be announced (kind, id, window, period, level): once sent an alert stays sent. */
    private final java.util.Set<String> announced = new java.util.HashSet<>();
    private static final int MAX_ANNOUNCED = 20_000;

    /** What the last file held apart from its generation: unchanged content with an unchanged generation is not rewritten. */
    private record Published(long generation, long validUntil, Map<String, Long> offsets, Map<String, String> sessions,
            Map<String, Room> headroom, Map<String, Map<String, Long>> priceBounds, long llmValidUntil,
            Map<String, Quiet> llm) {
        Published(long generation, long validUntil) {
            this(generation, validUntil, Map.of(), Map.of(), Map.of(), Map.of(), validUntil, Map.of());
        }
    }

    /**
     * A session for which pre_llm_call would hand out nothing now: its money before the next budget notice could be
     * due ({@link ToolHeadroom#toNextNotice}), the provider and model its scopes were planned with, and the platform,
     * model and sender it is known by (a pre_llm_call naming others would change the session, so it asks).
     */
    private record Quiet(long micros, String provider, String model, String platform, String sender) {}

    /**
     * An allowed session's money headroom (see {@link ToolHeadroom#of}) and the provider and model its scopes
     * were planned with: a call of that session to another model could bring scopes the file did not look at.
     */
    private record Room(long micros, String provider, String model) {}

    VerdictSnapshots(Path home, Engine engine, JournalTailer journals, Clock clock) {
        this.file = home.resolve(FILE);
        this.engine = engine;
        this.journals = journals;
        this.clock = clock;
        // Above whatever an earlier daemon published, so a bridge that saw its generations never trusts an old file.
        this.base = Math.max(previousGeneration(file) + 1, clock.millis() * 1000);
    }

    /** The generation every hook answer carries: a snapshot at least this new reflects the hook just answered. */
    long generation() {
        return base + changes.get();
    }

    /** A hook that may change a verdict was dispatched: bumps the generation and asks for a new file. */
    void changed() {
        changes.incrementAndGet();
        signal();
    }

    /** A session asked for a verdict: it is listed in the snapshot from the next file on. */
    void touched(String sessionId) {
        if (sessionId == null || sessionId.isBlank()) {
            return;
        }
        // Elapsed time, not the clock: how long ago a session asked only decides when it is dropped from the list.
        if (active.put(sessionId, System.nanoTime()) == null) {
            signal();
        }
    }

    /** Something the tailer or a hook did may have changed a verdict: a new file soon, the generation as it is. */
    void signal() {
        if (dirty.compareAndSet(false, true)) {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /**
     * Watches the runway monitor: {@code noticeDue} says whether a runway notice waits to be claimed (no session is
     * then quiet for pre_llm_call); until {@code quietUntil} no runway check can raise one (see {@link #runwayChecked}).
     */
    void watchRunway(BooleanSupplier noticeDue, long quietUntil) {
        this.runwayNoticeDue = noticeDue;
        this.runwayQuietUntil = quietUntil;
        signal();
    }

    /**
     * A runway check is under way, or done: until {@code quietUntil} (the next one, or {@link Long#MAX_VALUE} when
     * runway can raise no notice) the file may say that pre_llm_call has no runway notice due; while it runs, not at all.
     */
    void runwayChecked(long quietUntil) {
        this.runwayQuietUntil = quietUntil;
        signal();
    }

    /** Times the writer thread went round its loop (tests read it). */
    long passes() {
        return passes.sum();
    }

    long filesWritten() {
        return written.sum();
    }

    Path file() {
        return file;
    }

    /** Withdraws whatever an earlier daemon left (its sessions may be stale), then keeps the file current. */
    void start() {
        withdraw();
        Thread t = dev.plutus.core.PlutusThreads.named("verdict-snapshot").newThread(this::run);
        thread = t;
        t.start();
    }

    private void run() {
        while (!stopped) {
            passes.increment();
            if (!dirty.get()) {
                long now = clock.millis();
                // A pre_llm_call validity already past (a runway check under way) is left to the check's own signal.
                long wake = last == null ? now + POLL_NANOS / 1_000_000L
                        : last.llmValidUntil() > now ? Math.min(last.validUntil(), last.llmValidUntil()) : last.validUntil();
                long untilExpiry = (wake - now) * 1_000_000L;
                LockSupport.parkNanos(this, Math.max(100_000L, Math.min(POLL_NANOS, untilExpiry)));
            }
            long gap = System.nanoTime() - lastWriteNanos;
            if (gap < MIN_GAP_NANOS) {
                LockSupport.parkNanos(this, MIN_GAP_NANOS - gap);
            }
            if (stopped) {
                return;
            }
            dirty.set(false);
            try {
                publish();
            } catch (RuntimeException e) {
                LOG.warn("verdict snapshot not written: {}", e.toString(), e);
                withdraw();
            }
        }
    }

    /** Computes the snapshot now and writes it when it differs from the last one; true when written. */
    synchronized boolean publish() {
        // Read before the verdicts: the file then claims no more than its verdicts include.
        long generation = generation();
        Map<String, Long> offsets = new TreeMap<>(journals.consumedOffsets());
        long now = clock.millis();
        long validUntil = validUntil(now);
        Map<String, String> sessions = new TreeMap<>();
        Map<String, Room> headroom = new TreeMap<>();
        Map<String, Map<String, Long>> bounds = new TreeMap<>();
        Map<String, Quiet> llm = new TreeMap<>();
        long llmValidUntil = Math.min(validUntil, runwayQuietUntil);
        boolean runwayDue = llmValidUntil <= now || runwayNoticeDue.getAsBoolean();
        for (String id : sessionsToList(System.nanoTime())) {
            BudgetCheck check = engine.gate().peekSession(id);
            Optional<String> answer = answerFor(id, check);
            answer.ifPresent(a -> sessions.put(id, a));
            if (answer.isPresent() && answer.get().isEmpty()) {
                roomFor(id, check, now, validUntil, bounds).ifPresent(r -> headroom.put(id, r));
            }
            if (answer.isPresent() && !runwayDue) {
                quietFor(id, check, now, validUntil, bounds).ifPresent(q -> llm.put(id, q));
            }
        }
        Published p = new Published(generation, validUntil, offsets, sessions, headroom, bounds, llmValidUntil, llm);
        if (p.equals(last)) {
            return false;
        }
        write(p, now);
        last = p;
        lastWriteNanos = System.nanoTime();
        written.increment();
        return true;
    }

    /**
     * The pre_tool_call answer for a session: "" to allow, the block message, or empty when the snapshot
     * must not answer (verdict unknown; a cron run in hard breach, whose pause the daemon hands out once).
     */
    private Optional<String> answerFor(String sessionId, BudgetCheck check) {
        if (check.verdict() instanceof Verdict.Unknown) {
            return Optional.empty();
        }
        if (check.verdict() instanceof Verdict.Hard hard) {
            if (engine.sessions().find(sessionId).map(SessionRecord::cronJobId).isPresent()) {
                return Optional.empty();
            }
            return Optional.of(BudgetMessages.blockMessage(hard.cause(), engine.gate().zone()));
        }
        return Optional.of("");
    }

    /**
     * An allowed session's headroom, when it has any and its model has a price bound (recorded in {@code bounds},
     * per provider and model): without both the bridge asks the daemon once it has journaled a call since the file.
     */
    private Optional<Room> roomFor(String sessionId, BudgetCheck check, long now, long validUntil,
            Map<String, Map<String, Long>> bounds) {
        Optional<SessionRecord> r = engine.sessions().find(sessionId);
        if (r.isEmpty() || r.get().provider() == null || r.get().model() == null) {
            return Optional.empty();
        }
        long micros = ToolHeadroom.of(check, engine.budgets().current(), engine.reservations());
        String provider = r.get().provider();
        String model = r.get().model();
        if (!bounded(provider, model, now, validUntil, bounds)) {
            return Optional.empty();
        }
        return micros > 0 ? Optional.of(new Room(micros, provider, model)) : Optional.empty();
    }

    /** Whether the model has a price bound, computed into {@code bounds} (per provider and model) the first time. */
    private boolean bounded(String provider, String model, long now, long validUntil, Map<String, Map<String, Long>> bounds) {
        if (provider == null || model == null) {
            return false;
        }
        if (bounds.getOrDefault(provider, Map.of()).containsKey(model)) {
            return true;
        }
        java.util.OptionalLong b = ToolHeadroom.perMillionTokens(engine.pricing(), provider, model,
                java.time.Instant.ofEpochMilli(now), java.time.Instant.ofEpochMilli(validUntil));
        b.ifPresent(bound -> bounds.computeIfAbsent(provider, k -> new TreeMap<>()).put(model, bound));
        return b.isPresent();
    }

    /**
     * The session, when pre_llm_call would hand it out nothing now: it is known as it is (a pre_llm_call that names
     * the same platform, model and sender changes nothing), no provisional-price notice waits for it, and every window
     * of its scopes above OK was announced at its level. A cron run whose job is not attached yet is left out (its
     * next sighting attaches it). Runway notices are looked at once for all sessions, by the caller.
     */
    private Optional<Quiet> quietFor(String sessionId, BudgetCheck check, long now, long validUntil,
            Map<String, Map<String, Long>> bounds) {
        Optional<SessionRecord> found = engine.sessions().find(sessionId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        SessionRecord r = found.get();
        if (("cron".equals(r.platform()) && r.cronJobId() == null) || engine.recorder().provisionalNoticePending(sessionId)) {
            return Optional.empty();
        }
        for (ScopeStatus s : check.statuses()) {
            if (s.level() != Level.OK && !announced(s)) {
                return Optional.empty();
            }
        }
        bounded(r.provider(), r.model(), now, validUntil, bounds);
        long micros = ToolHeadroom.toNextNotice(check, engine.budgets().current(), engine.reservations());
        return Optional.of(new Quiet(micros, r.provider(), r.model(), r.platform(), r.senderId()));
    }

    /** Whether this window's alert at its level was sent (by any process): asked of the store until it was. */
    private boolean announced(ScopeStatus s) {
        String key = s.scope().kind().label() + '\u0000' + s.scope().id() + '\u0000' + s.window().label() + '\u0000'
                + s.periodKey() + '\u0000' + s.level().label();
        if (announced.contains(key)) {
            return true;
        }
        if (!engine.enforcement().alertRecorded(s.scope().kind().label(), s.scope().id(), s.window().label(), s.periodKey(),
                s.level().label())) {
            return false;
        }
        if (announced.size() >= MAX_ANNOUNCED) {
            announced.clear();
        }
        announced.add(key);
        return true;
    }

    /** Sessions seen in the last hour, newest first, at most {@link #MAX_SESSIONS}; older ones forgotten. */
    private List<String> sessionsToList(long nowNanos) {
        active.entrySet().removeIf(e -> nowNanos - e.getValue() > ACTIVE_MILLIS * 1_000_000L);
        List<Map.Entry<String, Long>> recent = new ArrayList<>(active.entrySet());
        if (recent.size() > MAX_SESSIONS) {
            recent.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
            for (Map.Entry<String, Long> gone : recent.subList(MAX_SESSIONS, recent.size())) {
                active.remove(gone.getKey(), gone.getValue());
            }
            recent = recent.subList(0, MAX_SESSIONS);
        }
        List<String> ids = new ArrayList<>(recent.size());
        recent.forEach(e -> ids.add(e.getKey()));
        return ids;
    }

    /**
     * The earliest instant a verdict could change by time alone: the next minute (rolling windows drop
     * minute buckets) or the end of the day in the budget's zone (every calendar period ends at a day's
     * end), whichever comes first. Time only ever lets spend age out, so this is a bound on staleness,
     * not what keeps money in.
     */
    private long validUntil(long now) {
        long nextMinute = (Math.floorDiv(now, 60_000L) + 1) * 60_000L;
        long dayEnd = engine.ledger().calendar().periodOf(Window.DAILY, now).endMillis();
        return Math.min(nextMinute, dayEnd);
    }

    private void write(Published p, long now) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("plutus_verdicts", 1);
        root.put("generation", p.generation());
        root.put("pid", ProcessHandle.current().pid());
        root.put("written_ms", now);
        root.put("valid_until_ms", p.validUntil());
        ObjectNode offsets = root.putObject("journals");
        p.offsets().forEach(offsets::put);
        ObjectNode sessions = root.putObject("sessions");
        p.sessions().forEach((id, message) -> sessions.put(id, message));
        ObjectNode headroom = root.putObject("headroom");
        p.headroom().forEach((id, r) -> headroom.putObject(id).put("micros", r.micros()).put("provider", r.provider())
                .put("model", r.model()));
        ObjectNode bounds = root.putObject("price_bounds");
        p.priceBounds().forEach((provider, models) -> {
            ObjectNode m = bounds.putObject(provider);
            models.forEach(m::put);
        });
        root.put("llm_valid_until_ms", p.llmValidUntil());
        ObjectNode llm = root.putObject("llm_quiet");
        p.llm().forEach((id, q) -> llm.putObject(id).put("micros", q.micros()).put("provider", q.provider())
                .put("model", q.model()).put("platform", q.platform()).put("sender", q.sender()));
        root.put("end", true);
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException raced) {
                // only this thread writes it; deleted just above
            }
            Files.write(tmp, Json.MAPPER.writeValueAsBytes(root));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A file that lists no session: every bridge asks the daemon again. Written when a snapshot cannot be
     * computed and when the daemon stops (it keeps the generation for the next daemon to start above).
     */
    private synchronized void withdraw() {
        try {
            long now = clock.millis();
            Published empty = new Published(generation(), now);
            write(empty, now);
            last = empty;
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException alsoFailed) {
                LOG.warn("verdict snapshot {} could be neither withdrawn nor deleted: {}", file, alsoFailed.getMessage());
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        changes.incrementAndGet();
        withdraw();
    }

    private static long previousGeneration(Path file) {
        try {
            return Json.MAPPER.readTree(Files.readAllBytes(file)).path("generation").asLong(0);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
