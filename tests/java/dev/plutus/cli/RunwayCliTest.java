package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.plutus.TestSupport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plutus runway / runway calibrate / route / route rollback as a user types them, against a local fake provider. */
@org.junit.jupiter.api.Tag("store")
class RunwayCliTest {
    @TempDir Path home;
    @TempDir Path hermes;
    HttpServer fake;

    @BeforeEach
    void start() throws Exception {
        fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        Map<String, String> bodies = Map.of(
                "/ds/user/balance", fixture("deepseek-user-balance-usd-cny.json"),
                "/ds/models", fixture("deepseek-models.json"),
                "/ge/models", fixture("gemini-models.json"));
        fake.createContext("/", ex -> {
            try (ex) {
                String body = bodies.getOrDefault(ex.getRequestURI().getPath(), "{\"error\":\"not found\"}");
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(bodies.containsKey(ex.getRequestURI().getPath()) ? 200 : 404, b.length);
                ex.getResponseBody().write(b);
            }
        });
        fake.start();
        String base = "http://127.0.0.1:" + fake.getAddress().getPort();
        Files.writeString(hermes.resolve(".env"), "DEEPSEEK_API_KEY=sk-ds\nGEMINI_API_KEY=gm\n");
        Files.copy(TestSupport.hermesFixture("config.example.yaml"), hermes.resolve("config.yaml"));
        Files.writeString(home.resolve("runway.yaml"), """
                hermes_home: %s
                providers:
                  deepseek: {base_url: %s/ds, flagship: deepseek-reasoner, fast: deepseek-chat}
                  google: {kind: gemini, base_url: %s/ge, budget_usd: 100, flagship: gemini-2.5-pro, fast: gemini-2.5-flash}
                """.formatted(hermes, base, base));
    }

    @AfterEach
    void stop() {
        fake.stop(0);
    }

    static String fixture(String name) {
        try {
            return Files.readString(TestSupport.fixtures().resolve("providers").resolve(name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void runwayTableJsonHtmlAndSnapshot() throws Exception {
        PlutusCliTest.Result t = PlutusCliTest.run(home, "runway");
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().contains("deepseek") && t.out().contains("$12.50") && t.out().contains("live"), t.out());
        assertTrue(t.out().contains("google") && t.out().contains("$100.00") && t.out().contains("estimate"), t.out());
        Path page = home.resolve("runway.html");
        PlutusCliTest.Result j = PlutusCliTest.run(home, "runway", "--json", "--snapshot", "--html", page.toString());
        assertEquals(0, j.exit(), j.err());
        JsonNode json = j.json();
        assertEquals(2, json.path("providers").size());
        assertEquals(1, json.path("providers").get(0).path("history").size(), "the snapshot is in the history");
        assertTrue(Files.readString(page).contains("<title>Plutus runway</title>"));
        PlutusCliTest.Result c = PlutusCliTest.run(home, "runway", "calibrate", "google=93.44");
        assertEquals(0, c.exit(), c.err());
        assertEquals("google: balance $93.44 + $0.00 recorded = budget $93.44 (runway.yaml says $100.00).\n", c.out());
        PlutusCliTest.Result bad = PlutusCliTest.run(home, "runway", "calibrate", "google=lots");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("'lots' is not a dollar amount"), bad.err());
    }

    @Test
    void routeDryRunThenWriteThenRollback() throws Exception {
        String original = Files.readString(hermes.resolve("config.yaml"));
        PlutusCliTest.Result dry = PlutusCliTest.run(home, "route", "--dry-run");
        assertEquals(0, dry.exit(), dry.err());
        assertTrue(dry.out().contains("Plan: primary gemini/gemini-2.5-pro, delegation deepseek/deepseek-chat"), dry.out());
        assertTrue(dry.out().contains("+  default: gemini-2.5-pro"), dry.out());
        assertEquals(original, Files.readString(hermes.resolve("config.yaml")));
        PlutusCliTest.Result w = PlutusCliTest.run(home, "route");
        assertEquals(0, w.exit(), w.err());
        assertTrue(w.out().contains("Wrote " + hermes.resolve("config.yaml")), w.out());
        PlutusCliTest.Result again = PlutusCliTest.run(home, "route");
        assertTrue(again.out().contains("already routes this way; nothing written"), again.out());
        PlutusCliTest.Result rb = PlutusCliTest.run(home, "route", "rollback");
        assertEquals(0, rb.exit(), rb.err());
        assertEquals(original, Files.readString(hermes.resolve("config.yaml")));
        Files.writeString(home.resolve("runway.yaml"), "providers:\n  deepseek: {flagship: x, fast: y, base_url: ftp://nope}\n");
        PlutusCliTest.Result broken = PlutusCliTest.run(home, "route");
        assertEquals(2, broken.exit());
        assertTrue(broken.err().contains("runway.yaml:2: providers.deepseek.base_url: expected an http(s) URL"), broken.err());
    }
}
