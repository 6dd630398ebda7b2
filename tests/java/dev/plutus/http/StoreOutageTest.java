package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store that fails never swallows an event: the daemon answers 503 (the bridge spools), the CLI spools, replay catches up. */
@org.junit.jupiter.api.Tag("store")
class StoreOutageTest {

    @Test
    void theDaemonAnswers503WhenItCannotStoreAnEvent(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            d.plutus().close(); // the database goes away under the running daemon
            HttpResponse<String> r = DaemonTest.post(d, "/hooks/post_api_request",
                    DaemonTest.freshCall("post_api_request-anthropic-cache.json").toString(), DaemonTest.token(home));
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("store unavailable", r.headers().firstValue("X-Plutus-Error").orElse(""));
        }
    }

    @Test
    @org.junit.jupiter.api.Tag("sqlite-file")
    void theHookCommandSpoolsWhatItCannotStoreAndTheDaemonReplaysIt(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("plutus.db")); // a directory where the database should be: the store cannot open
        String call = DaemonTest.freshCall("post_api_request-anthropic-cache.json").toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = dev.plutus.cli.PlutusCli.commandLine(new ByteArrayInputStream(call.getBytes(StandardCharsets.UTF_8)));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertEquals(0, cli.execute("hook", "--home", home.toString(), "post_api_request"), err.toString());
        assertEquals("{}", out.toString().strip(), "Hermes is told nothing is wrong");
        assertTrue(err.toString().contains("event spooled"), err.toString());
        try (var files = Files.list(home.resolve("spool"))) {
            assertEquals(1, files.count());
        }
        Files.delete(home.resolve("plutus.db"));
        try (DaemonHarness d = DaemonHarness.on(home,
                EngineConfig.builder(new HomeLayout(home)).clock(Clock.systemUTC()).environment(Map.of()).build())) {
            assertEquals(1, d.plutus().calls().count(), "replayed at start");
            assertEquals(TestSupport.hermesJson("post_api_request-anthropic-cache.json").path("api_request_id").asText(),
                    d.plutus().calls().recent(1).get(0).eventId().substring("api:".length()));
        }
    }
}
