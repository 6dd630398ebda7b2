package dev.plutus.http;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plutus.hermes.HookDispatcher;
import dev.plutus.hermes.HookDispatcher.ReplayOutcome;
import dev.plutus.ingest.JsonProblem;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.stream.Stream;

/**
 * Replays hook events the bridge spooled while the daemon was unreachable. The bridge appends one
 * JSON line per event ({@code {"event": …, "kwargs": …}}) to {@code spool/<name>.jsonl}. Each pass
 * first claims new files by renaming them to {@code .replaying} (later appends then start a new
 * file), and replays files claimed on an earlier pass, so a bridge that was mid-append when the
 * file was renamed has long finished. Events carry ids, so replaying one twice records it once.
 * A line that cannot be used (not UTF-8, not JSON, not an event) is moved to {@code rejected.jsonl}
 * with the reason and its exact bytes; a store failure keeps the rest of the file for the next pass.
 * Files are read as a stream, one line at a time: a spool file may be far larger than the heap, and a
 * line longer than {@link #MAX_LINE_BYTES} is set aside with its bytes copied to {@code spool/oversized/}.
 * Each spool file is handled on its own: an entry that cannot be read (a directory or a dangling link
 * named like a spool file, a file the daemon may not read) is skipped and logged once, and every
 * other file is still replayed.
 */
final class SpoolReplayer {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolReplayer.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final String CLAIMED = ".replaying";
    /**
     * The longest spool line replayed: a line carries a hook's whole kwargs, which may exceed the 1 MiB
     * a hook request body may be, but a line is held in memory (bytes, text, JSON tree) while it is
     * replayed. A longer line is set aside, its bytes streamed to {@code spool/oversized/}.
     */
    static final int MAX_LINE_BYTES = 8 * 1024 * 1024;
    /** Where lines longer than {@link #MAX_LINE_BYTES} are kept, one file each. */
    static final String OVERSIZED = "oversized";

    private final Path dir;
    private final HookDispatcher hooks;
    private final DaemonStatus status;
    private final int maxLineBytes;
    /** Entries already reported as unusable, with the problem told: each is logged once, not every second. */
    private final Map<Path, String> reported = new HashMap<>();
    /** Set when the daemon stops: a pass in progress ends after its current line, the rest kept for the next daemon. */
    private volatile boolean stopping;

    SpoolReplayer(Path dir, HookDispatcher hooks, DaemonStatus status) {
        this(dir, hooks, status, MAX_LINE_BYTES);
    }

