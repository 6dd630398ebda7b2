package dev.plutus.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.Json;
import dev.plutus.hermes.HookDispatcher;
import dev.plutus.hermes.HookDispatcher.ReplayOutcome;
import dev.plutus.ingest.JsonProblem;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the bridge's hook journals ({@code hook-journal/<host>-<pid>-<n>.jsonl}, one per Hermes
 * process and rotation; see docs/hook-journal.md) as they grow, and dispatches each line exactly as
 * a live hook. A line was acknowledged to Hermes when the bridge's write() returned, so every whole
 * line must be counted once: event ids make a re-read harmless, and the offset consumed is kept in
 * a side file ({@code .<name>.consumed}) so a restarted daemon resumes where it stopped.
 * <p>
 * A line without its newline is still being written; once the file's writer is gone (it no longer
 * holds its POSIX lock) such a tail was never acknowledged and is set aside in the spool's
 * {@code rejected.jsonl}, as is a line that cannot be used. A file read to its end whose writer is
 * gone is deleted. A store failure stops a file at that line until the next pass.
 * <p>
 * A verdict request names its writer's journal and offset: {@link #catchUp} reads that far first,
 * so a verdict never misses an event its process journaled before asking.
 */
final class JournalTailer {
    private static final Logger LOG = LoggerFactory.getLogger(JournalTailer.class);
    /** {@code <writer>-<n>.jsonl}; {@code <writer>} is the host and pid, {@code n} counts the writer's files. */
    private static final Pattern NAME = Pattern.compile("([^/\\\\]+)-(\\d{1,18})\\.jsonl");
    private static final long LIST_EVERY_NANOS = 50_000_000L;
    private static final long WRITER_CHECK_EVERY_NANOS = 500_000_000L;
    private static final int FIRST_BUFFER = 256 * 1024;
    /** Passes follow each other this closely while lines arrive; each empty pass doubles the pause, up to the slowest. */
    static final long FASTEST_PASS_NANOS = 2_000_000L;
    static final long SLOWEST_PASS_NANOS = 250_000_000L;
    static final long WAKE_ABOVE_NANOS = 8_000_000L;
    private static final long ABANDONED_AFTER_MILLIS = 60_000L;
    /** Lines dispatched as one batch: the model calls among them are recorded together. */
    static final int BATCH_LINES = 512;
    /** The consumed offset is saved at most this often while reading (at once when a file is retired or the tailer stops). */
    private static final long SAVE_EVERY_NANOS = 50_000_000L;
    /** How often a verdict waiting for a file another thread is reading looks whether its offset was passed. */
    private static final long LOCK_POLL_NANOS = 200_000L;
    private static final String NOT_UTF8 = "not UTF-8 text (kept as raw_base64)";
    /**
     * The longest a verdict waits for the tailer (another thread reading the same journal) or for its own
     * catching up when the bridge did not say its timeout: below the bridge's default 250 ms, so the bridge
     * gets a prompt 503 ("unknown") and applies fail_mode, rather than timing out with nothing said.
     */
    static final long CATCH_UP_DEADLINE_NANOS = 200_000_000L;
    /** A bridge timeout above this is taken as this: a verdict is never held longer. */
    static final long LONGEST_BRIDGE_TIMEOUT_MS = 60_000L;

    /**
     * How long a verdict may spend catching up when the bridge waits {@code bridgeTimeoutMs} for its answer
     * (negative: not said): the timeout less a margin for the verdict itself and the way back — a fifth of it,
     * at least 20 ms, at most half of it — so the answer, "unknown" included, arrives while the bridge waits.
     */
    static long catchUpNanos(long bridgeTimeoutMs) {
        if (bridgeTimeoutMs <= 0) {
            return CATCH_UP_DEADLINE_NANOS;
        }
        long timeout = TimeUnit.MILLISECONDS.toNanos(Math.min(bridgeTimeoutMs, LONGEST_BRIDGE_TIMEOUT_MS));
        return timeout - Math.min(Math.max(timeout / 5, 20_000_000L), timeout / 2);
    }

