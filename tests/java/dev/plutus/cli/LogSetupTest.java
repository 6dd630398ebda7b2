package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plutus.core.HomeLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** plutus.log as the CLI and daemon write it: real files in a temp dir, real concurrent writers. */
class LogSetupTest {
    /** Fails on a second object in one line, which a plain readTree would skip. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @TempDir
    Path dir;

    @AfterEach
    void backToConsole() {
        LogSetup.toConsole(); // this JVM's later tests must not log into a deleted temp dir
    }

    @Test
    void recordsLandInPlutusLogAsJsonLines() throws IOException {
        HomeLayout home = new HomeLayout(dir.resolve("home"));
        LogSetup.toFile(home);

        LoggerFactory.getLogger("dev.plutus.test.Slf4j").warn("spent {} of {}", "$3", "$5", new IllegalStateException("over"));
        LoggerFactory.getLogger("dev.plutus.test.Slf4j").debug("below INFO: not written");
        java.util.logging.Logger.getLogger("dev.plutus.test.Jul").info("from java.util.logging");

        List<JsonNode> records = records(home.logFile());
        assertEquals(2, records.size(), records.toString());
        JsonNode warn = records.get(0);
        assertEquals("WARN", warn.get("level").asText());
        assertEquals("dev.plutus.test.Slf4j", warn.get("loggerName").asText());
        assertEquals("spent $3 of $5", warn.get("formattedMessage").asText());
        assertEquals("java.lang.IllegalStateException", warn.get("throwable").get("className").asText());
        assertEquals("over", warn.get("throwable").get("message").asText());
        assertTrue(warn.get("timestamp").asLong() > 0);
        JsonNode jul = records.get(1);
        assertEquals("INFO", jul.get("level").asText());
        assertEquals("dev.plutus.test.Jul", jul.get("loggerName").asText());
        assertEquals("from java.util.logging", jul.get("formattedMessage").asText());
    }

    @Test
    void newLogFilesAreOwnerOnly() throws IOException {
        HomeLayout home = new HomeLayout(dir.resolve("home"));
        LogSetup.toFile(home);
        LoggerFactory.getLogger("dev.plutus.test").info("first record creates the file");

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.logFile())));
        Path lock = home.logFile().resolveSibling("plutus.log.lock");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)));
    }

    @Test
    void aLogLeftOpenToOthersByAnOlderVersionBecomesOwnerOnly() throws IOException {
        HomeLayout home = new HomeLayout(dir.resolve("old-home"));
        Files.createDirectories(home.dir());
        Files.writeString(home.logFile(), "{\"ts\":\"2026-01-01T00:00:00Z\",\"msg\":\"an older version's line\"}\n");
        Files.setPosixFilePermissions(home.logFile(), PosixFilePermissions.fromString("rw-r--r--"));
        LogSetup.toFile(home);
        LoggerFactory.getLogger("dev.plutus.test").info("appended by this version");

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.logFile())));
        assertTrue(Files.readString(home.logFile()).startsWith("{\"ts\""), "the older lines are kept");
    }

    @Test
    void rotationKeepsAtMostMaxFilesHoldingTheNewestRecords() throws IOException {
        Path log = dir.resolve("plutus.log");
        LogSetup.toFile(log, 2_000, 3);
        org.slf4j.Logger logger = LoggerFactory.getLogger("dev.plutus.test.Rotation");
        for (int i = 0; i < 300; i++) {
            logger.info("record {}", i);
        }

        assertEquals(List.of("plutus.log", "plutus.log.1", "plutus.log.2", "plutus.log.lock"), fileNames());
        List<Integer> kept = new ArrayList<>();
        for (Path f : List.of(dir.resolve("plutus.log.2"), dir.resolve("plutus.log.1"), log)) {
            assertTrue(Files.size(f) <= 2_000, f + " is " + Files.size(f) + " bytes");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            records(f).forEach(r -> kept.add(Integer.parseInt(r.get("formattedMessage").asText().substring("record ".length()))));
        }
        assertTrue(kept.size() > 10, "kept " + kept);
        int first = kept.get(0);
        assertEquals(java.util.stream.IntStream.range(first, 300).boxed().toList(), kept, "the newest records, in order, none missing");
    }

    @Test
    void twoAppendersInOneProcessLoseNoRecordWhileRotating() throws Exception {
        Path log = dir.resolve("plutus.log");
        int perWriter = 1_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        List<LoggerContext> contexts = new ArrayList<>();
        for (String name : List.of("A", "B")) {
            LoggerContext context = new LoggerContext();
            context.setMDCAdapter(new LogbackMDCAdapter());
            SharedLogAppender appender = SharedLogAppender.open(log, 8_000, 1_000, LogSetup.jsonLines(context));
            appender.setContext(context);
            appender.setName("writer " + name);
            appender.start();
            Logger logger = context.getLogger("dev.plutus.test." + name);
            logger.addAppender(appender);
            contexts.add(context);
            writers.add(new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perWriter; i++) {
                    logger.info("{} {}", name, i);
                }
            }));
        }
        writers.forEach(Thread::start);
        go.countDown();
        for (Thread w : writers) {
            w.join(TimeUnit.SECONDS.toMillis(60));
        }
        contexts.forEach(LoggerContext::stop);

        assertEveryRecordOnceInOrder(Map.of("A", perWriter, "B", perWriter), 8_000);
    }

    @Test
    void twoProcessesLoseNoRecordWhileRotating() throws Exception {
        Path log = dir.resolve("plutus.log");
        int perWriter = 1_500;
        List<Process> processes = new ArrayList<>();
        for (String name : List.of("A", "B")) {
            processes.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), WriterProcess.class.getName(),
                    log.toString(), name, Integer.toString(perWriter))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("writer-" + name + ".out").toFile()).start());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(dir.resolve("ready-A")) && Files.exists(dir.resolve("ready-B"))) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Files.createFile(dir.resolve("go"));
        for (Process p : processes) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "writer still running");
            assertEquals(0, p.exitValue(), Files.readString(dir.resolve("writer-A.out")) + Files.readString(dir.resolve("writer-B.out")));
        }

        assertEveryRecordOnceInOrder(Map.of("A", perWriter, "B", perWriter), 12_000);
    }

    /**
     * Logs "NAME i" for i in [0, count) through LogSetup to the given file, rotating at 12 kB; starts
     * once the file "go" exists beside it, so that both writers run at the same time.
     */
    static final class WriterProcess {
        public static void main(String[] args) throws Exception {
            Path log = Path.of(args[0]);
            LogSetup.toFile(log, 12_000, 1_000);
            org.slf4j.Logger logger = LoggerFactory.getLogger("dev.plutus.test.Writer");
            Files.createFile(log.resolveSibling("ready-" + args[1]));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(log.resolveSibling("go")) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            for (int i = 0, n = Integer.parseInt(args[2]); i < n; i++) {
                logger.info("{} {}", args[1], i);
            }
        }
    }

