package dev.plutus.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** `plutus serve` in its own JVM, so tests can SIGKILL it like a real crash. */
final class DaemonProcess implements AutoCloseable {
    private final Process process;
    private final DaemonInfo info;

    private DaemonProcess(Process process, DaemonInfo info) {
        this.process = process;
        this.info = info;
    }

    static DaemonProcess start(Path home, Path log) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.plutus.cli.PlutusCli", "serve", "--port", "0",
                "--home", home.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
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

    DaemonInfo info() {
        return info;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: the daemon shuts down gracefully. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }
}