    SpoolReplayer(Path dir, HookDispatcher hooks, DaemonStatus status, int maxLineBytes) {
        this.dir = dir;
        this.hooks = hooks;
        this.status = status;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Ends replaying: a pass in progress stops after its current line and keeps the rest of its file, byte for
     * byte, for the next daemon; later passes do nothing. Without it a stopping daemon went on replaying for
     * seconds after its front had closed, holding the home's lock, so a restart was refused.
     */
    void stop() {
        stopping = true;
    }

    /** Replays what earlier passes claimed, then claims what arrived since. Returns events replayed. */
    synchronized int runOnce() {
        if (stopping || !Files.isDirectory(dir)) {
            return 0;
        }
        int replayed = 0;
        List<Path> claimed;
        List<Path> fresh;
        try {
            claimed = list(CLAIMED);
            fresh = list(".jsonl");
            reported.remove(dir);
        } catch (IOException e) {
            skip(dir, "cannot be listed (" + e.getMessage() + ")");
            return 0;
        }
        for (Path file : claimed) {
            if (usable(file)) {
                try {
                    replayed += replay(file);
                    reported.remove(file);
                } catch (IOException e) {
                    skip(file, "cannot be replayed now (" + e.getMessage() + "); tried again each pass");
                }
            }
        }
        for (Path file : fresh) {
            if (file.getFileName().toString().equals("rejected.jsonl") || !usable(file)) {
                continue;
            }
            try {
                Files.move(file, file.resolveSibling(file.getFileName() + "." + System.nanoTime() + CLAIMED));
                reported.remove(file);
            } catch (IOException e) {
                skip(file, "cannot be claimed for replay (" + e.getMessage() + ")");
            }
        }
        return replayed;
    }

    /** Claims and replays everything now: at start-up, when no bridge may still be writing to a claimed file. */
    synchronized int drainAtStart() {
        runOnce();
        return runOnce();
    }

    private List<Path> list(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    /** Only regular files are spool files; anything else with the name is left where it is. */
    private boolean usable(Path entry) {
        if (Files.isRegularFile(entry)) {
            return true;
        }
        skip(entry, Files.isDirectory(entry) ? "is a directory, not a spool file"
                : Files.isSymbolicLink(entry) ? "is a link to nothing readable" : "is not a regular file");
        return false;
    }

    private void skip(Path entry, String problem) {
        if (!problem.equals(reported.put(entry, problem))) {
            LOG.warn("spool entry {} {}; skipped, other spool files are still replayed", entry, problem);
        }
    }

    private int replay(Path file) throws IOException {
        int done = 0;
        int setAside = 0;
        try (SpoolLineReader lines = new SpoolLineReader(Files.newInputStream(file), maxLineBytes,
                dir.resolve(OVERSIZED), file.getFileName().toString())) {
            for (SpoolLine line = lines.next(); line != null; line = lines.next()) {
                if (line.oversized()) {
                    setAside++;
                    reject(file, line, "longer than the " + maxLineBytes + " bytes a spool line may hold ("
                            + line.length() + " bytes); its bytes are kept in " + OVERSIZED + "/" + line.sideFile().getFileName());
                    continue;
                }
                if (line.text() == null) {
                    setAside++;
                    reject(file, line, "not UTF-8 text (kept as raw_base64)");
                    continue;
                }
                if (line.text().isBlank()) {
                    continue;
                }
                String problem;
                JsonNode n;
                try {
                    n = JSON.readTree(line.text());
                    problem = n != null && n.hasNonNull("event") && n.path("event").isTextual() ? null : "no event name";
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    n = null;
                    problem = "not JSON: " + JsonProblem.describe(e, "line " + line.number());
                }
                if (problem == null) {
                    ReplayOutcome outcome = stopping ? ReplayOutcome.RETRY : hooks.replay(n.get("event").asText(), n.get("kwargs"));
                    if (outcome == ReplayOutcome.RETRY) {
                        // Keep this event and the rest for the next pass; what was stored stays stored.
                        keepRest(file, line, lines);
                        status.replayed(done, setAside);
                        return done;
                    }
                    if (outcome == ReplayOutcome.REJECTED) {
                        problem = "the event was malformed (see plutus.log)";
                    }
                }
                if (problem != null) {
                    setAside++;
                    reject(file, line, problem);
                } else {
                    done++;
                }
            }
        }
        Files.delete(file);
        status.replayed(done, setAside);
        if (done + setAside > 0) {
            LOG.info("replayed {} spooled hook events from {}{}", done, file.getFileName(),
                    setAside > 0 ? ", set aside " + setAside + " in rejected.jsonl" : "");
        }
        return done;
    }

    /**
     * Replaces {@code file} with {@code current} and every byte after it, streamed: a temp file in the
     * spool (a name no pass claims), synced, renamed over the file, so a crash leaves the old file or the new.
     */
    private void keepRest(Path file, SpoolLine current, SpoolLineReader lines) throws IOException {
        Path tmp = dir.resolve("." + file.getFileName() + ".rest");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch))) {
                out.write(current.bytes());
                out.write('\n');
                lines.remainderTo(out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void reject(Path file, SpoolLine line, String problem) throws IOException {
        LOG.warn("spool {} line {}: {}; moved to rejected.jsonl", file.getFileName(), line.number(), problem);
        var o = JSON.createObjectNode().put("file", file.getFileName().toString()).put("line", line.number())
                .put("problem", problem);
        if (line.oversized()) {
            // Too long to hold: the bytes went to a file of their own, exactly as the bridge wrote them.
            o.put("length", line.length()).put("raw_file", OVERSIZED + "/" + line.sideFile().getFileName());
        } else if (line.text() != null) {
            o.put("raw", line.text());
        } else {
            // Undecodable bytes are kept exactly, so nothing the bridge wrote is lost.
            o.put("raw", new String(line.bytes(), StandardCharsets.UTF_8))
                    .put("raw_base64", Base64.getEncoder().encodeToString(line.bytes()));
        }
        Path rejected = dir.resolve("rejected.jsonl");
        try {
            // The raw lines are usage records: owner-only, like the spool they came from.
            Files.createFile(rejected, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException kept) {
            // appended to below
        }
        Files.writeString(rejected, o + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}
