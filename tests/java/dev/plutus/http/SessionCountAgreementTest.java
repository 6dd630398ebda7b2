package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.TestSupport;
import dev.plutus.core.CallEvent;
import dev.plutus.core.TokenUsage;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One definition of "Sessions" everywhere: a session with a model call in the range. /stats (the
 * CLI's answer through the daemon) and the dashboard's /api/explore count the same sessions on the
 * same data; a session that only ended in the range is in the success rate, not in the count.
 */
@org.junit.jupiter.api.Tag("store")
class SessionCountAgreementTest {
    @Test
    void statsAndExploreCountTheSameSessions(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("budget.yaml", "budgets: {}\ntimezone: UTC\n").start()) {
            record(d, "a", "2026-03-10T09:00:00Z", "s1");                  // started and spent on the 10th
            record(d, "b", "2026-03-09T20:00:00Z", "s2");                  // started on the 9th ...
            record(d, "c", "2026-03-10T10:00:00Z", "s2");                  // ... and spent on the 10th
            record(d, "d", "2026-03-09T10:00:00Z", "s3");                  // spent on the 9th only ...
            d.plutus().sessions().end("s3", "ok", Instant.parse("2026-03-10T01:00:00Z"), "done"); // ... and ended on the 10th

            DaemonCommandClient.Answer stats = DaemonCommandClient.run(d.info(), AccessToken.read(home.resolve("daemon.token")), "stats",
                    "from 2026-03-10 to 2026-03-10", true);
            JsonNode sessions = TestSupport.JSON.readTree(stats.body()).path("sessions");
            HttpResponse<String> r = d.get("/api/explore?from=2026-03-10&to=2026-03-10", d.readToken());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode explore = TestSupport.JSON.readTree(r.body()).path("sessions");

            assertEquals(2, sessions.path("sessions").asInt(), "s1 and s2 made calls on the 10th: " + sessions);
            assertEquals(sessions.path("sessions").asInt(), explore.path("count").asInt(), "stats " + sessions + " vs explore " + explore);
            assertEquals(1, sessions.path("ended").asInt(), "s3 ended on the 10th: its outcome counts there: " + sessions);
            assertEquals(1, sessions.path("ok").asInt(), sessions.toString());
        }
    }

    private static void record(DaemonHarness d, String id, String at, String session) {
        d.plutus().recorder().record(new CallEvent(id, Instant.parse(at), session, "cli", "openai", "gpt-4.1", null,
                new TokenUsage(1000, 200, 0, 0, 0, 0), false, 900, new BigDecimal("0.10")));
    }
}
