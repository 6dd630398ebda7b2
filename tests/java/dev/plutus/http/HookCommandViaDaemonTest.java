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

    @Test
    void anEventTheDaemonGotButDidNotAnswerIsRecordedOnceWhenItIsHandledHereToo(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home);
             java.net.ServerSocket hung = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path info = home.resolve("daemon.json");
            DaemonInfo real = DaemonInfo.read(info).orElseThrow();
            new DaemonInfo(real.pid(), "127.0.0.1", hung.getLocalPort(), real.startedAt(), real.version(), null).write(info);
            // A daemon that reads the event and then gives no answer (as one stopped mid-request does).
            java.util.concurrent.CompletableFuture<String> received = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (java.net.Socket s = hung.accept()) {
                    java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        head.append((char) in.readByte());
                    }
                    int length = Integer.parseInt(java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)")
                            .matcher(head).results().findFirst().orElseThrow().group(1));
                    byte[] body = new byte[length];
                    in.readFully(body);
                    return new String(body, StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            com.fasterxml.jackson.databind.node.ObjectNode call = DaemonTest.freshCall("post_api_request-anthropic-cache.json");
            call.remove("api_request_id");   // no id of Hermes's own: only the stamped one tells a repeat apart
            var cli = dev.plutus.cli.PlutusCli.commandLine(new ByteArrayInputStream(call.toString().getBytes(StandardCharsets.UTF_8)));
            StringWriter err = new StringWriter();
            cli.setOut(new PrintWriter(new StringWriter(), true));
            cli.setErr(new PrintWriter(err, true));
            assertEquals(0, cli.execute("hook", "--home", home.toString(), "post_api_request"), err.toString());
            assertEquals(1, d.plutus().calls().count(), "handled here after the daemon gave no answer: " + err);
            String sent = received.get(30, java.util.concurrent.TimeUnit.SECONDS);
            // The daemon, resumed, now handles the event it had read: the same call, not a second one.
            assertEquals(200, d.post("/hooks/post_api_request", sent, d.token()).statusCode());
            assertEquals(1, d.plutus().calls().count(), sent);
        }
    }
}
