package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hook the daemon acknowledged is recorded, once, whichever side is SIGKILLed: the real bridge in
 * python3 sends calls to a real daemon JVM and prints each one it got an answer for.
 */
class KillDurabilityTest {
    private static final int CALLS = 120;

    @Test
    void killingTheDaemonLosesNothingAcknowledgedAndCountsNothingTwice(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("plutus");
        Path plugin = BridgeDriverFixture.install(tmp, home);
        List<String> acked = new ArrayList<>();
        List<String> spooled = new ArrayList<>();
        try (DaemonProcess daemon = DaemonProcess.start(home, tmp.resolve("daemon.log"))) {
            Process driver = BridgeDriverFixture.driver("ack_driver.py", plugin, CALLS);
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    String[] w = line.split(" ");
                    (w[0].equals("ack") ? acked : spooled).add(w[1]);
                    if (acked.size() == 40 && spooled.isEmpty() && daemonAlive(daemon)) {
                        daemon.kill();   // SIGKILL mid-stream: no shutdown hook, nothing flushed
                    }
                }
            }
            assertTrue(driver.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, driver.exitValue());
        }
        assertEquals(CALLS, acked.size() + spooled.size());
        assertTrue(acked.size() >= 40 && !spooled.isEmpty(), "the kill happened mid-stream: " + acked.size() + " acknowledged");
        // A new daemon replays the spool at start; then every call is in the store exactly once.
        try (DaemonProcess again = DaemonProcess.start(home, tmp.resolve("daemon2.log"))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long replayed = 0;
            while (replayed < spooled.size() && System.nanoTime() < deadline) {
                replayed = DaemonStatusClient.fetch(again.info(), AccessToken.read(home.resolve("daemon.token")))
                        .path("spool").path("replayed").asLong();
                Thread.sleep(100);
            }
            assertEquals(spooled.size(), replayed, "the restarted daemon replayed the spool");
        }
        BridgeDriverFixture.assertStoredOnce(home, CALLS, acked, spooled);
    }

    @Test
    void killingTheBridgeLosesNothingAcknowledgedAndCountsNothingTwice(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("plutus");
        Path plugin = BridgeDriverFixture.install(tmp, home);
        List<String> acked = new ArrayList<>();
        try (DaemonProcess daemon = DaemonProcess.start(home, tmp.resolve("daemon.log"))) {
            Process driver = BridgeDriverFixture.driver("ack_driver.py", plugin, 100_000);
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    String[] w = line.split(" ");
                    assertEquals("ack", w[0], "the daemon is up: nothing is spooled");
                    acked.add(w[1]);
                    if (acked.size() == 60) {
                        driver.toHandle().destroyForcibly();   // SIGKILL the Hermes side mid-stream (streams left open)
                    }
                }
            }
            assertTrue(driver.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(acked.size() >= 60 && acked.size() < 100_000, acked.size() + " acknowledged");
        // The call in flight when the bridge died may or may not have reached the daemon; none is counted twice.
        long stored = BridgeDriverFixture.assertStoredOnce(home, -1, acked);
        assertTrue(stored <= acked.size() + 1, stored + " stored for " + acked.size() + " acknowledged");
    }

    private static boolean daemonAlive(DaemonProcess d) {
        return ProcessHandle.of(d.pid()).map(ProcessHandle::isAlive).orElse(false);
    }
}
