package dev.plutus.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The building blocks every report uses: the text table, number formats and the /stats windows. */
class ReportFormatsTest {
    @Test
    void columnsAreAsWideAsTheirWidestCellWithNumbersRightAligned() {
        TextTable t = new TextTable(new String[] {"Tool", "Calls", "Note"}, new boolean[] {false, true, false});
        t.add("terminal", "1,234", "slow");
        t.add("x", "5", "");
        assertEquals("""
                Tool      Calls  Note
                ---------------------
                terminal  1,234  slow
                x             5
                """, t.render(), "two spaces between columns, the rule spans them, no trailing blanks");
    }

    @Test
    void aHeaderWiderThanItsCellsSetsTheWidthAndAnEmptyTableIsItsHeader() {
        TextTable t = new TextTable(new String[] {"", "Scope", "Spent"}, new boolean[] {false, false, true});
        assertEquals("""
                  Scope  Spent
                --------------
                """, t.render());
        t.add("█", "global", "$0.00");
        assertEquals("""
                   Scope   Spent
                ----------------
                █  global  $0.00
                """, t.render());
    }

    @Test
    void countsPercentsAndDurations() {
        assertEquals(List.of("0", "999", "1,000", "1,234,567", "-42"),
                List.of(ReportFormat.count(0), ReportFormat.count(999), ReportFormat.count(1000), ReportFormat.count(1_234_567), ReportFormat.count(-42)));
        assertEquals(List.of("0%", "0%", "33.3%", "66.7%", "12.5%", "100%", "0.1%", "250%"),
                List.of(ReportFormat.percent(0, 0), ReportFormat.percent(5, 0), ReportFormat.percent(1, 3), ReportFormat.percent(2, 3), ReportFormat.percent(1, 8),
                        ReportFormat.percent(7, 7), ReportFormat.percent(1, 1000), ReportFormat.percent(5, 2)));
        assertEquals(List.of("0ms", "999ms", "1.0s", "1.5s", "1.5m", "59.0m", "1.5h", "48.0h"),
                List.of(ReportFormat.duration(0), ReportFormat.duration(999), ReportFormat.duration(1000), ReportFormat.duration(1500), ReportFormat.duration(90_000),
                        ReportFormat.duration(3_540_000), ReportFormat.duration(5_400_000), ReportFormat.duration(172_800_000)));
    }

    @Test
    void statsWindowsAreNamedInAFewWaysAndSayWhatTheyCover() {
        assertEquals(Optional.of(StatsWindow.LAST_24_HOURS), StatsWindow.parse("Today"));
        assertEquals(Optional.of(StatsWindow.LAST_24_HOURS), StatsWindow.parse("24h"));
        assertEquals(Optional.of(StatsWindow.LAST_7_DAYS), StatsWindow.parse("7D"));
        assertEquals(Optional.of(StatsWindow.LAST_30_DAYS), StatsWindow.parse("month"));
        assertEquals(Optional.empty(), StatsWindow.parse("year"));
        assertEquals(Optional.empty(), StatsWindow.parse(""));
        assertEquals(List.of("last 24 h", "last 7 days", "last 30 days"),
                List.of(StatsWindow.LAST_24_HOURS.title(), StatsWindow.LAST_7_DAYS.title(), StatsWindow.LAST_30_DAYS.title()));
        assertEquals(List.of(Duration.ofHours(24), Duration.ofDays(7), Duration.ofDays(30)),
                List.of(StatsWindow.LAST_24_HOURS.length(), StatsWindow.LAST_7_DAYS.length(), StatsWindow.LAST_30_DAYS.length()));
    }
}
