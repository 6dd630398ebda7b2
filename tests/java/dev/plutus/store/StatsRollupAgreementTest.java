package dev.plutus.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /stats reads whole hours from rollups and only the edges and the not-yet-rolled-up calls raw; over
 * random stores and random ranges (hour-aligned or not, inside one hour, partly rolled up, after a
 * purge) each answer equals a straight count or sum over the stored calls.
 */
@org.junit.jupiter.api.Tag("sqlite-file")
class StatsRollupAgreementTest {
    private static final long HOUR = 3_600_000L;
    private static final long START = Instant.parse("2026-11-10T00:17:00Z").toEpochMilli();
    private static final long SPAN = 10 * 24 * HOUR;
    private static final String[] MARKS = {"", "", "", " (maker price)", " (global price)", " (base model price)", " (price estimated)",
        " (odd"};

    @Test
    void sessionsAuxiliaryCallsFlaggedPricesAndTotalsEqualStraightSumsOverTheCalls(@TempDir Path dir) {
        for (long seed = 1; seed <= 3; seed++) {
            try (Database db = Database.open(dir.resolve("stats-" + seed + ".db"), 2)) {
                Jdbc jdbc = db.jdbc();
                Random r = new Random(seed);
                StatsQueries stats = new StatsQueries(jdbc);
                RollupStore rollups = new RollupStore(jdbc);
                fill(jdbc, r, 1_500);
                rollups.catchUp();
                fill(jdbc, r, 400);
                compare(jdbc, stats, r, "partly rolled up, seed " + seed);
                rollups.catchUp();
                compare(jdbc, stats, r, "rolled up, seed " + seed);
                rollups.purgeBefore(Instant.ofEpochMilli(START + 3 * 24 * HOUR + 1_234_567));
                fill(jdbc, r, 200);
                compare(jdbc, stats, r, "purged, seed " + seed);
            }
        }
    }

