package dev.plutus.store;

import dev.plutus.core.CallOrigin;
import dev.plutus.core.LlmCall;
import dev.plutus.core.TokenUsage;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The call journal: each call is appended here before it is acknowledged, and stored in the calls
 * table behind it ({@link JournalStore}). An append is one {@code write} into the page cache, which
 * outlives a SIGKILL of this process as SQLite's WAL with {@code synchronous=NORMAL} does (neither
 * survives a power loss). Each record is framed as its payload's length, the payload's CRC32 and the
 * payload, so a record cut short by a crash (never acknowledged) is recognised and cut off at the
 * next open. Files are {@code calls-<seq>.journal}, a new one at each open and when the active one
 * passes its size limit; a file is deleted once the calls table holds all of it. One process per
 * home writes a journal: the one holding {@code journal.lock}.
 */
public final class CallJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallJournal.class);
    static final int HEADER_BYTES = 8;
    /** Far above any real call (a few hundred bytes); a length past it is damage, not a record. */
    static final int MAX_PAYLOAD = 1 << 20;
    private static final byte FORMAT = 1;
    private static final Pattern NAME = Pattern.compile("calls-(\\d{1,18})\\.journal");

    /** A place in the journal: a file and a byte offset in it. */
    public record Position(long seq, long offset) implements Comparable<Position> {
        public static final Position START = new Position(0, 0);

        @Override
        public int compareTo(Position o) {
            int c = Long.compare(seq, o.seq);
            return c != 0 ? c : Long.compare(offset, o.offset);
        }
    }

    /** A journaled call and the position just past its record. */
    public record Entry(LlmCall call, Position end) {}

    /** Writes bytes into a journal file at a position: the file channel itself, or a full disk in tests. */
    @FunctionalInterface
    interface Writes {
        int write(FileChannel ch, ByteBuffer bytes, long at) throws IOException;
    }

    private static final Writes CHANNEL = FileChannel::write;

    private final Path dir;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final long rotateBytes;
    private final Writes writes;
    /** Reused by every append (appends hold this journal's monitor), so recording a call allocates no buffer. */
    private final Encoder encoder = new Encoder(4096);
    private FileChannel active;
    private boolean closed;
    /** How far the calls table holds the journal ({@link #drainedTo}); read by appends, set by the drainer. */
    private volatile Position drained = Position.START;
    /** Where the file before the active one ended: a new file's first append follows that. */
    private Position previousEnd = Position.START;
    private long activeSeq;
    private long activeSize;
    /** Set when a failed append could not be undone: further appends would follow a damaged record. */
    private String broken;

    private CallJournal(Path dir, FileChannel lockFile, FileLock lock, long rotateBytes, Writes writes) {
        this.dir = dir;
        this.lockFile = lockFile;
        this.lock = lock;
        this.rotateBytes = rotateBytes;
        this.writes = writes;
    }

    /** The journal in {@code dir}, or empty when another process (or another engine here) holds it. */
    public static Optional<CallJournal> tryOpen(Path dir, long rotateBytes) {
        return tryOpen(dir, rotateBytes, CHANNEL);
    }

    static Optional<CallJournal> tryOpen(Path dir, long rotateBytes, Writes writes) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            FileChannel ch = FileChannel.open(dir.resolve("journal.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException heldInThisJvm) {
                l = null;
            }
            if (l == null) {
                ch.close();
                return Optional.empty();
            }
            return Optional.of(new CallJournal(dir, ch, l, rotateBytes, writes));
        } catch (IOException | UnsupportedOperationException e) {
            throw new StoreException("cannot open the call journal in " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    /**
     * Reads every whole record after {@code from}, oldest first, handing them over in batches of at most
     * {@code batch}; returns the position after the last record read. Bytes that are not a whole,
     * undamaged record are never counted and never silently dropped: they are copied to
     * {@code damaged/} beside the journal and logged. A record whose frame is intact but whose bytes
     * do not match their CRC is skipped and reading goes on after it; a frame that cannot be read (a
     * length no record has, or one running past the end: a write a crash cut short, or a file that is
     * not a journal) ends that file. Later files are always read: each file starts with a whole record.
     */
    public Position replay(Position from, int batch, Consumer<List<Entry>> sink) {
        Position end = from;
        List<Entry> entries = new ArrayList<>(batch);
        for (long seq : files()) {
            if (seq < from.seq()) {
                continue;
            }
            long offset = seq == from.seq() ? from.offset() : 0;
            Path f = file(seq);
            if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                LOG.error("call journal {} is not a regular file; it is left where it is and not replayed", f);
                continue;
            }
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                long size = ch.size();
                if (offset > size) {
                    LOG.warn("call journal {} is shorter ({} bytes) than the {} bytes already stored; nothing of it is replayed",
                            f, size, offset);
                    offset = size;
                }
                ch.position(offset);
                DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 1 << 16));
                while (offset < size) {
                    Read read = readRecord(in, size - offset);
                    if (read.call() == null) {
                        long cut = read.bytes() < 0 ? size : offset + read.bytes();
                        setAside(ch, f, seq, offset, cut, read.bytes() < 0
                                ? "cannot be read as a record (a write a crash cut short, never acknowledged, or bytes that are not a"
                                        + " journal); the rest of the file is not replayed"
                                : "does not match its checksum (damaged); it is skipped and never counted");
                        if (read.bytes() < 0) {
                            break;
                        }
                        offset = cut;
                        continue;
                    }
                    offset += read.bytes();
                    entries.add(new Entry(read.call(), new Position(seq, offset)));
                    if (entries.size() == batch) {
                        sink.accept(entries);
                        entries = new ArrayList<>(batch);
                    }
                }
            } catch (IOException e) {
                throw new StoreException("cannot read the call journal " + f, e);
            }
            end = new Position(seq, offset);
        }
        if (!entries.isEmpty()) {
            sink.accept(entries);
        }
        return end;
    }

    /** Copies bytes {@code [from, to)} of a journal file to {@code damaged/}, so nothing is lost unseen. */
    private void setAside(FileChannel ch, Path f, long seq, long from, long to, String why) throws IOException {
        Path aside = dir.resolve("damaged").resolve("calls-" + seq + "-at-" + from + ".bin");
        try {
            Files.createDirectories(aside.getParent());
            try (FileChannel out = FileChannel.open(aside, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long at = from; at < to; ) {
                    long n = ch.transferTo(at, to - at, out);
                    if (n <= 0) {
                        break;
                    }
                    at += n;
                }
            }
            LOG.warn("call journal {}: the {} bytes at byte {} {}; they are kept in {}", f, to - from, from, why, aside);
        } catch (IOException e) {
            LOG.error("call journal {}: the {} bytes at byte {} {}; they could not be copied aside ({})", f, to - from, from, why,
                    e.getMessage());
        }
    }

    /**
     * A record read, or (call null) bytes that are not one: {@code bytes} then says how many a damaged
     * record with an intact frame spans, or is -1 when the frame itself cannot be read.
     */
    private record Read(LlmCall call, int bytes) {}

    private static Read readRecord(DataInputStream in, long left) throws IOException {
        if (left < HEADER_BYTES) {
            return new Read(null, -1);
        }
        int length = in.readInt();
        int crc = in.readInt();
        if (length < 1 || length > MAX_PAYLOAD || HEADER_BYTES + (long) length > left) {
            return new Read(null, -1);
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        CRC32 check = new CRC32();
        check.update(payload, 0, length);
        if ((int) check.getValue() != crc) {
            return new Read(null, HEADER_BYTES + length);
        }
        try {
            return new Read(decode(ByteBuffer.wrap(payload)), HEADER_BYTES + length);
        } catch (RuntimeException malformed) {
            return new Read(null, HEADER_BYTES + length);
        }
    }

    /** Starts a new file to append to, after every file there is. */
    public synchronized void startWriting() {
        startWriting(new Position(0, 0));
    }

    /**
     * Starts a new file to append to, after every file there is and after {@code consumed}, the
     * position the calls table has recorded as stored. The files before it may all be deleted (an
     * engine that replayed a killed daemon's journal and does not journal itself deletes them all), and
     * a new file numbered at or below the stored position would have its first records taken as
     * stored already and skipped by the next replay: acknowledged calls lost.
     */
    public synchronized void startWriting(Position consumed) {
        long seq = Math.max(files().stream().mapToLong(Long::longValue).max().orElse(0), consumed.seq()) + 1;
        openActive(seq);
        drained = new Position(seq, 0);
    }

    /**
     * The calls table now holds every record up to {@code p}. A full disk is then recoverable: the files
     * wholly drained may go (see {@link #append}).
     */
    public void drainedTo(Position p) {
        drained = p;
    }

    /** The position after the last record appended. */
    public synchronized Position end() {
        return new Position(activeSeq, activeSize);
    }

    /**
     * Appends the calls as one write; returns the position after each one's record. On a failure
     * nothing is appended (what was written is cut off again) and the exception says why.
     */
    public synchronized List<Position> append(List<LlmCall> calls) {
        if (broken != null) {
            throw new StoreException("the call journal cannot take calls: " + broken);
        }
        if (closed) {
            throw new StoreException("the call journal is closed");
        }
        if (active == null) {
            openActive(activeSeq + 1); // a new file could not be started last time (a full disk): try again
        } else if (activeSize >= rotateBytes) {
            openActive(activeSeq + 1);
        }
        return append(calls, true);
    }

    /**
     * One attempt; when it fails and the calls table holds every record appended so far, the files (the
     * active one included) hold nothing that is not stored: they are deleted, a new file is started and
     * the append tried once more. On a full disk this frees the space drained records pinned.
     */
    private List<Position> append(List<LlmCall> calls, boolean mayRestart) {
        Encoder enc = encoder;
        enc.reset();
        List<Position> ends = new ArrayList<>(calls.size());
        for (LlmCall call : calls) {
            enc.frame(call);
            ends.add(new Position(activeSeq, activeSize + enc.buf.position()));
        }
        ByteBuffer bytes = enc.buf.flip();
        long start = activeSize;
        try {
            long at = start;
            while (bytes.hasRemaining()) {
                at += writes.write(active, bytes, at);
            }
        } catch (IOException e) {
            try {
                active.truncate(start);
            } catch (IOException undo) {
                broken = "a failed append could not be cut off (" + undo.getMessage() + ")";
            }
            Position before = start == 0 ? previousEnd : new Position(activeSeq, start);
            if (broken == null && mayRestart && drained.compareTo(before) >= 0) {
                LOG.warn("call journal {}: an append failed ({}); every record before it is stored, so the journal starts a new"
                        + " file and deletes the stored ones, and the append is tried once more", file(activeSeq), e.getMessage());
                restartEmpty();
                return append(calls, true);
            }
            throw new StoreException("cannot append to the call journal " + file(activeSeq), e);
        }
        activeSize = start + enc.buf.limit();
        return ends;
    }

    /** Closes the active file, deletes every file (all stored: the caller checked) and starts the next one. */
    private void restartEmpty() {
        long next = activeSeq + 1;
        try {
            active.close();
        } catch (IOException e) {
            LOG.warn("closing the call journal {}: {}", file(activeSeq), e.getMessage());
        }
        active = null;
        deleteBefore(next);
        openActive(next);
    }

    /** Deletes the files before {@code seq}: the calls table holds all of them. */
    public synchronized void deleteBefore(long seq) {
        for (long s : files()) {
            if (s < seq && (s != activeSeq || active == null)) {
                try {
                    Files.deleteIfExists(file(s));
                } catch (IOException e) {
                    LOG.warn("cannot delete the consumed call journal {}: {}", file(s), e.getMessage());
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        try {
            if (active != null) {
                active.close();
                active = null;
            }
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            LOG.warn("closing the call journal: {}", e.getMessage());
        }
    }

    private void openActive(long seq) {
        Path f = file(seq);
        try {
            if (active != null) {
                previousEnd = new Position(activeSeq, activeSize);
                active.close();
                active = null;
            }
            // Numbered before it exists: a file half-made by a failed attempt is never reused.
            activeSeq = seq;
            activeSize = 0;
            Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            active = FileChannel.open(f, StandardOpenOption.WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            active = null;
            throw new StoreException("cannot start the call journal " + f, e);
        }
    }

    private Path file(long seq) {
        return dir.resolve("calls-" + seq + ".journal");
    }

    /** The journal files' numbers, ascending. */
    public List<Long> files() {
        List<Long> out = new ArrayList<>();
        try (var list = Files.list(dir)) {
            list.forEach(p -> {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.add(Long.parseLong(m.group(1)));
                }
            });
        } catch (IOException e) {
            throw new StoreException("cannot list the call journal " + dir, e);
        }
        out.sort(null);
        return out;
    }

    /** Frames calls into one buffer: length, CRC32 of the payload, payload. */
    private static final class Encoder {
        /** A buffer grown past this by a large batch is let go at the next append, not kept for the journal's life. */
        private static final int KEEP_BYTES = 1 << 20;
        private final int initial;
        private ByteBuffer buf;
        private final CRC32 crc = new CRC32();

        Encoder(int capacity) {
            initial = Math.max(capacity, 512);
            buf = ByteBuffer.allocate(initial);
        }

        void reset() {
            if (buf.capacity() > KEEP_BYTES) {
                buf = ByteBuffer.allocate(initial);
            }
            buf.clear();
        }

        void frame(LlmCall c) {
            int header = buf.position();
            room(HEADER_BYTES);
            buf.position(header + HEADER_BYTES);
            room(64);
            buf.put(FORMAT);
            string(c.eventId());
            room(12);
            buf.putLong(c.timestamp().getEpochSecond()).putInt(c.timestamp().getNano());
            string(c.sessionId());
            string(c.rootSessionId());
            string(c.platform());
            string(c.cronJobId());
            string(c.senderId());
            string(c.provider());
            string(c.model());
            string(c.responseModel());
            TokenUsage u = c.usage();
            room(80);
            buf.putLong(u.input()).putLong(u.output()).putLong(u.cacheRead()).putLong(u.cacheWrite()).putLong(u.cacheWrite1h())
                    .putLong(u.reasoning());
            buf.put(flag(c.estimated())).putLong(c.costMicros()).put(flag(c.priced()));
            string(c.priceEntry());
            room(16);
            buf.putLong(c.latencyMillis());
            CallOrigin o = c.origin();
            buf.put(flag(o != null));
            if (o != null) {
                string(o.keyId());
                string(o.workspace());
                string(o.taskType());
                string(o.source());
                room(16);
                buf.putLong(o.trackedTokens()).put(flag(o.overFreeLimit()));
            }
            room(16);
            buf.put(flag(c.reportedAt() != null));
            if (c.reportedAt() != null) {
                buf.putLong(c.reportedAt().getEpochSecond()).putInt(c.reportedAt().getNano());
            }
            room(1);
            buf.put(flag(c.provisional()));
            int length = buf.position() - header - HEADER_BYTES;
            if (length > MAX_PAYLOAD) {
                throw new IllegalArgumentException("call " + c.eventId() + " is too large to journal (" + length + " bytes)");
            }
            crc.reset();
            crc.update(buf.array(), header + HEADER_BYTES, length);
            buf.putInt(header, length).putInt(header + 4, (int) crc.getValue());
        }

        private static byte flag(boolean b) {
            return (byte) (b ? 1 : 0);
        }

        /** Length and UTF-8 bytes; ids and model names are nearly always ASCII, written without a byte[] copy. */
        private void string(String s) {
            if (s == null) {
                room(4);
                buf.putInt(-1);
                return;
            }
            int n = s.length();
            room(4 + n);
            int start = buf.position();
            byte[] a = buf.array();
            int at = buf.arrayOffset() + start + 4;
            for (int i = 0; i < n; i++) {
                char ch = s.charAt(i);
                if (ch >= 0x80) {
                    byte[] b = s.getBytes(StandardCharsets.UTF_8);
                    room(4 + b.length);
                    buf.putInt(b.length).put(b);
                    return;
                }
                a[at + i] = (byte) ch;
            }
            buf.putInt(start, n).position(start + 4 + n);
        }

        private void room(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n + 256));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }
    }

    static LlmCall decode(ByteBuffer in) {
        if (in.get() != FORMAT) {
            throw new IllegalArgumentException("unknown record format");
        }
        String eventId = string(in);
        Instant ts = Instant.ofEpochSecond(in.getLong(), in.getInt());
        String session = string(in);
        String root = string(in);
        String platform = string(in);
        String cron = string(in);
        String sender = string(in);
        String provider = string(in);
        String model = string(in);
        String responseModel = string(in);
        TokenUsage usage = new TokenUsage(in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong());
        boolean estimated = in.get() != 0;
        long cost = in.getLong();
        boolean priced = in.get() != 0;
        String priceEntry = string(in);
        long latency = in.getLong();
        CallOrigin origin = null;
        if (in.get() != 0) {
            origin = new CallOrigin(string(in), string(in), string(in), string(in), in.getLong(), in.get() != 0);
        }
        Instant reportedAt = in.get() != 0 ? Instant.ofEpochSecond(in.getLong(), in.getInt()) : null;
        boolean provisional = in.get() != 0;
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes");
        }
        return new LlmCall(eventId, ts, session, root, platform, cron, sender, provider, model, responseModel, usage, estimated,
                cost, priced, priceEntry, latency, origin, reportedAt, provisional);
    }

    private static String string(ByteBuffer in) {
        int n = in.getInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("bad string length");
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
        in.position(in.position() + n);
        return s;
    }
}
