package dev.plutus;

import dev.plutus.core.HomeLayout;
import dev.plutus.engine.EngineConfig;
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

    /**
     * The system clock, failing on demand: while armed, {@link #instant()} throws a plain
     * {@link IllegalStateException} (not a store error) on threads whose name starts with one of
     * {@code threads} (every thread when none is given), so a fault lands on request handling only.
     */
    public static final class FaultyClock extends Clock {
        private final java.util.List<String> threads;
        private volatile boolean armed;

        public FaultyClock(String... threads) {
            this.threads = java.util.List.of(threads);
        }

        public void arm(boolean on) {
            armed = on;
        }

        @Override
        public ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId z) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            String me = Thread.currentThread().getName();
            if (armed && (threads.isEmpty() || threads.stream().anyMatch(me::startsWith))) {
                throw new IllegalStateException("the clock broke");
            }
            return Instant.now();
        }
    }

    /**
     * A Plutus on {@code home}: the SQLite file there, or, when the run sets {@code plutus.test.store}
     * to {@code postgres} (the second pass of mvn verify), a fresh schema on the PostgreSQL test server.
     */
    public static TestEngine open(Path home, Clock clock) {
        return TestEngine.open(config(home).clock(clock).build());
    }

    private static boolean hasStore(Path home) {
        try {
            return java.nio.file.Files.exists(home.resolve("plutus.yaml"))
                    && java.nio.file.Files.readString(home.resolve("plutus.yaml")).contains("store:");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@link #config(Path)} with {@code env} as the environment (plus what the store of this pass needs). */
    public static EngineConfig.Builder config(Path home, java.util.Map<String, String> env) {
        EngineConfig.Builder b = config(home);
        java.util.Map<String, String> all = new java.util.HashMap<>(env);
        if ("postgres".equals(System.getProperty("plutus.test.store"))) {
            all.put("PLUTUS_STORE_PASSWORD", "plutus");
        }
        return b.environment(all);
    }

    /**
     * Puts {@code home} on the store this test pass runs against before something other than
     * {@link #config} opens it (a daemon in its own process, a CLI command): on the PostgreSQL pass
     * its plutus.yaml names a fresh schema (the password comes from the pass's environment).
     */
    public static Path onTestStore(Path home) {
        config(home);
        return home;
    }

    /** A config builder on {@code home}, on the store this test pass runs against. */
    public static EngineConfig.Builder config(Path home) {
        EngineConfig.Builder b = EngineConfig.builder(new HomeLayout(home)).cronSessionIds(new dev.plutus.hermes.HermesSessionIds());
        if ("postgres".equals(System.getProperty("plutus.test.store")) && !hasStore(home)) {
            try {
                java.util.Map<String, String> env = postgresHome(home).orElseThrow(() -> new org.opentest4j.TestAbortedException(
                        "no PostgreSQL test server (PLUTUS_TEST_PG_URL): .ci/postgres starts one"));
                b.environment(env);
            } catch (org.opentest4j.TestAbortedException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        } else if ("postgres".equals(System.getProperty("plutus.test.store"))) {
            b.environment(java.util.Map.of("PLUTUS_STORE_PASSWORD", "plutus"));
        }
        return b;
    }

    /**
     * A fresh PostgreSQL schema for one test, named in a plutus.yaml written into {@code home}, or
     * empty when no test server is configured ({@code PLUTUS_TEST_PG_URL}, set by .ci/run). Returns
     * the environment the Plutus opened on that home needs (the password).
     */
    public static java.util.Optional<java.util.Map<String, String>> postgresHome(Path home) throws Exception {
        String url = System.getenv("PLUTUS_TEST_PG_URL");
        if (url == null || url.isBlank()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI must run the PostgreSQL tests: .ci/run starts a server and sets PLUTUS_TEST_PG_URL");
            }
            return java.util.Optional.empty();
        }
        String schema = "t_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        String base = url.substring(0, url.indexOf('?') < 0 ? url.length() : url.indexOf('?'));
        java.nio.file.Files.createDirectories(home);
        // Added to what a test already wrote there (its ingest: section, say).
        java.nio.file.Files.writeString(home.resolve("plutus.yaml"), "\nstore:\n  url: " + base + "?currentSchema=" + schema
                + "\n  user: plutus\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return java.util.Optional.of(java.util.Map.of("PLUTUS_STORE_PASSWORD", "plutus"));
    }
}
