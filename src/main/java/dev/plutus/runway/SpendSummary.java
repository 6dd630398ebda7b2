package dev.plutus.runway;

/** What Plutus has recorded for one provider, in micro-dollars: today (local day), the last 7 days, the 7 before, 30 days, all time. */
public record SpendSummary(long todayMicros, long last7Micros, long prev7Micros, long last30Micros, long allMicros) {
    public static final SpendSummary NONE = new SpendSummary(0, 0, 0, 0, 0);
}
