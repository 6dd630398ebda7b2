package dev.plutus.report;

import java.util.Locale;

/** Number formats shared by the reports. */
final class ReportFormat {
    private ReportFormat() {}

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String percent(long part, long whole) {
        if (whole == 0) {
            return "0%";
        }
        long tenths = Math.round(part * 1000.0 / whole);
        return tenths % 10 == 0 ? (tenths / 10) + "%" : (tenths / 10) + "." + (tenths % 10) + "%";
    }

    static String duration(long millis) {
        if (millis < 1000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        if (millis < 3_600_000) {
            return String.format(Locale.ROOT, "%.1fm", millis / 60_000.0);
        }
        return String.format(Locale.ROOT, "%.1fh", millis / 3_600_000.0);
    }
}