    private static void compare(Jdbc jdbc, StatsQueries stats, Random r, String when) {
        for (int i = 0; i < 60; i++) {
            long from = START - HOUR + (long) (r.nextDouble() * (SPAN + 2 * HOUR));
            if (r.nextInt(4) == 0) {
                from -= Math.floorMod(from, HOUR);
            }
            long length = switch (r.nextInt(4)) {
                case 0 -> r.nextInt((int) HOUR);
                case 1 -> (long) (r.nextDouble() * 3 * HOUR);
                default -> (long) (r.nextDouble() * 8 * 24 * HOUR);
            };
            long to = from + length;
            if (r.nextInt(4) == 0) {
                to -= Math.floorMod(to, HOUR);
            }
            to = Math.max(from, to);
            Instant f = Instant.ofEpochMilli(from);
            Instant t = Instant.ofEpochMilli(to);
            String range = when + ", [" + f + ", " + t + ")";

            StatsQueries.SessionTotals s = stats.sessions(f, t);
            long[] straight = jdbc.query("""
                    SELECT COUNT(*), COALESCE(SUM(CASE WHEN s.platform = 'subagent' THEN 1 ELSE 0 END), 0),
                           COALESCE(SUM(CASE WHEN s.status = 'running' THEN 1 ELSE 0 END), 0)
                    FROM (SELECT DISTINCT session_id FROM llm_calls WHERE ts >= ? AND ts < ? AND session_id IS NOT NULL) c
                    LEFT JOIN sessions s ON s.session_id = c.session_id""",
                    rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}, from, to).get(0);
            assertEquals(straight[0], s.sessions(), "sessions " + range);
            assertEquals(straight[1], s.subagents(), "subagents " + range);
            assertEquals(straight[2], s.running(), "running " + range);

            Map<String, long[]> aux = new TreeMap<>();
            jdbc.query("SELECT event_id, cost_micros FROM llm_calls WHERE ts >= ? AND ts < ?", rs -> {
                String id = rs.getString(1);
                if (id.regionMatches(true, 0, "aux:", 0, 4)) { // LIKE in SQLite ignores ASCII case
                    int end = id.indexOf(':', 4);
                    long[] a = aux.computeIfAbsent(end < 0 ? "other" : id.substring(4, end), k -> new long[2]);
                    a[0]++;
                    a[1] += rs.getLong(2);
                }
                return null;
            }, from, to);
            List<StatsQueries.AuxiliaryTotals> expectedAux = aux.entrySet().stream()
                    .map(e -> new StatsQueries.AuxiliaryTotals(e.getKey(), e.getValue()[0], e.getValue()[1]))
                    .sorted(Comparator.comparingLong(StatsQueries.AuxiliaryTotals::costMicros).reversed()).toList();
            assertEquals(expectedAux, stats.auxiliary(f, t), "auxiliary " + range);

            for (String mark : List.of(" (maker price)", " (global price)", " (base model price)", " (price estimated)", " (odd")) {
                List<StatsQueries.MarkedTotals> expected = new ArrayList<>();
                jdbc.query("""
                        SELECT provider, model, COUNT(*), SUM(cost_micros) FROM llm_calls
                        WHERE ts >= ? AND ts < ? AND substr(price_entry, -?) = ?
                        GROUP BY provider, model ORDER BY SUM(cost_micros) DESC, COUNT(*) DESC, provider, model""",
                        rs -> expected.add(new StatsQueries.MarkedTotals(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                                mark)), from, to, mark.length(), mark);
                assertEquals(expected, stats.pricedWithMark(mark, f, t), "marked '" + mark + "' " + range);
            }

            long[] total = jdbc.query("SELECT COUNT(*), COALESCE(SUM(cost_micros), 0), COALESCE(SUM(input_tokens), 0) FROM llm_calls"
                    + " WHERE ts >= ? AND ts < ?", rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}, from, to).get(0);
            long rolledUpBefore = jdbc.queryLong("SELECT COALESCE(SUM(calls), 0) FROM usage_hourly WHERE hour < ?",
                    Math.floorDiv(START + 3 * 24 * HOUR + 1_234_567, HOUR));
            if (rolledUpBefore == 0 || from >= START + 4 * 24 * HOUR) {
                // Totals also count purged calls from their rollups: compared where nothing was purged.
                UsageTotals u = stats.total(f, t);
                assertEquals(total[0], u.calls(), "calls " + range);
                assertEquals(total[1], u.costMicros(), "cost " + range);
                assertEquals(total[2], u.inputTokens(), "input tokens " + range);
            }
        }
        assertTrue(jdbc.queryLong("SELECT COUNT(*) FROM session_hours") > 0, "sessions were rolled up " + when);
    }

    private static int serial;

    private static void fill(Jdbc jdbc, Random r, int calls) {
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = "s-" + (serial++);
            sessions.add(id);
            String platform = r.nextInt(5) == 0 ? "subagent" : r.nextBoolean() ? "cli" : "telegram";
            jdbc.update("INSERT INTO sessions(session_id, platform, started_at, status) VALUES (?, ?, ?, ?)", id, platform,
                    START, r.nextInt(3) == 0 ? "running" : "ok");
        }
        for (int i = 0; i < calls; i++) {
            long ts = START + (long) (r.nextDouble() * SPAN);
            if (r.nextInt(10) == 0) {
                ts -= Math.floorMod(ts, HOUR);
            }
            String session = r.nextInt(12) == 0 ? null : sessions.get(r.nextInt(sessions.size()));
            String eventId = switch (r.nextInt(8)) {
                case 0 -> "aux:compression:" + (serial++);
                case 1 -> "aux:title_generation:" + (serial++);
                case 2 -> "aux:" + (serial++);
                case 3 -> "AUX:vision:" + (serial++);
                default -> "api:" + (serial++);
            };
            String provider = r.nextBoolean() ? "anthropic" : "openai";
            String model = provider.equals("anthropic") ? "claude-sonnet-4-5" : r.nextBoolean() ? "gpt-4.1" : "gpt-4.1-mini";
            jdbc.update("""
                    INSERT INTO llm_calls(event_id, ts, session_id, platform, provider, model, input_tokens, output_tokens,
                        cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, cost_micros, priced, price_entry,
                        estimated, latency_ms)
                    VALUES (?, ?, ?, 'cli', ?, ?, ?, 10, 0, 0, 0, 0, ?, 1, ?, 0, 5)""", eventId, ts, session, provider, model,
                    r.nextInt(5_000), r.nextInt(2_000_000), model + MARKS[r.nextInt(MARKS.length)]);
        }
    }
}
