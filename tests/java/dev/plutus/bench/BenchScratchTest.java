package dev.plutus.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A benchmark stopped by SIGTERM leaves neither its child processes nor its scratch directory behind. */
class BenchScratchTest {

    /** A benchmark JVM: a scratch directory with a file in it and a long-lived child (as the hooks suite's daemon). */
    public static void main(String[] args) throws Exception {
        BenchScratch scratch = BenchScratch.create();
        Files.writeString(scratch.dir().resolve("daemon.out"), "serving\n");
        Process child = new ProcessBuilder("sleep", "600").start();
        System.out.println(scratch.dir() + " " + child.pid());
        System.out.flush();
        Thread.sleep(600_000);
    }

    @Test
    void aSigtermStopsTheChildAndDeletesTheScratchDirectory() throws Exception {
        Process bench = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), BenchScratchTest.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String[] line = new BufferedReader(new InputStreamReader(bench.getInputStream(), StandardCharsets.UTF_8)).readLine()
                    .split(" ");
            Path dir = Path.of(line[0]);
            ProcessHandle child = ProcessHandle.of(Long.parseLong(line[1])).orElseThrow();
            assertTrue(Files.isDirectory(dir));
            bench.destroy(); // SIGTERM, as `kill` sends
            assertTrue(bench.waitFor(60, TimeUnit.SECONDS), "the benchmark JVM exits");
            assertEquals(143, bench.exitValue(), "ended by the signal");
            child.onExit().get(60, TimeUnit.SECONDS);
            assertFalse(child.isAlive(), "its child is stopped");
            assertFalse(Files.exists(dir), "its scratch directory is deleted: " + dir);
        } finally {
            bench.destroyForcibly();
        }
    }

    @Test
    void closingDeletesTheDirectory() throws Exception {
        BenchScratch s = BenchScratch.create();
        Files.writeString(Files.createDirectories(s.dir().resolve("hooks/plutus")).resolve("plutus.db"), "x");
        s.close();
        assertFalse(Files.exists(s.dir()));
    }
}
