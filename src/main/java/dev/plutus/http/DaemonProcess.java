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
        cmd.addAll(JVM_OPTIONS);
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
