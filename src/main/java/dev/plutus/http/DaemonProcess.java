package dev.plutus.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * `plutus serve` started in its own JVM (this JVM's classpath), for benchmarks that measure the
 * daemon's own memory and tests that SIGKILL it like a real crash.
 */
public final class DaemonProcess implements AutoCloseable {
    /** The daemon's JVM settings, as bin/plutus uses for `serve`: a small heap, the lean serial collector. */
    public static final java.util.List<String> JVM_OPTIONS = java.util.List.of("-Xms32m", "-Xmx160m", "-XX:+UseSerialGC",
            "-XX:MaxMetaspaceSize=128m", "-Xss512k");

    /**
     * The daemon's JVM settings for {@code home}: {@link #JVM_OPTIONS} with the heap grown to {@link #heapMiB} of its
     * database, as bin/plutus sizes it, so a large home's running totals fit (see docs/verdict-speed.md).
     */
    public static java.util.List<String> jvmOptions(Path home) {
        long bytes;
        try {
            bytes = java.nio.file.Files.size(home.resolve("plutus.db"));
        } catch (IOException | RuntimeException e) {
            bytes = 0;
        }
        long heap = heapMiB(bytes);
        return JVM_OPTIONS.stream().map(o -> o.startsWith("-Xmx") ? "-Xmx" + heap + "m" : o).toList();
    }

    /**
     * The daemon's heap for a database of {@code databaseBytes}: 160 MiB, plus 1 MiB for every 3 MiB of database. The
     * running totals (day, week, month and the minutes of the rolling windows of every scope with spend in the last 7
     * days) took 593 MiB after a full collection on a 10M-call home of 2.0 GB; this gives about 800 MiB there.
     */
    public static long heapMiB(long databaseBytes) {
        return 160 + Math.max(0, databaseBytes) / (3L << 20);
    }

    private final Process process;
    private final DaemonInfo info;

    private DaemonProcess(Process process, DaemonInfo info) {
        this.process = process;
        this.info = info;
    }

    public static DaemonProcess start(Path home, Path log) throws Exception {
        return start(home, log, java.util.Map.of());
    }

    /** With {@code env} added to the daemon's environment (a store password, say). */
    public static DaemonProcess start(Path home, Path log, java.util.Map<String, String> env) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions(home));
        cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), "dev.plutus.cli.PlutusCli", "serve",
                "--port", "0", "--home", home.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("plutus serve exited with " + p.exitValue() + "; see " + log);
            }
            Optional<DaemonInfo> info = DaemonInfo.read(home.resolve("daemon.json")).filter(i -> i.pid() == p.pid());
            if (info.isPresent() && healthy(info.get())) {
                return new DaemonProcess(p, info.get());
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IllegalStateException("plutus serve did not come up within 60 s; see " + log);
    }

    private static boolean healthy(DaemonInfo info) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(info.baseUrl() + "/healthz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public DaemonInfo info() {
        return info;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: the daemon shuts down gracefully. */
    public long pid() {
        return process.pid();
    }

    /** Resident memory of the daemon process (Linux /proc), in bytes; -1 where unknown. */
    public long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }
}
