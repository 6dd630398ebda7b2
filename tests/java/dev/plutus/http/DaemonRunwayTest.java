package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.plutus.TestSupport;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon runs the balancer itself on its schedule and answers /runway for the bridge. */
@org.junit.jupiter.api.Tag("store")
class DaemonRunwayTest {

    @Test
    void scheduledRunRoutesHermesAndRunwayCommandAnswers(@TempDir Path home, @TempDir Path hermes) throws Exception {
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        Map<String, String> bodies = Map.of("/ds/user/balance",
                Files.readString(TestSupport.fixtures().resolve("providers/deepseek-user-balance-usd-cny.json")),
                "/ds/models", Files.readString(TestSupport.fixtures().resolve("providers/deepseek-models.json")));
        fake.createContext("/", ex -> {
            try (ex) {
                byte[] b = bodies.getOrDefault(ex.getRequestURI().getPath(), "{}").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(bodies.containsKey(ex.getRequestURI().getPath()) ? 200 : 404, b.length);
                ex.getResponseBody().write(b);
            }
        });
        fake.start();
        try {
            Files.copy(TestSupport.hermesFixture("config.example.yaml"), hermes.resolve("config.yaml"));
            Files.writeString(home.resolve("runway.yaml"), """
                    hermes_home: %s
                    router: {apply: true}
                    providers:
                      deepseek: {base_url: http://127.0.0.1:%d/ds, flagship: deepseek-reasoner, fast: deepseek-chat}
                    """.formatted(hermes, fake.getAddress().getPort()));
            try (DaemonHarness d = DaemonHarness.in(home).env(Map.of("DEEPSEEK_API_KEY", "sk-ds"))
                    .options(new ServeOptions("127.0.0.1", 0, 4, Duration.ZERO)).start()) {
                Path cfg = hermes.resolve("config.yaml");
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (!Files.readString(cfg).contains("default: deepseek-reasoner") && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                String routed = Files.readString(cfg);
                assertTrue(routed.contains("  default: deepseek-reasoner") && routed.contains("delegation:\n  provider: deepseek "), routed);
                HttpResponse<String> r = DaemonTest.post(d, "/commands/runway", "", DaemonTest.token(home));
                assertEquals(200, r.statusCode());
                assertTrue(r.body().contains("deepseek") && r.body().contains("$12.50"), r.body());
                String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(d.info().baseUrl() + "/metrics")).header("Authorization", "Bearer " + d.readToken()).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("plutus_runway_remaining_usd{provider=\"deepseek\",source=\"live\"} 12.500000\n"), metrics);
                HttpResponse<String> j = DaemonTest.post(d, "/commands/runway?format=json", "refresh", DaemonTest.token(home));
                assertEquals("deepseek", TestSupport.JSON.readTree(j.body()).path("providers").get(0).path("provider").asText());
            }
        } finally {
            fake.stop(0);
        }
    }
}
