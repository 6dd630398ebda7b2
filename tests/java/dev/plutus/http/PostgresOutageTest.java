package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.plutus.engine.EngineConfig;
import dev.plutus.core.HomeLayout;
import dev.plutus.TestSupport;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon that loses its PostgreSQL database answers 503 (so the bridge spools and applies its
 * fail_mode), and replays the spool into the database once it is back.
 */
class PostgresOutageTest {

    @Test
    void aHostThatLosesTheDatabaseSpoolsThenCatchesUp(@TempDir Path home) throws Exception {
        Optional<Map<String, String>> env = TestSupport.postgresHome(home);
        assumeTrue(env.isPresent(), "no PostgreSQL test server (PLUTUS_TEST_PG_URL): .ci/postgres starts one");
        String admin = System.getenv("PLUTUS_TEST_PG_URL").replace("user=plutus&password=plutus", "user=postgres");
        try (DaemonHarness d = DaemonHarness.on(home,
                EngineConfig.builder(new HomeLayout(home)).clock(Clock.systemUTC()).environment(env.get()).build())) {
            String token = DaemonTest.token(home);
            assertEquals(200, DaemonTest.post(d, "/hooks/post_api_request",
                    DaemonTest.freshCall("post_api_request-anthropic-cache.json").toString(), token).statusCode());
            try (Connection c = DriverManager.getConnection(admin); Statement st = c.createStatement()) {
                // The database goes away for this host: no new logins, and its open connections are cut.
                st.execute("ALTER ROLE plutus NOLOGIN");
                st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'plutus'");
            }
            String lost = DaemonTest.freshCall("post_api_request-deepseek-reasoning.json").toString();
            HttpResponse<String> r;
            try {
                r = DaemonTest.post(d, "/hooks/post_api_request", lost, token);
            } finally {
                try (Connection c = DriverManager.getConnection(admin); Statement st = c.createStatement()) {
                    st.execute("ALTER ROLE plutus LOGIN");
                }
            }
            assertEquals(503, r.statusCode(), r.body());
            // What the bridge does with a 503: the event goes to the spool, and the daemon replays it.
            Files.createDirectories(home.resolve("spool"));
            Files.writeString(home.resolve("spool").resolve("bridge-1.jsonl"),
                    "{\"event\":\"post_api_request\",\"kwargs\":" + lost + "}\n", StandardCharsets.UTF_8);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline) {
                try {
                    d.daemon().replaySpoolNow();
                    if (d.plutus().calls().count() >= 2) {
                        break;
                    }
                } catch (dev.plutus.store.StoreException reconnecting) {
                    // the pool still hands out connections the outage cut; each is dropped after one failure
                }
                Thread.sleep(200);
            }
            assertEquals(2, d.plutus().calls().count(), "the spooled call reached the database once it was back");
        }
    }
}
