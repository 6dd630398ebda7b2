package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * post_api_request through the real bridge is journaled, not sent: the hook returns once its line is
 * written, and the daemon tails the journal. A call acknowledged that way is stored exactly once
 * whichever side is SIGKILLed, and a verdict asked for after it counts it.
 */
class JournalDurabilityTest {
    /** $0.00045 a call (100 input + 10 output tokens of claude-sonnet-4-6): the 20th call passes the limit. */
    private static final String BUDGET = "budgets:\n  global:\n    daily_usd: 0.0088\n";

    @Test
    void killingHermesMidStreamLosesNothingAcknowledgedAndVerdictsCountEveryEarlierCall(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("plutus");
        Path plugin = BridgeDriverFixture.install(tmp, home);
        Files.writeString(home.resolve("budget.yaml"), BUDGET);
        List<String> acked = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();
        try (DaemonProcess daemon = DaemonProcess.start(home, tmp.resolve("daemon.log"))) {
            Process driver = BridgeDriverFixture.driver("journal_driver.py", plugin, 100_000);
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    String[] w = line.split(" ", 2);
                    (w[0].equals("ack") ? acked : verdicts).add(w[1]);
                    if (acked.size() == 300) {
                        driver.toHandle().destroyForcibly();   // SIGKILL the Hermes side while it journals
                    }
                }
            }
            assertTrue(driver.waitFor(30, TimeUnit.SECONDS));
            awaitJournalsRetired(home);
            // The verdict after 10 calls ($0.0045) lets the tool run; after 20 ($0.009 of $0.0088) it is blocked:
            // the daemon counted the calls journaled microseconds before each question.
            assertEquals("null", verdicts.get(0), verdicts.toString());
            assertTrue(verdicts.get(1).contains("\"block\""), "the verdict after the 20th call counts it: " + verdicts.get(1));
        }
        long stored = BridgeDriverFixture.assertStoredOnce(home, -1, acked);
        // The line being written when Hermes died may or may not be whole; nothing is counted twice.
        assertTrue(stored == acked.size() || stored == acked.size() + 1, stored + " stored for " + acked.size() + " acknowledged");
        assertFalse(Files.exists(home.resolve("spool/rejected.jsonl")) && stored == acked.size() + 1,
                "a whole line is never also set aside");
    }

    @Test
    void killingTheDaemonMidTailLosesNothingAndARestartResumes(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("plutus");
        Path plugin = BridgeDriverFixture.install(tmp, home);
        int calls = 3_000;
        List<String> acked = new ArrayList<>();
        Process driver;
        try (DaemonProcess daemon = DaemonProcess.start(home, tmp.resolve("daemon.log"))) {
            driver = BridgeDriverFixture.driver("journal_driver.py", plugin, calls);
            BufferedReader lines = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                String[] w = line.split(" ", 2);
                if (w[0].equals("ack")) {
                    acked.add(w[1]);
                }
                if (acked.size() == 500 && ProcessHandle.of(daemon.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                    daemon.kill();   // SIGKILL mid-tail: the journal keeps growing without it
                }
            }
            assertTrue(driver.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, driver.exitValue());
        }
        assertEquals(calls, acked.size(), "with the daemon gone, post_api_request still returns: its line is written");
        try (DaemonProcess again = DaemonProcess.start(home, tmp.resolve("daemon2.log"))) {
            awaitJournalsRetired(home);
        }
        assertEquals(calls, BridgeDriverFixture.assertStoredOnce(home, -1, acked));
    }

    /** Waits (generously) until the daemon has read every journal and deleted it, its writer being gone. */
    private static void awaitJournalsRetired(Path home) throws Exception {
        Path dir = home.resolve("hook-journal");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.noneMatch(p -> p.getFileName().toString().endsWith(".jsonl") && !p.getFileName().toString().startsWith("."))) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("journals still in " + dir + " after 90 s");
    }
}