    /**
     * Reads every log file, oldest first: each line parses whole, no file passes the size limit, and
     * each writer's records appear exactly once and in the order written.
     */
    private void assertEveryRecordOnceInOrder(Map<String, Integer> written, long maxFileBytes) throws IOException {
        List<Path> oldestFirst = new ArrayList<>();
        for (int n = 999; n >= 1; n--) {
            Path archive = dir.resolve("plutus.log." + n);
            if (Files.exists(archive)) {
                oldestFirst.add(archive);
            }
        }
        oldestFirst.add(dir.resolve("plutus.log"));
        assertTrue(oldestFirst.size() > 2, "rotated " + (oldestFirst.size() - 1) + " times");
        Map<String, List<Integer>> seen = new HashMap<>();
        for (Path f : oldestFirst) {
            assertTrue(Files.size(f) <= maxFileBytes, f + " is " + Files.size(f) + " bytes");
            for (JsonNode r : records(f)) {
                String[] parts = r.get("formattedMessage").asText().split(" ");
                seen.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
            }
        }
        for (var w : written.entrySet()) {
            assertEquals(java.util.stream.IntStream.range(0, w.getValue()).boxed().toList(), seen.get(w.getKey()),
                    "records of writer " + w.getKey());
        }
        assertEquals(written.keySet(), seen.keySet());
    }

    /** Every line of the file parsed as one JSON object; a torn or merged line fails here. */
    private static List<JsonNode> records(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(text.isEmpty() || text.endsWith("\n"), "last line of " + file + " is cut: " + text);
        List<JsonNode> records = new ArrayList<>();
        for (String line : text.lines().toList()) {
            JsonNode r = JSON.readTree(line);
            assertTrue(r.isObject() && r.has("level") && r.has("loggerName") && r.has("formattedMessage"), line);
            records.add(r);
        }
        return records;
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
