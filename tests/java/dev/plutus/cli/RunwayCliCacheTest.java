package dev.plutus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.TestSupport;
import dev.plutus.provider.FakeProviders;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `plutus runway` from a shell: each run is a new process, so its cache lives in the store; a token-costing probe needs --refresh. */
@org.junit.jupiter.api.Tag("store")
class RunwayCliCacheTest {
    @TempDir Path home;
    @TempDir Path hermes;
    FakeProviders fake;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeProviders();
        fake.fixture("/ds/user/balance", "deepseek-user-balance-usd-cny.json")
                .answer("/an/v1/messages", FakeProviders.headerBlock("anthropic-ratelimit-headers.txt", 1, "{}"));
        Files.writeString(hermes.resolve(".env"), "TEST18_DS_KEY=sk-ds\nTEST18_AN_KEY=sk-ant\n");
        Files.copy(TestSupport.hermesFixture("config.example.yaml"), hermes.resolve("config.yaml"));
        Files.writeString(home.resolve("runway.yaml"), """
                hermes_home: %s
                providers:
                  deepseek: {base_url: %s/ds, key_env: TEST18_DS_KEY}
                  anthropic: {base_url: %s/an, key_env: TEST18_AN_KEY, budget_usd: 50}
                  google: {kind: gemini, probe: false, key_env: TEST18_GE_KEY, budget_usd: 100}
                """.formatted(hermes, fake.base(""), fake.base("")));
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void plainRunwayUsesStoredAnswersAndNeverProbes() {
        PlutusCliTest.Result first = PlutusCliTest.run(home, "runway");
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("$12.50"), first.out());
        assertEquals(1, fake.hits("/ds/user/balance"));
        assertEquals(0, fake.hits("/an/v1/messages"), "no token spent without --refresh");

        PlutusCliTest.Result second = PlutusCliTest.run(home, "runway");
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.out().contains("$12.50"), second.out());
        assertEquals(1, fake.hits("/ds/user/balance"), "the first process's answer, from the store");

        PlutusCliTest.Result refreshed = PlutusCliTest.run(home, "runway", "--refresh");
        assertEquals(0, refreshed.exit(), refreshed.err());
        assertEquals(2, fake.hits("/ds/user/balance"));
        assertEquals(1, fake.hits("/an/v1/messages"));
        assertTrue(refreshed.out().contains("rate limits ok"), refreshed.out());

        PlutusCliTest.Result after = PlutusCliTest.run(home, "runway");
        assertTrue(after.out().contains("rate limits ok"), "the stored probe answer: " + after.out());
        assertEquals(1, fake.hits("/an/v1/messages"));
    }

    @Test
    void calibrateIsAllOrNothing() throws Exception {
        PlutusCliTest.Result bad = PlutusCliTest.run(home, "runway", "calibrate", "google=93.44", "nosuch=3");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("unknown provider 'nosuch'") && bad.err().contains("nothing calibrated"), bad.err());
        PlutusCliTest.Result shown = PlutusCliTest.run(home, "runway", "--json");
        assertTrue(shown.json().toString().contains("\"calibrated_at\":null"), shown.out());
        assertFalse(shown.out().contains("93.44"), shown.out());
    }
}
