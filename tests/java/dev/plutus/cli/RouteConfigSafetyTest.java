package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.plutus.TestEngine;
import dev.plutus.TestSupport;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `plutus route` and `route rollback` never lose a byte of config.yaml: CRLF, symlinks, half-saved files, later edits. */
@org.junit.jupiter.api.Tag("store")
class RouteConfigSafetyTest {
    @TempDir Path home;
    @TempDir Path hermes;
    HttpServer fake;
    String base;

    @BeforeEach
    void start() throws Exception {
        fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        Map<String, String> bodies = Map.of(
                "/ds/user/balance", RunwayCliTest.fixture("deepseek-user-balance-usd-cny.json"),
                "/ds/models", RunwayCliTest.fixture("deepseek-models.json"),
                "/ge/models", RunwayCliTest.fixture("gemini-models.json"));
        fake.createContext("/", ex -> {
            try (ex) {
                String body = bodies.getOrDefault(ex.getRequestURI().getPath(), "{\"error\":\"not found\"}");
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(bodies.containsKey(ex.getRequestURI().getPath()) ? 200 : 404, b.length);
                ex.getResponseBody().write(b);
            }
        });
        fake.start();
        base = "http://127.0.0.1:" + fake.getAddress().getPort();
        Files.writeString(hermes.resolve(".env"), "DEEPSEEK_API_KEY=sk-ds\nGEMINI_API_KEY=gm\n");
        Files.copy(TestSupport.hermesFixture("config.example.yaml"), hermes.resolve("config.yaml"));
        writeRunway(base);
    }

    void writeRunway(String ds) throws Exception {
        Files.writeString(home.resolve("runway.yaml"), """
                hermes_home: %s
                providers:
                  deepseek: {base_url: %s/ds, flagship: deepseek-reasoner, fast: deepseek-chat}
                  google: {kind: gemini, base_url: %s/ge, budget_usd: 100, flagship: gemini-2.5-pro, fast: gemini-2.5-flash}
                """.formatted(hermes, ds, base));
    }

    @AfterEach
    void stop() {
        fake.stop(0);
    }

    @Test
    void aCrlfConfigIsRoutedAndKeepsCrlf() throws Exception {
        Path config = hermes.resolve("config.yaml");
        Files.writeString(config, Files.readString(config).replace("\n", "\r\n"));
        PlutusCliTest.Result w = PlutusCliTest.run(home, "route");
        assertEquals(0, w.exit(), w.err());
        String routed = Files.readString(config);
        assertTrue(routed.contains("  default: gemini-2.5-pro"), routed);
        assertFalse(routed.replace("\r\n", "").contains("\n"), "every line still ends in CRLF");
    }

    @Test
    void aClosedPortIsRefusedWithTheRealReason() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        writeRunway("http://127.0.0.1:" + closed);
        PlutusCliTest.Result w = PlutusCliTest.run(home, "route", "--dry-run");
        // The unreachable provider is left out of the plan (the other one is routed to), with the real reason.
        String said = w.out() + w.err();
        assertTrue(said.contains("cannot reach 127.0.0.1:" + closed + ": connection refused"), said);
        assertFalse(said.contains(": null"), said);
    }

    @Test
    void aSymlinkedConfigIsWrittenThroughAndRollbackKeepsTheLink() throws Exception {
        Path dotfiles = Files.createDirectories(home.resolve("dotfiles"));
        Path real = dotfiles.resolve("hermes-config.yaml");
        Path link = hermes.resolve("config.yaml");
        Files.move(link, real);
        Files.createSymbolicLink(link, real);
        String original = Files.readString(real);
        PlutusCliTest.Result w = PlutusCliTest.run(home, "route");
        assertEquals(0, w.exit(), w.err());
        assertTrue(Files.isSymbolicLink(link), "config.yaml is still a link");
        assertTrue(Files.readString(real).contains("  default: gemini-2.5-pro"), "the routing went into the file the link points at");
        PlutusCliTest.Result rb = PlutusCliTest.run(home, "route", "rollback");
        assertEquals(0, rb.exit(), rb.err());
        assertTrue(Files.isSymbolicLink(link), "still a link after rollback");
        assertEquals(original, Files.readString(real));
    }

    @Test
    void anEmptyOrHalfSavedConfigIsRefusedNotRouted() throws Exception {
        Path config = hermes.resolve("config.yaml");
        String whole = Files.readString(config);
        PlutusCliTest.Result first = PlutusCliTest.run(home, "route");
        assertEquals(0, first.exit(), first.err());
        String routed = Files.readString(config);
        Files.writeString(config, "");
        PlutusCliTest.Result empty = PlutusCliTest.run(home, "route");
        assertEquals(3, empty.exit(), empty.out());
        assertTrue(empty.err().contains("is empty"), empty.err());
        assertEquals("", Files.readString(config), "an empty file is left as it is");
        String half = String.join("\n", routed.lines().limit(12).toList()) + "\n";
        Files.writeString(config, half);
        PlutusCliTest.Result truncated = PlutusCliTest.run(home, "route");
        assertEquals(3, truncated.exit(), truncated.out());
        assertTrue(truncated.err().contains("looks half-saved"), truncated.err());
        assertEquals(half, Files.readString(config), "a half-saved file is not routed");
        try (var files = Files.list(hermes)) {
            assertTrue(files.filter(f -> f.getFileName().toString().contains("plutus-bak")).allMatch(f -> f.toFile().length() > 0),
                    "no empty backup");
        }
        assertTrue(whole.length() > half.length());
    }

    @Test
    void rollbackRefusesOverLaterEditsWithTheDiffAndPausesTheAutomaticRouter() throws Exception {
        Path config = hermes.resolve("config.yaml");
        String original = Files.readString(config);
        assertEquals(0, PlutusCliTest.run(home, "route").exit());
        String routed = Files.readString(config);
        Files.writeString(config, routed.replace("compression:\n  enabled: true", "compression:\n  enabled: false"));
        PlutusCliTest.Result rb = PlutusCliTest.run(home, "route", "rollback");
        assertEquals(3, rb.exit(), rb.out());
        assertTrue(rb.err().contains("is no longer what Plutus wrote"), rb.err());
        assertTrue(rb.err().contains("-  enabled: false") && rb.err().contains("+  enabled: true"), "the diff shows the later edit: " + rb.err());
        assertTrue(Files.readString(config).contains("  enabled: false"), "the user's edit stays");
        Files.writeString(config, routed);
        Files.writeString(home.resolve("runway.yaml"), "router: {apply: true}\n" + Files.readString(home.resolve("runway.yaml")));
        PlutusCliTest.Result ok = PlutusCliTest.run(home, "route", "rollback");
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("paused until `plutus route resume --home " + dev.plutus.core.HomeLayout.shellQuoted(home.toString()) + "`"),
                "the hint names this home: " + ok.out());
        assertEquals(original, Files.readString(config));
        try (TestEngine p = TestEngine.open(TestSupport.config(home, Map.of()).build())) {
            var run = p.runway().runScheduled();
            assertEquals("dry-run", run.route().outcome(), "the automatic router does not re-apply what the user rolled back");
            assertEquals(original, Files.readString(config));
            assertTrue(p.runway().resume().contains("may write"), "resume says what it did");
            assertEquals("written", p.runway().runScheduled().route().outcome(), "resumed: it writes again");
        }
    }
}
