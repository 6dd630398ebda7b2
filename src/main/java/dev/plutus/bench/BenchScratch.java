package dev.plutus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A benchmark's scratch directory, removed when the benchmark ends, and also when the JVM is stopped
 * (SIGTERM, Ctrl-C): then the processes this JVM started (a benchmark's daemon, its python driver) are
 * stopped first, since finally blocks do not run on a signal and a daemon left behind would serve a
 * deleted home forever.
 */
public final class BenchScratch implements AutoCloseable {
    private static final long CHILD_GRACE_SECONDS = 10;

    private final Path dir;
    private final Thread onShutdown;

    private BenchScratch(Path dir) {
        this.dir = dir;
        this.onShutdown = new Thread(() -> {
            stopChildren();
            delete(dir);
        }, "bench-scratch-cleanup");
    }

    /** A new temporary directory ({@code plutus-bench…}), cleaned up on exit or on a signal. */
    public static BenchScratch create() throws IOException {
        BenchScratch s = new BenchScratch(Files.createTempDirectory("plutus-bench"));
        Runtime.getRuntime().addShutdownHook(s.onShutdown);
        return s;
    }

    public Path dir() {
        return dir;
    }

    /** Asks each process this JVM started to stop (SIGTERM), and kills any still there after a grace period. */
    static void stopChildren() {
        List<ProcessHandle> children = ProcessHandle.current().children().toList();
        children.forEach(ProcessHandle::destroy);
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(CHILD_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (Exception stillThere) {
                child.destroyForcibly();
            }
        }
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            System.err.println("plutus bench: could not delete " + dir + ": " + e.getMessage());
        }
    }

    /** Deletes the directory now; the shutdown hook is no longer needed. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(onShutdown);
        } catch (IllegalStateException shuttingDown) {
            return; // the hook is running or about to: it deletes the directory
        }
        delete(dir);
    }
}
