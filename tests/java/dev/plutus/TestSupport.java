package dev.plutus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** Shared test helpers: fixtures from tests/fixtures, a settable clock, a Plutus in a temp dir. */
public final class TestSupport {
    public static final ObjectMapper JSON = new ObjectMapper();

    private TestSupport() {}

    /** The recorded fixtures under tests/fixtures (the build runs tests from the project root). */
    public static Path fixtures() {
        return Path.of(System.getProperty("plutus.fixtures.dir", "tests/fixtures"));
    }

    public static Path hermesFixture(String name) {
        return fixtures().resolve("hermes").resolve(name);
    }

    public static JsonNode hermesJson(String name) throws IOException {
        return JSON.readTree(Files.readString(hermesFixture(name)));
    }

    public record HookEvent(String hook, JsonNode kwargs) {}

    public static List<HookEvent> sequence(String name) throws IOException {
        List<HookEvent> out = new ArrayList<>();
        for (String line : Files.readAllLines(hermesFixture(name))) {
            if (!line.isBlank()) {
                JsonNode n = JSON.readTree(line);
                out.add(new HookEvent(n.get("hook").asText(), n.get("kwargs")));
            }
        }
        return out;
    }

    /** A clock tests move by hand. */
    public static final class MutableClock extends Clock {
        private volatile Instant now;
        private final ZoneId zone;

        public MutableClock(Instant now, ZoneId zone) {
            this.now = now;
            this.zone = zone;
        }

        public void set(Instant i) {
            now = i;
        }

        public void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId z) {
            return new MutableClock(now, z);
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    public static Plutus open(Path home, Clock clock) {
        return Plutus.open(PlutusConfig.builder(new PlutusHome(home)).clock(clock).build());
    }
}