    private final Path dir;
    private final Path rejected;
    private final HookDispatcher hooks;
    private final DaemonStatus status;
    private final int maxLineBytes;
    private final Map<String, Journal> journals = new ConcurrentHashMap<>();
    /**
     * Journals read to their end and deleted: a verdict naming one has nothing left to wait for, until a file of the
     * same name appears again (the pid reused), which is then opened and read like any new journal.
     */
    private final Set<String> finished = ConcurrentHashMap.newKeySet();
    /** Entries named like journals that are not the daemon user's regular files: never opened, logged once each. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final int ownerUid;
    /** Held while a journal is opened and registered, so two threads never open the same one; a verdict waits on it only until its deadline. */
    private final ReentrantLock opening = new ReentrantLock();
    private static final java.nio.file.attribute.FileAttribute<Set<java.nio.file.attribute.PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    /** No deadline: the tailer's own thread may wait. */
    private static final long NONE = Long.MIN_VALUE;
    private volatile long lastListed = System.nanoTime() - LIST_EVERY_NANOS;
    private final java.util.concurrent.atomic.AtomicBoolean woken = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long pause = FASTEST_PASS_NANOS;
    private volatile boolean stopped;
    private volatile Thread thread;
    private final java.util.concurrent.atomic.LongAdder passes = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder wakes = new java.util.concurrent.atomic.LongAdder();
    /** Told after lines were dispatched (the verdict snapshot is then due again). */
    private volatile Runnable onProgress = () -> { };

    JournalTailer(Path dir, Path spoolDir, HookDispatcher hooks, DaemonStatus status) {
        this(dir, spoolDir, hooks, status, SpoolReplayer.MAX_LINE_BYTES);
    }

    JournalTailer(Path dir, Path spoolDir, HookDispatcher hooks, DaemonStatus status, int maxLineBytes) {
        this.dir = dir;
        this.rejected = spoolDir.resolve("rejected.jsonl");
        this.hooks = hooks;
        this.status = status;
        this.maxLineBytes = maxLineBytes;
        this.ownerUid = (int) new com.sun.security.auth.module.UnixSystem().getUid();
    }

    /**
     * Tails on a thread of its own: a pass every 2 ms while lines arrive; when none do the pause doubles up
     * to 250 ms, so an idle daemon wakes a few times a second, not hundreds. {@link #wake} ends a long pause.
     */
    void start() {
        Thread t = dev.plutus.core.PlutusThreads.named("hook-journal").newThread(this::tail);
        thread = t;
        t.start();
    }

    private void tail() {
        long p = FASTEST_PASS_NANOS;
        while (!stopped) {
            passes.increment();
            int read = 0;
            try {
                read = runOnce();
            } catch (RuntimeException e) {
                LOG.warn("hook journal pass failed: {}", e.toString(), e);
            }
            p = read > 0 || woken.getAndSet(false) ? FASTEST_PASS_NANOS : Math.min(SLOWEST_PASS_NANOS, p * 2);
            pause = p;
            java.util.concurrent.locks.LockSupport.parkNanos(this, p);
        }
    }

    /**
     * Something was (or is about to be) journaled: the next pass comes at once and passes are fast again.
     * A pause shorter than {@link #WAKE_ABOVE_NANOS} ends soon anyway, and waking the tailer then would only
     * take the CPU from the request being answered.
     */
    void wake() {
        Thread t = thread;
        if (t != null && pause > WAKE_ABOVE_NANOS && woken.compareAndSet(false, true)) {
            pause = FASTEST_PASS_NANOS;
            wakes.increment();
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
    }

    /** {@code listener} runs after any pass or catch-up that dispatched lines, on the thread that did. */
    void onProgress(Runnable listener) {
        onProgress = listener;
    }

    /**
     * Per journal, the offset up to which every line has been dispatched. A writer's later file is left
     * out while an earlier one of the same writer is still open: a verdict could not count all it wrote.
     */
    Map<String, Long> consumedOffsets() {
        Map<String, Long> out = new java.util.HashMap<>();
        for (Journal j : journals.values()) {
            boolean earlierOpen = false;
            for (Journal other : journals.values()) {
                if (other.writer.equals(j.writer) && other.number < j.number) {
                    earlierOpen = true;
                    break;
                }
            }
            if (!earlierOpen) {
                out.put(j.name, j.consumed);
            }
        }
        return out;
    }

    /** The pause after the last pass (tests read it). */
    long pause() {
        return pause;
    }

    /** Long pauses ended early by {@link #wake} (tests read it). */
    long wakes() {
        return wakes.sum();
    }

    /** Passes made by the tailing thread so far (tests read it). */
    long passes() {
        return passes.sum();
    }

    /** Stops the tailing thread after its pass in progress. */
    void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            java.util.concurrent.locks.LockSupport.unpark(t);
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        saveAll();
    }

