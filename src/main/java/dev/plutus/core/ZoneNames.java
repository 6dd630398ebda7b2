package dev.plutus.core;

import java.time.ZoneId;
import java.time.ZoneOffset;

/** A time zone as text shows it: {@code UTC} for every spelling of UTC (Etc/UTC, Z, GMT), else its region id. */
public final class ZoneNames {
    private ZoneNames() {}

    public static String display(ZoneId zone) {
        if (zone.normalized().equals(ZoneOffset.UTC)) {
            return "UTC";
        }
        return zone.getId();
    }
}
