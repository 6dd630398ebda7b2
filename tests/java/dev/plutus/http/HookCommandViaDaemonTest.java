package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plutus hook <event>} hands the event to the running daemon instead of opening the store itself. */
class HookCommandViaDaemonTest {
    @Test
    void theHookCommandIsAnsweredByTheRunningDaemon(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            String call = DaemonTest.freshCall("post_api_request-anthropic-cache.json").toString();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var cli = dev.plutus.cli.PlutusCli.commandLine(new ByteArrayInputStream(call.getBytes(StandardCharsets.UTF_8)));
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            assertEquals(0, cli.execute("hook", "--home", home.toString(), "post_api_request"), err.toString());
            assertEquals("{}", out.toString().strip());
            JsonNode status = TestSupport.JSON.readTree(d.get("/status", d.token()).body());
            assertEquals(1, status.path("requests").path("hook.post_api_request").asLong(), status.toString());
            assertEquals(1, d.plutus().calls().count());
        }
    }
}