    /** Saves every journal's consumed offset now (it is otherwise saved at most every 50 ms while reading). */
    private void saveAll() {
        for (Journal j : journals.values()) {
            j.lock.lock();
            try {
                j.saveConsumed(true);
            } finally {
                j.lock.unlock();
            }
        }
    }

    /** One pass: finds new journals now and then, reads what every journal has gained, retires finished ones. */
    int runOnce() {
        long now = System.nanoTime();
        if (now - lastListed >= LIST_EVERY_NANOS) {
            discover(NONE);
            lastListed = now;
        }
        return readInWritingOrder(false);
    }

    /**
     * Reads what every open journal has gained and retires those whose writer is gone (checked at once when
     * {@code force}), each writer's files in the order it wrote them: a later file is read only once the earlier one
     * is read to its end. An event there may follow one in the earlier file (a call's settling after its hold), and
     * read first it would leave the hold standing with nothing left to end it.
     */
    private int readInWritingOrder(boolean force) {
        java.util.List<Journal> all = new java.util.ArrayList<>(journals.values());
        all.sort(java.util.Comparator.comparing((Journal j) -> j.writer).thenComparingLong(j -> j.number));
        int read = 0;
        String waiting = null;
        for (Journal j : all) {
            if (j.writer.equals(waiting)) {
                continue;
            }
            read += j.readAvailable();
            j.retireIfDone(System.nanoTime(), force);
            if (!j.readToItsEnd()) {
                waiting = j.writer;
            }
        }
        return read;
    }

    /** Reads everything there is and retires every journal whose writer is gone: at start, in tests, at the end of a benchmark. */
    int drain() {
        discover(NONE);
        int read = readInWritingOrder(true);
        saveAll();
        return read;
    }

    /**
     * True once every line of journal {@code name} before {@code offset}, and every line of that writer's
     * earlier journals, has been dispatched; false when that cannot be done now (a name that is not a
     * journal's, a file shorter than the offset, a store failure): the verdict is then unknown.
     */
    boolean catchUp(String name, long offset) {
        return catchUp(name, offset, System.nanoTime() + CATCH_UP_DEADLINE_NANOS);
    }

    /** As {@link #catchUp(String, long)}, giving up (false: verdict unknown) once {@code deadline} (nanoTime) has passed. */
    boolean catchUp(String name, long offset, long deadline) {
        Matcher m = NAME.matcher(name);
        if (!m.matches() || offset < 0) {
            return false;
        }
        // Open journals first: a retired name may be in use again (a new Hermes process given the same pid).
        Journal j = journals.get(name);
        if (j == null) {
            discover(deadline);
            j = journals.get(name);
            if (j == null) {
                return finished.contains(name);
            }
        }
        for (Journal earlier : journals.values()) {
            if (earlier.writer.equals(j.writer) && earlier.number < j.number && !earlier.readToEnd(deadline)) {
                return false;
            }
        }
        return j.readTo(offset, deadline);
    }

