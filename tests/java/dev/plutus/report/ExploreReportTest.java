package dev.plutus.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.store.ExploreQueries.Filter;
import dev.plutus.store.ExploreQueries.Slice;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dashboard's ranges in the budget zone, and buckets that add up to the totals they sit beside. */
class ExploreReportTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Instant NOW = Instant.parse("2026-03-10T09:30:00Z"); // 10:30 in Berlin

    @Test
    void todayIsTheCalendarDayInTheBudgetZoneAnd24hIsRolling() {
        ExploreReport.Range today = ExploreReport.Range.parse("today", null, null, NOW, BERLIN);
        assertEquals(Instant.parse("2026-03-09T23:00:00Z"), today.from(), "midnight in Berlin");
        assertEquals(NOW, today.to());
        ExploreReport.Range day = ExploreReport.Range.parse("24h", null, null, NOW, BERLIN);
        assertEquals(Instant.parse("2026-03-09T09:30:00Z"), day.from());
        assertTrue(day.hourly() && today.hourly());
        ExploreReport.Range week = ExploreReport.Range.parse(null, "2026-03-01", "2026-03-07", NOW, BERLIN);
        assertEquals(Instant.parse("2026-02-28T23:00:00Z"), week.from());
        assertEquals(Instant.parse("2026-03-07T23:00:00Z"), week.to(), "a date as 'to' includes that whole day");
        assertEquals(false, week.hourly());
        assertEquals(Instant.parse("2026-03-09T22:00:00Z"),
                ExploreReport.Range.parse(null, "2026-03-09T23:00", null, NOW, BERLIN).from(), "a local time is in the budget zone");
        assertEquals(Instant.parse("2026-03-09T23:00:00Z"),
                ExploreReport.Range.parse(null, "2026-03-09T23:00Z", null, NOW, BERLIN).from(), "an instant keeps its offset");
        assertEquals(NOW, ExploreReport.Range.parse(null, "2026-03-09", "2026-04-30", NOW, BERLIN).to(), "a range ends now at the latest");
    }

    @Test
    void badRangesAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExploreReport.Range.parse("1y", null, null, NOW, BERLIN))
                .getMessage().contains("today, 24h, 7d or 30d"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExploreReport.Range.parse(null, "yesterday", null, NOW, BERLIN))
                .getMessage().startsWith("from 'yesterday' is not a date"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExploreReport.Range.parse(null, null, "2026-03-01", NOW, BERLIN))
                .getMessage().contains("'to' needs a 'from'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExploreReport.Range.parse(null, "2026-03-05", "2026-03-01", NOW, BERLIN))
                .getMessage().contains("must be before"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExploreReport.Range.parse(null, "2024-01-01", null, NOW, BERLIN))
                .getMessage().contains("at most 400 days"));
    }

    @Test
    void hourBarsAreClippedToTheRangeAndAddUpToTheTotals() {
        ExploreReport.Range day = ExploreReport.Range.parse("24h", null, null, NOW, BERLIN);
        // The first slice starts before the range (its calls do not: the query starts at 'from'); it belongs to the first bar.
        List<Slice> slices = List.of(slice("2026-03-09T09:30:00Z", "anthropic", 2, 1_500_000), slice("2026-03-09T22:45:00Z", "deepseek", 1, 250_000),
                slice("2026-03-10T09:15:00Z", "anthropic", 1, 125_000), slice("2026-03-10T09:15:00Z", "deepseek", 3, 3));
        JsonNode o = ExploreReport.render(day, BERLIN, Filter.NONE, slices, List.of(), List.of(), 50);
        JsonNode buckets = o.path("buckets");
        assertEquals(25, buckets.size(), "10:30 yesterday to 10:30 today in Berlin: a part hour, 23 hours, a part hour");
        assertEquals(day.from().toString(), buckets.get(0).path("start").asText());
        assertEquals("2026-03-09T10:00:00Z", buckets.get(0).path("end").asText());
        assertEquals(NOW.toString(), buckets.get(24).path("end").asText());
        assertEquals(0, new BigDecimal("1.5").compareTo(buckets.get(0).path("cost_usd").decimalValue()));
        assertEquals(0, new BigDecimal("0.125003").compareTo(buckets.get(24).path("cost_usd").decimalValue()));
        assertEquals(0, new BigDecimal("0.125").compareTo(buckets.get(24).path("by_provider").path("anthropic").decimalValue()));
        BigDecimal sum = BigDecimal.ZERO;
        long calls = 0;
        for (JsonNode b : buckets) {
            sum = sum.add(b.path("cost_usd").decimalValue());
            calls += b.path("calls").asLong();
        }
        assertEquals(0, sum.compareTo(o.path("totals").path("cost_usd").decimalValue()));
        assertEquals(0, new BigDecimal("1.875003").compareTo(sum));
        assertEquals(7, calls);
        assertEquals(o.path("totals").path("calls").asLong(), calls);
        assertEquals("Europe/Berlin", o.path("zone").asText());

        JsonNode deepseek = ExploreReport.render(day, BERLIN, new Filter("deepseek", null, null, null), slices, List.of(), List.of(), 50);
        assertEquals(4, deepseek.path("totals").path("calls").asLong());
        assertEquals(2, deepseek.path("options").path("providers").size(), "the choices stay while a filter is on");
        assertEquals(1, deepseek.path("providers").size());
    }

    @Test
    void dayBarsFollowTheZoneAcrossDstAndHalfHourOffsets() {
        ExploreReport.Range dst = ExploreReport.Range.parse(null, "2026-03-29", "2026-03-29", Instant.parse("2026-04-02T00:00:00Z"), BERLIN);
        assertEquals(23, ExploreReport.render(dst, BERLIN, Filter.NONE, List.of(), List.of(), List.of(), 50).path("buckets").size(),
                "the day the clocks go forward has 23 hours");
        ZoneId kolkata = ZoneId.of("Asia/Kolkata");
        ExploreReport.Range week = ExploreReport.Range.parse(null, "2026-03-01", "2026-03-03", NOW, kolkata);
        // 23:45 UTC on the 1st is 05:15 on the 2nd in Kolkata.
        JsonNode o = ExploreReport.render(week, kolkata, Filter.NONE, List.of(slice("2026-03-01T23:45:00Z", "openai", 1, 10)), List.of(), List.of(), 50);
        assertEquals(3, o.path("buckets").size());
        assertEquals("2026-03-02", o.path("buckets").get(1).path("label").asText());
        assertEquals(1, o.path("buckets").get(1).path("calls").asLong());
        assertEquals("+05:30", ExploreReport.zoneName(ZoneId.of("+05:30")));
        assertEquals("UTC", ExploreReport.zoneName(ZoneId.of("Z")));
    }

    /**
     * A wall-clock time the clocks skip or show twice names no one instant: refused with the offsets to
     * use, in the very words {@code plutus stats --from} uses (one parser), never moved or guessed.
     */
    @Test
    void aTimeTheClocksSkipOrRepeatIsRefusedWithTheOffsetsToUse() {
        ZoneId newYork = ZoneId.of("America/New_York");
        Instant now = Instant.parse("2026-12-02T12:00:00Z");
        String gap = assertThrows(IllegalArgumentException.class,
                () -> ExploreReport.Range.parse(null, "2026-03-08T02:30", "2026-03-08T03:00", now, newYork)).getMessage();
        assertEquals("from '2026-03-08T02:30' does not exist in America/New_York: the clocks jump from 02:00 to 03:00 that day; give a time"
                + " outside the gap, or one with its offset (2026-03-08T03:00-04:00)", gap);
        String cli = assertThrows(IllegalArgumentException.class, () -> StatsRange.between("2026-03-08T02:30", "2026-03-08T03:00", now, newYork))
                .getMessage();
        assertEquals(cli, "--" + gap, "the CLI's words, for its option");
        String twice = assertThrows(IllegalArgumentException.class,
                () -> ExploreReport.Range.parse(null, "2026-11-01T01:30", null, now, newYork)).getMessage();
        assertEquals("from '2026-11-01T01:30' happens twice in America/New_York (the clocks go back that night); add the offset:"
                + " 2026-11-01T01:30-04:00 (the first) or 2026-11-01T01:30-05:00 (the second)", twice);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ExploreReport.Range.parse(null, "2026-11-01", "2026-11-01T01:15", now, newYork)).getMessage().startsWith("to '2026-11-01T01:15' happens twice"));
        ExploreReport.Range second = ExploreReport.Range.parse(null, "2026-11-01T01:30-04:00", "2026-11-01T01:30-05:00", now, newYork);
        assertEquals(Instant.parse("2026-11-01T05:30:00Z"), second.from(), "the offsets it names are taken");
        assertEquals(Instant.parse("2026-11-01T06:30:00Z"), second.to(), "one hour: from the first 01:30 to the second");
    }

    @Test
    void theHourTheClocksRepeatIsLabelledWithItsZoneEachTime() {
        ZoneId newYork = ZoneId.of("America/New_York");
        ExploreReport.Range day = ExploreReport.Range.parse(null, "2026-11-01", "2026-11-01", Instant.parse("2026-12-02T12:00:00Z"), newYork);
        JsonNode buckets = ExploreReport.render(day, newYork, Filter.NONE, List.of(slice("2026-11-01T05:10:00Z", "openai", 1, 10),
                slice("2026-11-01T06:10:00Z", "openai", 2, 20)), List.of(), List.of(), 50).path("buckets");
        assertEquals(25, buckets.size(), "the day the clocks go back has 25 hours");
        List<String> labels = new java.util.ArrayList<>();
        buckets.forEach(b -> labels.add(b.path("label").asText()));
        assertEquals(List.of("11-01 00:00", "11-01 01:00 EDT", "11-01 01:00 EST", "11-01 02:00"), labels.subList(0, 4));
        assertEquals(25, new java.util.HashSet<>(labels).size(), "every bar has its own label: " + labels);
        assertEquals(1, buckets.get(1).path("calls").asLong(), "01:10 EDT");
        assertEquals(2, buckets.get(2).path("calls").asLong(), "01:10 EST");
        ExploreReport.Range berlin = ExploreReport.Range.parse(null, "2026-10-25", "2026-10-25", Instant.parse("2026-12-02T12:00:00Z"), BERLIN);
        JsonNode eu = ExploreReport.render(berlin, BERLIN, Filter.NONE, List.of(), List.of(), List.of(), 50).path("buckets");
        assertEquals("10-25 02:00 CEST", eu.get(2).path("label").asText());
        assertEquals("10-25 02:00 CET", eu.get(3).path("label").asText());
    }

    private static Slice slice(String at, String provider, long calls, long micros) {
        return new Slice(Instant.parse(at), provider, "m-" + provider, "cli", "default", "general", "", calls, 0, 0, 0, 10 * calls, calls, 0, 0, micros, 0);
    }
}
