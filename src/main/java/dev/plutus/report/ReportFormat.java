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

    /** The widest an id is shown in a table cell; the JSON keeps it whole. */
    static final int ID_WIDTH = 40;

    /**
     * An id cut to {@link #ID_WIDTH} characters in the middle, so its start and its end (where ids keep
     * their dates and random parts) both stay: one 180-character session id would otherwise push every
     * other column off the screen.
     */
    static String id(String id) {
        if (id.codePointCount(0, id.length()) <= ID_WIDTH) {
            return id;
        }
        int head = 24, tail = ID_WIDTH - head - 1;
        int end = id.offsetByCodePoints(id.length(), -tail);
        return id.substring(0, id.offsetByCodePoints(0, head)) + "…" + id.substring(end);
    }

    static boolean cut(String id) {
        return id != null && id.codePointCount(0, id.length()) > ID_WIDTH;
    }

    /** Under a table with a cut id: where to read it whole. */
    static final String IDS_CUT = "(ids over " + ID_WIDTH + " characters are cut in the middle; --json has them whole)\n";

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
