package dev.plutus.hermes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestSupport;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the bridge's Python unit tests (tests/python, standard-library unittest) as part of the build. */
class BridgePythonTest {
    @Test
    void bridgeUnitTestsPass() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("python3", "-m", "unittest", "discover", "-s", "tests/python", "-v")
                .redirectErrorStream(true);
        pb.environment().put("PLUTUS_FIXTURES_DIR", TestSupport.fixtures().toAbsolutePath().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "python tests did not finish");
        System.out.println(out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("OK"), out);
        assertTrue(out.matches("(?s).*Ran [1-9]\\d* tests.*"), out);
    }
}
