package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plutus.config.ConfigException;
import dev.plutus.ingest.IngestSettings;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** plutus.yaml's http: section, the event rate of ingest:, and what the Host check lets through. */
class HttpSettingsTest {
    @Test
    void allowedHostsAreReadAndBadOnesNamedWithTheirLine() {
        assertEquals(Set.of("plutus.internal", "10.0.0.5"),
                HttpSettings.parse("http:\n  allowed_hosts: [plutus.internal, 10.0.0.5]\n", "plutus.yaml").allowedHosts());
        assertEquals(Set.of(), HttpSettings.parse("ingest:\n  tier: free\n", "plutus.yaml").allowedHosts());
        ConfigException e = assertThrows(ConfigException.class,
                () -> HttpSettings.parse("http:\n  allowed_hosts: [\"https://x.example/\"]\n", "plutus.yaml"));
        assertTrue(e.getMessage().startsWith("plutus.yaml:2"), e.getMessage());
        assertThrows(ConfigException.class, () -> HttpSettings.parse("http:\n  allowed_host: [x]\n", "plutus.yaml"));
        assertTrue(HttpSettings.parse("http:\n  behind_proxy: true\n", "plutus.yaml").behindProxy());
        assertFalse(HttpSettings.parse("http:\n  allowed_hosts: [x]\n", "plutus.yaml").behindProxy());
        ConfigException notABoolean = assertThrows(ConfigException.class, () -> HttpSettings.parse("http:\n  behind_proxy: yes please\n", "plutus.yaml"));
        assertTrue(notABoolean.getMessage().contains("behind_proxy must be true or false"), notABoolean.getMessage());
    }

    @Test
    void theHostCheckAnswersOwnNamesAndAddressesOnly() {
        HostCheck check = new HostCheck("127.0.0.1", Set.of("Plutus.Internal"));
        for (String ok : new String[] {"localhost", "LOCALHOST:8765", "localhost.", "127.0.0.1:8765", "[::1]:8765", "::1",
                "plutus.internal", "10.1.2.3:80", "[fe80::1]:8765", null}) {
            assertTrue(check.allows(ok), String.valueOf(ok));
        }
        for (String bad : new String[] {"evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "internal", ""}) {
            assertFalse(check.allows(bad), bad);
        }
    }

    @Test
    void theEventRateIsAnIngestSetting() {
        IngestSettings s = IngestSettings.parse("ingest:\n  rate_limit: {events_per_second: 100, event_burst: 5000}\n", "plutus.yaml");
        assertEquals(100, s.eventsPerSecond());
        assertEquals(5000, s.eventBurst());
        assertEquals(20_000, IngestSettings.defaults().eventsPerSecond());
        ConfigException e = assertThrows(ConfigException.class,
                () -> IngestSettings.parse("ingest:\n  rate_limit: {event_burst: 10}\n", "plutus.yaml"));
        assertTrue(e.getMessage().contains("one full batch"), e.getMessage());
    }

    @Test
    void theOtlpWrapperGraceIsAnIngestSettingWithARange() {
        assertEquals(java.time.Duration.ofSeconds(1), IngestSettings.defaults().otlp().wrapperGrace());
        assertEquals(64, IngestSettings.defaults().otlp().waitingExports());
        IngestSettings s = IngestSettings.parse("ingest:\n  otlp: {wrapper_grace: 250ms, waiting_exports: 8}\n", "plutus.yaml");
        assertEquals(java.time.Duration.ofMillis(250), s.otlp().wrapperGrace());
        assertEquals(8, s.otlp().waitingExports());
        assertEquals(java.time.Duration.ZERO, IngestSettings.parse("ingest:\n  otlp: {wrapper_grace: 0s}\n", "plutus.yaml").otlp().wrapperGrace(),
                "0 counts such spans at once");
        for (String[] bad : new String[][] {{"wrapper_grace: 6s", "wrapper_grace must be 0 to 5s"}, {"wrapper_grace: 1", "expected a duration"},
                {"waiting_exports: 0", "waiting_exports must be between 1 and 1000"}, {"waiting_exports: 1001", "between 1 and 1000"},
                {"grace: 1s", "unknown field"}}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> IngestSettings.parse("ingest:\n  otlp:\n    " + bad[0] + "\n", "plutus.yaml"), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
            assertTrue(e.getMessage().startsWith("plutus.yaml:3"), "names the line: " + e.getMessage());
        }
    }
}
