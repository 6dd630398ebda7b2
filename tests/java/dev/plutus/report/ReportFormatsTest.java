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
                List.of(Fmt.count(0), Fmt.count(999), Fmt.count(1000), Fmt.count(1_234_567), Fmt.count(-42)));
        assertEquals(List.of("0%", "0%", "33.3%", "66.7%", "12.5%", "100%", "0.1%", "250%"),
                List.of(Fmt.percent(0, 0), Fmt.percent(5, 0), Fmt.percent(1, 3), Fmt.percent(2, 3), Fmt.percent(1, 8),
                        Fmt.percent(7, 7), Fmt.percent(1, 1000), Fmt.percent(5, 2)));
        assertEquals(List.of("0ms", "999ms", "1.0s", "1.5s", "1.5m", "59.0m", "1.5h", "48.0h"),
                List.of(Fmt.duration(0), Fmt.duration(999), Fmt.duration(1000), Fmt.duration(1500), Fmt.duration(90_000),
                        Fmt.duration(3_540_000), Fmt.duration(5_400_000), Fmt.duration(172_800_000)));
    }

    @Test
    void statsWindowsAreNamedInAFewWaysAndSayWhatTheyCover() {
        assertEquals(Optional.of(StatsWindow.TODAY), StatsWindow.parse("Today"));
        assertEquals(Optional.of(StatsWindow.TODAY), StatsWindow.parse("24h"));
        assertEquals(Optional.of(StatsWindow.WEEK), StatsWindow.parse("7D"));
        assertEquals(Optional.of(StatsWindow.MONTH), StatsWindow.parse("month"));
        assertEquals(Optional.empty(), StatsWindow.parse("year"));
        assertEquals(Optional.empty(), StatsWindow.parse(""));
        assertEquals(List.of("last 24 h", "last 7 days", "last 30 days"),
                List.of(StatsWindow.TODAY.title(), StatsWindow.WEEK.title(), StatsWindow.MONTH.title()));
        assertEquals(List.of(Duration.ofHours(24), Duration.ofDays(7), Duration.ofDays(30)),
                List.of(StatsWindow.TODAY.length(), StatsWindow.WEEK.length(), StatsWindow.MONTH.length()));
    }
}
