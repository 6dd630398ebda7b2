package dev.plutus.http;

import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plutus.config.AtomicFiles;
import dev.plutus.hermes.HookDispatcher;
import dev.plutus.hermes.HookDispatcher.ReplayOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.stream.Stream;

/**
 * Replays hook events the bridge spooled while the daemon was unreachable. The bridge appends one
 * JSON line per event ({@code {"event": …, "kwargs": …}}) to {@code spool/<name>.jsonl}. Each pass
 * first claims new files by renaming them to {@code .replaying} (later appends then start a new
 * file), and replays files claimed on an earlier pass, so a bridge that was mid-append when the
 * file was renamed has long finished. Events carry ids, so replaying one twice records it once.
 * A line that cannot be used is moved to {@code rejected.jsonl} with the reason; a store failure
 * keeps the rest of the file for the next pass.
 */
final class SpoolReplayer {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolReplayer.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final String CLAIMED = ".replaying";

    private final Path dir;
    private final HookDispatcher hooks;
    private final DaemonStatus status;

    SpoolReplayer(Path dir, HookDispatcher hooks, DaemonStatus status) {
        this.dir = dir;
        this.hooks = hooks;
        this.status = status;
    }

    /** Replays what earlier passes claimed, then claims what arrived since. Returns events replayed. */
    synchronized int runOnce() {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int replayed = 0;
        try {
            for (Path claimed : list(CLAIMED)) {
                replayed += replay(claimed);
            }
            for (Path fresh : list(".jsonl")) {
                if (fresh.getFileName().toString().equals("rejected.jsonl")) {
                    continue;
                }
                Files.move(fresh, fresh.resolveSibling(fresh.getFileName() + "." + System.nanoTime() + CLAIMED));
            }
        } catch (IOException e) {
            LOG.warn("spool replay in {} failed: {}", dir, e.getMessage(), e);
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

    private int replay(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int done = 0;
        int setAside = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String problem;
            JsonNode n;
            try {
                n = JSON.readTree(line);
                problem = n.hasNonNull("event") && n.path("event").isTextual() ? null : "no event name";
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                n = null;
                problem = "not JSON (" + e.getOriginalMessage() + ")";
            }
            if (problem == null) {
                ReplayOutcome outcome = hooks.replay(n.get("event").asText(), n.get("kwargs"));
                if (outcome == ReplayOutcome.RETRY) {
                    // Keep this event and the rest for the next pass; what was stored stays stored.
                    AtomicFiles.write(file, String.join("\n", lines.subList(i, lines.size())) + "\n");
                    status.replayed(done, setAside);
                    return done;
                }
                if (outcome == ReplayOutcome.REJECTED) {
                    problem = "the event was malformed (see plutus.log)";
                }
            }
            if (problem != null) {
                setAside++;
                reject(file, i + 1, line, problem);
            } else {
                done++;
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

    private void reject(Path file, int lineNo, String line, String problem) throws IOException {
        LOG.warn("spool {} line {}: {}; moved to rejected.jsonl", file.getFileName(), lineNo, problem);
        var o = JSON.createObjectNode().put("file", file.getFileName().toString()).put("line", lineNo)
                .put("problem", problem).put("raw", line);
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