    private void discover(long deadline) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                String name = p.getFileName().toString();
                Matcher m = NAME.matcher(name);
                // A retired journal was deleted, so a file under its name is a new one: a later process given the same pid.
                if (!name.startsWith(".") && m.matches() && !journals.containsKey(name)) {
                    if (isOwnRegularFile(p, name)) {
                        open(p, name, m, deadline);
                    }
                } else if (name.startsWith(".") && name.endsWith(".new")) {
                    removeIfAbandoned(p);
                }
            });
        } catch (IOException e) {
            LOG.warn("hook journal directory {} cannot be listed: {}", dir, e.getMessage());
        }
    }

    /**
     * A journal is created under a hidden name ({@code .<name>.new}), locked, then renamed: one still
     * there after a minute whose lock nobody holds was left by a writer killed in between. It never
     * held a line (the writer writes only after the rename), so it is removed.
     */
    private static void removeIfAbandoned(Path p) {
        try {
            if (System.currentTimeMillis() - Files.getLastModifiedTime(p).toMillis() < ABANDONED_AFTER_MILLIS) {
                return;
            }
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
                 FileLock probe = ch.tryLock(0, Long.MAX_VALUE, true)) {
                if (probe == null) {
                    return;
                }
                Files.deleteIfExists(p);
                LOG.info("removed {}: a hook journal its writer never finished creating", p.getFileName());
            }
        } catch (java.nio.channels.OverlappingFileLockException heldHere) {
            // its writer is inside this JVM, and alive
        } catch (IOException e) {
            LOG.debug("{} not removed now: {}", p, e.getMessage());
        }
    }

    /**
     * Only a regular file owned by the daemon's user is ever opened: opening a FIFO blocks until someone
     * writes to it (it froze the tailer and, through it, every verdict), a symlink could make the daemon
     * read (and set aside in rejected.jsonl) a file it was never meant to, and a device or another user's
     * file is nobody's journal. Attributes are read without following links; each refused name is logged once.
     */
    private boolean isOwnRegularFile(Path p, String name) {
        String problem;
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:isRegularFile,isSymbolicLink,isDirectory,uid",
                    LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) a.get("uid");
            if (Boolean.TRUE.equals(a.get("isSymbolicLink"))) {
                problem = "a symbolic link";
            } else if (Boolean.TRUE.equals(a.get("isDirectory"))) {
                problem = "a directory";
            } else if (!Boolean.TRUE.equals(a.get("isRegularFile"))) {
                problem = "not a regular file (a FIFO, socket or device)";
            } else if (uid != ownerUid) {
                problem = "owned by uid " + uid + ", not by the daemon's user (uid " + ownerUid + ")";
            } else {
                if (refused.remove(name)) {
                    LOG.info("hook journal {} is now a regular file of the daemon's user: read from now on", name);
                }
                return true;
            }
        } catch (NoSuchFileException gone) {
            return false;
        } catch (IOException | RuntimeException e) {
            problem = "its attributes cannot be read (" + e.getMessage() + ")";
        }
        if (refused.add(name)) {
            LOG.warn("{} in {} is {}: it is not a hook journal the bridge wrote, so it is never opened (said once)",
                    name, dir, problem);
        }
        return false;
    }

    /** Names refused by {@link #isOwnRegularFile} (tests read it). */
    Set<String> refused() {
        return Set.copyOf(refused);
    }

    /** Opens without holding any lock of the tailer's: a verdict never waits on an open. */
    private void open(Path path, String name, Matcher m, long deadline) {
        if (!lock(opening, deadline)) {
            return;
        }
        try {
            if (journals.containsKey(name)) {
                return;
            }
            // NOFOLLOW_LINKS: a symlink swapped in after the check above fails here instead of being followed.
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            long consumed = readConsumed(name, ch.size());
            if (journals.putIfAbsent(name, new Journal(name, path, m.group(1), Long.parseLong(m.group(2)), ch, consumed)) != null) {
                ch.close(); // another thread opened it in between
            } else if (finished.remove(name)) {
                LOG.info("hook journal {} is in use again (a new process with the pid of one whose journal was read): reading it", name);
            }
        } catch (NoSuchFileException gone) {
            // retired by another pass in between
        } catch (IOException e) {
            LOG.warn("hook journal {} cannot be opened: {}", path, e.getMessage());
        } finally {
            opening.unlock();
        }
    }

    /** Takes {@code lock}, waiting at most until {@code deadline} ({@link #NONE}: as long as it takes); false when it could not. */
    private static boolean lock(ReentrantLock lock, long deadline) {
        if (deadline == NONE) {
            lock.lock();
            return true;
        }
        try {
            return lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean expired(long deadline) {
        return deadline != NONE && System.nanoTime() - deadline >= 0;
    }

    private Path consumedFile(String name) {
        return dir.resolve("." + name + ".consumed");
    }

    private long readConsumed(String name, long size) {
        try {
            long at = Long.parseLong(Files.readString(consumedFile(name)).strip());
            if (at >= 0 && at <= size) {
                return at;
            }
            LOG.warn("hook journal {}: consumed offset {} is past its end ({} bytes); read again from the start "
                    + "(event ids keep calls from counting twice)", name, at, size);
        } catch (NoSuchFileException none) {
            // never read before
        } catch (IOException | NumberFormatException e) {
            LOG.warn("hook journal {}: consumed offset unreadable ({}); read again from the start", name, e.getMessage());
        }
        return 0;
    }

    /**
     * One journal file and how far it has been dispatched. Every method holds {@link #lock}: one reader at a
     * time; a verdict waits for it only until its deadline.
     */
    private final class Journal {
        final String name;
        final Path path;
        final String writer;
        final long number;
        final FileChannel ch;
        /** Written under the monitor; read without it by {@link #consumedOffsets}. */
        volatile long consumed;
        long savedConsumed;
        /** A store failure stopped reading at {@link #consumed}: the file is not finished. */
        boolean stalled;
        long lastWriterCheck;
        ByteBuffer buf = ByteBuffer.allocate(FIRST_BUFFER);
        final ReentrantLock lock = new ReentrantLock();
        /** Where the lines of the batch being dispatched start and end (their newline) in {@link #buf}. */
        private final int[] lineStart = new int[BATCH_LINES];
        private final int[] lineEnd = new int[BATCH_LINES];
        private long lastSave = System.nanoTime();

        Journal(String name, Path path, String writer, long number, FileChannel ch, long consumed) {
            this.name = name;
            this.path = path;
            this.writer = writer;
            this.number = number;
            this.ch = ch;
            this.consumed = consumed;
            this.savedConsumed = consumed;
            this.lastWriterCheck = System.nanoTime();
        }

        /**
         * Reads to {@code offset} unless another thread (the tailer) holding this file gets there first: its
         * batches move {@link #consumed}, so the wait ends when they pass the offset, not when the tailer is done.
         */
        boolean readTo(long offset, long deadline) {
            while (consumed < offset) {
                if (expired(deadline)) {
                    return false;
                }
                long wait = deadline == NONE ? LOCK_POLL_NANOS : Math.min(LOCK_POLL_NANOS, deadline - System.nanoTime());
                try {
                    if (!lock.tryLock(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                try {
                    if (consumed < offset) {
                        read(offset, deadline);
                    }
                    return consumed >= offset;
                } finally {
                    lock.unlock();
                }
            }
            return true;
        }

        boolean readToEnd(long deadline) {
            if (!lock(lock, deadline)) {
                return false;
            }
            try {
                if (!ch.isOpen()) {
                    // Retired by the tailer meanwhile: it is closed only once read to its end (or it was found unreadable).
                    return finished.contains(name);
                }
                read(Long.MAX_VALUE, deadline);
                return !stalled && !expired(deadline) && (consumed == ch.size() || !writerAlive());
            } catch (IOException e) {
                return false;
            } finally {
                lock.unlock();
            }
        }

        /** Whether every byte of the file has been dispatched (or the file is retired): a later file of its writer may be read. */
        boolean readToItsEnd() {
            lock.lock();
            try {
                return !ch.isOpen() || (!stalled && consumed >= ch.size());
            } catch (IOException e) {
                return false;
            } finally {
                lock.unlock();
            }
        }

        /** Dispatches every whole line after {@link #consumed}; returns how many. */
        int readAvailable() {
            lock.lock();
            try {
                return read(Long.MAX_VALUE, NONE);
            } finally {
                lock.unlock();
            }
        }

        /**
         * Dispatches whole lines after {@link #consumed} until {@code until} is reached, the file ends or
         * {@code deadline} passes, in batches of at most {@link #BATCH_LINES} (the calls of a batch are recorded
         * together); {@link #consumed} moves after each batch, so a verdict waiting for an offset sees it pass.
         */
        private int read(long until, long deadline) {
            if (!ch.isOpen()) {
                return 0;
            }
            int done = 0;
            stalled = false;
            try {
                while (!expired(deadline)) {
                    long size = ch.size();
                    if (consumed >= Math.min(size, until)) {
                        break;
                    }
                    buf.clear();
                    int n = ch.read(buf, consumed);
                    if (n <= 0) {
                        break;
                    }
                    byte[] a = buf.array();
                    int start = 0;
                    int lf;
                    boolean more = true;
                    while (more && !expired(deadline)) {
                        int lines = 0;
                        int from = start;
                        while (lines < BATCH_LINES && (lf = indexOf(a, start, n)) >= 0) {
                            lineStart[lines] = start;
                            lineEnd[lines++] = lf;
                            start = lf + 1;
                            if (consumed + (start - from) >= until) {
                                more = false;
                                break;
                            }
                        }
                        if (lines == 0) {
                            break;
                        }
                        int handled = dispatchBatch(a, lines);
                        done += handled;
                        if (stalled) {
                            return done;
                        }
                        if (lines < BATCH_LINES) {
                            more = false;
                        }
                    }
                    if (consumed >= until || expired(deadline)) {
                        break;
                    }
                    if (start == 0 && n == buf.capacity()) {
                        // One line fills the buffer: grow it, or set the line aside once past the limit.
                        if (buf.capacity() > maxLineBytes) {
                            setAsideLong();
                            done++;
                        } else {
                            buf = ByteBuffer.allocate((int) Math.min((long) maxLineBytes + 1, buf.capacity() * 2L));
                        }
                    } else if (start == 0) {
                        break; // only an unfinished line is left
                    }
                }
            } catch (IOException e) {
                LOG.warn("hook journal {} cannot be read now: {}", name, e.getMessage());
                stalled = true;
            } finally {
                saveConsumed(false);
                if (done > 0) {
                    onProgress.run();
                }
            }
            return done;
        }

        /**
         * Dispatches the lines {@code lineStart/lineEnd[0..lines)} of {@code a} (which begin at {@link #consumed}) as
         * one batch and moves {@link #consumed} past each line handled, in order; a store failure stops at that line
         * ({@link #stalled}). Lines that are no event are set aside in their place. Returns the lines handled.
         */
        private int dispatchBatch(byte[] a, int lines) {
            java.util.List<HookDispatcher.Journaled> events = new java.util.ArrayList<>(lines);
            String[] problems = new String[lines];
            for (int i = 0; i < lines; i++) {
                HookDispatcher.Journaled e = parse(a, lineStart[i], lineEnd[i] - lineStart[i],
                        consumed + lineStart[i] - lineStart[0], problems, i);
                if (e != null) {
                    events.add(e);
                }
            }
            long t0 = System.nanoTime();
            java.util.List<ReplayOutcome> outcomes = events.isEmpty() ? java.util.List.of() : hooks.journaledAll(events);
            long each = events.isEmpty() ? 0 : (System.nanoTime() - t0) / events.size();
            int handled = 0;
            int k = 0;
            for (int i = 0; i < lines; i++) {
                int off = lineStart[i];
                int len = lineEnd[i] - off;
                long at = consumed;
                if (problems[i] != null) {
                    if (!problems[i].isEmpty()) {
                        rejectLine(a, off, len, at, problems[i]);
                    }
                } else {
                    if (k >= outcomes.size()) {
                        return handled; // not handled: after a store failure
                    }
                    HookDispatcher.Journaled e = events.get(k);
                    ReplayOutcome o = outcomes.get(k++);
                    if (o == ReplayOutcome.RETRY) {
                        stalled = true;
                        return handled;
                    }
                    if (o == ReplayOutcome.REJECTED) {
                        rejectLine(a, off, len, at, "the event was malformed (see plutus.log)");
                    } else {
                        status.hookHandled(e.event(), each);
                    }
                }
                handled++;
                consumed += len + 1;
            }
            return handled;
        }

        /**
         * A line as an event, or null with {@code problems[i]} saying why not ("" for a blank line, which is
         * skipped). A line of ASCII bytes (what the bridge writes: json escapes the rest) is parsed from the
         * buffer as it is; any other is first checked to be UTF-8.
         */
        private HookDispatcher.Journaled parse(byte[] a, int off, int len, long at, String[] problems, int i) {
            JsonNode n;
            try {
                if (ascii(a, off, len)) {
                    if (blank(a, off, len)) {
                        problems[i] = "";
                        return null;
                    }
                    n = Json.MAPPER.readTree(a, off, len);
                } else {
                    String text = utf8(a, off, len);
                    if (text == null) {
                        problems[i] = NOT_UTF8;
                        return null;
                    }
                    if (text.isBlank()) {
                        problems[i] = "";
                        return null;
                    }
                    n = Json.MAPPER.readTree(text);
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                problems[i] = "not JSON: " + JsonProblem.describe(e, "offset " + at);
                return null;
            } catch (IOException e) {
                problems[i] = "not JSON: " + e.getMessage();
                return null;
            }
            if (n == null || !n.path("event").isTextual()) {
                problems[i] = "no event name";
                return null;
            }
            return new HookDispatcher.Journaled(n.get("event").asText(), n.get("kwargs"));
        }

        private void rejectLine(byte[] a, int off, int len, long at, String problem) {
            if (problem.equals(NOT_UTF8)) {
                reject(java.util.Arrays.copyOfRange(a, off, off + len), at, problem);
            } else {
                reject(new String(a, off, len, StandardCharsets.UTF_8), at, problem);
            }
        }

        /**
         * Deletes the file once it is read to its end and its writer is gone (checked now and then,
         * or at once when {@code now} is forced); an unfinished last line left by a writer that is gone
         * was never acknowledged, so it is set aside first.
         */
        void retireIfDone(long now, boolean force) {
            lock.lock();
            try {
                retireLocked(now, force);
            } finally {
                lock.unlock();
            }
        }

        private void retireLocked(long now, boolean force) {
            if (!ch.isOpen() || stalled || (!force && now - lastWriterCheck < WRITER_CHECK_EVERY_NANOS)) {
                return;
            }
            lastWriterCheck = now;
            try {
                if (writerAlive()) {
                    return;
                }
                read(Long.MAX_VALUE, NONE); // what it wrote before it went
                if (stalled) {
                    return;
                }
                long size = ch.size();
                if (consumed < size) {
                    byte[] tail = new byte[(int) Math.min(size - consumed, maxLineBytes)];
                    ch.read(ByteBuffer.wrap(tail), consumed);
                    reject(tail, consumed, "an unfinished last line (" + (size - consumed) + " bytes, no newline) whose writer "
                            + "is gone: it was never acknowledged to Hermes" + (size - consumed > tail.length
                            ? "; only its first " + tail.length + " bytes are kept" : ""));
                    consumed = size;
                }
                saveConsumed(true);
                ch.close();
                Files.deleteIfExists(path);
                Files.deleteIfExists(consumedFile(name));
                finished.add(name);
                journals.remove(name);
            } catch (IOException e) {
                LOG.warn("hook journal {} cannot be retired now: {}", name, e.getMessage());
            }
        }

        /** Whether a process still holds the writer's lock (shared-lock probe: it conflicts only with the writer's). */
        private boolean writerAlive() throws IOException {
            try (FileLock probe = ch.tryLock(0, Long.MAX_VALUE, true)) {
                return probe == null;
            } catch (java.nio.channels.OverlappingFileLockException heldHere) {
                return true; // a writer inside this JVM (an embedded bridge, a test) holds it
            }
        }

        /** A line longer than the limit: its bytes are copied to the spool's oversized/ directory, and it is set aside. */
        private void setAsideLong() throws IOException {
            Path sideDir = rejected.resolveSibling(SpoolReplayer.OVERSIZED);
            Files.createDirectories(sideDir);
            Path side = sideDir.resolve(name + ".at" + consumed + "." + System.nanoTime() + ".raw");
            Files.createFile(side, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            long length = 0;
            try (OutputStream out = Files.newOutputStream(side, StandardOpenOption.WRITE)) {
                ByteBuffer chunk = ByteBuffer.allocate(FIRST_BUFFER);
                while (true) {
                    chunk.clear();
                    int n = ch.read(chunk, consumed + length);
                    if (n <= 0) {
                        break; // no newline yet: the rest is read on a later pass as a line of its own
                    }
                    int lf = indexOf(chunk.array(), 0, n);
                    out.write(chunk.array(), 0, lf < 0 ? n : lf);
                    length += lf < 0 ? n : lf + 1;
                    if (lf >= 0) {
                        break;
                    }
                }
            }
            var o = Json.MAPPER.createObjectNode().put("file", name).put("offset", consumed)
                    .put("problem", "longer than the " + maxLineBytes + " bytes a journal line may hold")
                    .put("raw_file", SpoolReplayer.OVERSIZED + "/" + side.getFileName());
            appendRejected(o.toString());
            consumed += length;
            buf = ByteBuffer.allocate(FIRST_BUFFER);
        }

        /**
         * Keeps the offset consumed for a restarted daemon: at most every {@link #SAVE_EVERY_NANOS} unless
         * {@code now} (a line read again after a crash counts nothing twice: event ids).
         */
        private void saveConsumed(boolean now) {
            if (consumed == savedConsumed || (!now && System.nanoTime() - lastSave < SAVE_EVERY_NANOS)) {
                return;
            }
            lastSave = System.nanoTime();
            Path target = consumedFile(name);
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            try {
                // 0600 like the journal itself; the temporary file never outlives a failed save (a full disk).
                try (var out = Files.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING), OWNER_ONLY)) {
                    out.write(ByteBuffer.wrap(Long.toString(consumed).getBytes(StandardCharsets.US_ASCII)));
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                savedConsumed = consumed;
            } catch (IOException e) {
                // Read again after a restart; event ids keep it from counting twice.
                LOG.warn("hook journal {}: consumed offset not saved ({})", name, e.getMessage());
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to do: the next save truncates it
                }
            }
        }

        private void reject(String text, long at, String problem) {
            LOG.warn("hook journal {} at byte {}: {}; moved to rejected.jsonl", name, at, problem);
            appendRejected(Json.MAPPER.createObjectNode().put("file", name).put("offset", at).put("problem", problem)
                    .put("raw", text).toString());
        }

        private void reject(byte[] raw, long at, String problem) {
            String text = utf8(raw, 0, raw.length);
            if (text != null) {
                reject(text, at, problem);
                return;
            }
            LOG.warn("hook journal {} at byte {}: {}; moved to rejected.jsonl", name, at, problem);
            appendRejected(Json.MAPPER.createObjectNode().put("file", name).put("offset", at).put("problem", problem)
                    .put("raw", new String(raw, StandardCharsets.UTF_8))
                    .put("raw_base64", Base64.getEncoder().encodeToString(raw)).toString());
        }
    }

    private void appendRejected(String line) {
        try {
            Files.createDirectories(rejected.getParent());
            try {
                Files.createFile(rejected, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException kept) {
                // appended to below
            }
            Files.writeString(rejected, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            status.replayed(0, 1);
        } catch (IOException e) {
            LOG.error("could not write {} ({}); the line was: {}", rejected, e.getMessage(), line);
        }
    }

    private static boolean ascii(byte[] a, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (a[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean blank(byte[] a, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (a[i] != ' ' && a[i] != '\t' && a[i] != '\r' && a[i] != 0x0B && a[i] != '\f' && a[i] != 0x1C
                    && a[i] != 0x1D && a[i] != 0x1E && a[i] != 0x1F) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String utf8(byte[] a, int off, int len) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(a, off, len)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
