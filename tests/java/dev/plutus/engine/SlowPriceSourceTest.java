package dev.plutus.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.plutus.core.HomeLayout;
import dev.plutus.pricing.LiteLlmCatalog;
import dev.plutus.pricing.OpenRouterCatalog;
import dev.plutus.pricing.PriceDownload;
import dev.plutus.pricing.PriceRefresher;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A price source that answers slowly or too much (issue 17, tester 17d): every fetch has a total
 * deadline and a size cap, and the daemon's refresh runs on its own thread, so a stuck fetch
 * never holds the budget.yaml / pricing.yaml reload.
 */
class SlowPriceSourceTest {
    private HttpServer server;
    private String base;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch dripStarted = new CountDownLatch(1);
    private final AtomicInteger dripsEnded = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        // Headers at once, then one byte every 200 ms until the test ends: no single read ever times out.
        server.createContext("/drip", ex -> {
            ex.sendResponseHeaders(200, 0);
            dripStarted.countDown();
            try (OutputStream out = ex.getResponseBody()) {
                out.write("{\"data\": [".getBytes(StandardCharsets.UTF_8));
                for (int i = 0; i < 1500 && !stop.get(); i++) {
                    out.write(' ');
                    out.flush();
                    Thread.sleep(200);
                }
            } catch (IOException | InterruptedException e) {
                // The client gave up: what the deadline is for.
            } finally {
                dripsEnded.incrementAndGet();
            }
        });
        // Says it will send 50 MB; sends nothing.
        server.createContext("/huge-declared", ex -> {
            ex.sendResponseHeaders(200, 50L << 20);
            ex.close();
        });
        // Sends 3 MiB chunked (no length given), more than the 1 MiB cap the test sets.
        server.createContext("/huge-chunked", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                byte[] block = new byte[64 * 1024];
                java.util.Arrays.fill(block, (byte) ' ');
                for (int i = 0; i < 48; i++) {
                    out.write(block);
                }
            } catch (IOException e) {
                // The client stopped reading at the cap.
            }
        });
        server.createContext("/api/v1/models", ex -> {
            byte[] b = Files.readAllBytes(Path.of("tests/fixtures/pricing/openrouter-models.json"));
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/litellm.json", ex -> {
            byte[] b = Files.readAllBytes(Path.of("tests/fixtures/pricing/litellm-model-prices.json"));
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        stop.set(true);
        server.stop(0);
    }

    private static final PriceDownload TWO_SECONDS = new PriceDownload(Duration.ofSeconds(2), 32L << 20);

    @Test
    void aDrippingAnswerFailsAtTheDeadlineSayingSo() {
        IOException e = assertThrows(IOException.class,
                () -> new OpenRouterCatalog(URI.create(base + "/drip"), TWO_SECONDS).download());
        assertTrue(e.getMessage().startsWith("the answer did not finish within 2 s"), e.getMessage());
        IOException l = assertThrows(IOException.class, () -> LiteLlmCatalog.fetch(URI.create(base + "/drip/models"), TWO_SECONDS));
        assertTrue(l.getMessage().startsWith("the answer did not finish within 2 s"), l.getMessage());
    }

    @Test
    void aRefreshFromADrippingSourceKeepsThePricesInForceAndSaysWhy(@TempDir Path home) {
        try (Engine engine = Engine.open(config(home).build())) {
            PriceRefresher refresher = new PriceRefresher(engine.config().home(), URI.create(base + "/drip"),
                    URI.create(base + "/drip/litellm"), Duration.ofDays(1), engine.meta(), engine.pricing(), TWO_SECONDS);
            PriceRefresher.Outcome.Fetched done = (PriceRefresher.Outcome.Fetched) refresher.refresh(engine.clock().instant(), true);
            assertEquals(PriceRefresher.Status.KEPT, done.openrouter().status());
            assertTrue(done.openrouter().problem().contains("could not fetch prices from OpenRouter (" + base
                    + "/drip): the answer did not finish within 2 s"), done.openrouter().problem());
            assertTrue(done.litellm().problem().contains("the answer did not finish within 2 s"), done.litellm().problem());
        }
    }

    @Test
    void anAnswerAboveTheCapIsRefusedBeforeItIsReadWhole() {
        IOException declared = assertThrows(IOException.class,
                () -> LiteLlmCatalog.fetch(URI.create(base + "/huge-declared"), PriceDownload.DEFAULT));
        assertEquals("the answer is larger than 32 MiB (the most a price list may be)", declared.getMessage());
        PriceDownload oneMiB = new PriceDownload(Duration.ofSeconds(60), 1L << 20);
        IOException chunked = assertThrows(IOException.class, () -> LiteLlmCatalog.fetch(URI.create(base + "/huge-chunked"), oneMiB));
        assertEquals("the answer is larger than 1 MiB (the most a price list may be)", chunked.getMessage());
    }

    @Test
    void todaysAnswersFitTheDefaultCapAndDeadline() throws Exception {
        String or = new OpenRouterCatalog(URI.create(base + "/api/v1")).download();
        assertEquals(Files.size(Path.of("tests/fixtures/pricing/openrouter-models.json")), or.getBytes(StandardCharsets.UTF_8).length);
        String lite = LiteLlmCatalog.fetch(URI.create(base + "/litellm.json"));
        assertEquals(Files.size(Path.of("tests/fixtures/pricing/litellm-model-prices.json")), lite.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void aPricingYamlEditIsInForceWhileTheDaemonsRefreshIsStuck(@TempDir Path home) throws Exception {
        EngineConfig config = config(home).openRouterBaseUrl(URI.create(base + "/drip")).litellmPricesUrl(null)
                .pricingRefreshFirstAfter(Duration.ofMillis(50)).build();
        try (Engine engine = Engine.open(config)) {
            engine.priceRefresher().setMode("auto");
            engine.startUpkeep();
            assertTrue(dripStarted.await(60, TimeUnit.SECONDS), "the daemon's refresh never asked for prices");
            Files.writeString(config.home().pricingFile(), "models:\n  slow-source-model:\n    input: 7\n    output: 9\n");
            boolean inForce = false;
            for (int i = 0; i < 300 && !inForce; i++) {
                inForce = engine.pricing().resolve("openai", "slow-source-model")
                        .map(e -> e.input().compareTo(new BigDecimal("7")) == 0).orElse(false);
                if (!inForce) {
                    Thread.sleep(100);
                }
            }
            assertTrue(inForce, "pricing.yaml was not reloaded while the price refresh was stuck");
            // The refresh was still waiting on the drip when the edit went into force.
            assertEquals(0, dripsEnded.get());
        }
    }

    private static EngineConfig.Builder config(Path home) {
        return EngineConfig.builder(new HomeLayout(home)).clock(Clock.systemUTC()).environment(Map.of());
    }
}
