package dev.plutus.budget;

import dev.plutus.core.Money;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** The words Plutus puts in front of the model and the user about a budget. */
public final class BudgetMessages {
    private static final DateTimeFormatter RESET = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z");

    private BudgetMessages() {}

    public static String spendLine(ScopeStatus s) {
        // Spend with its limit's precision: $0.0022 of $0.002, never $0.00 of $0.002.
        return s.scope().describe() + " " + s.window().label() + " spend is " + Money.display(s.spentMicros(), s.limitMicros())
                + (s.heldMicros() > 0 ? " + " + Money.display(s.heldMicros(), s.limitMicros()) + " held for calls in flight" : "")
                + " of " + Money.display(s.limitMicros()) + " (" + s.percent() + "%)";
    }

    public static String resets(ScopeStatus s, ZoneId zone) {
        if (s.resetsAt() == null) {
            return "as older spend leaves the " + s.window().label() + " window";
        }
        return "until " + RESET.format(s.resetsAt().atZone(zone));
    }

    /** The message a blocked tool call returns to the model. */
    public static String blockMessage(ScopeStatus s, ZoneId zone) {
        if (s.unpricedHard()) {
            return "Plutus: budget for " + s.scope().describe() + " cannot be verified: " + s.spend().unpricedCalls()
                    + " call(s) used a model with no known price (on_unpriced: enforce). Tool calls are blocked; "
                    + "finish with a short summary.";
        }
        return "Plutus: budget exhausted: " + spendLine(s) + ". Tool calls are blocked " + resets(s, zone)
                + "; finish with a short summary.";
    }

    /**
     * A call refused because money held for other calls in flight leaves no room for it, while the spend itself
     * is still under the hard limit: the budget is not exhausted, and tools are still allowed, so the message
     * must not say it is. {@code expectedMicros}: this call's expected cost (0 when not known).
     */
    public static String reservationBlockMessage(ScopeStatus s, long expectedMicros) {
        long left = Math.max(0, Money.minus(s.limitMicros(), s.spentMicros()));
        return "Plutus: the next call's expected cost" + (expectedMicros > 0 ? " (" + Money.display(expectedMicros, s.limitMicros()) + ")" : "")
                + " does not fit in what is left of " + s.scope().describe() + " " + s.window().label() + " ("
                + Money.display(left, s.limitMicros()) + " of " + Money.display(s.limitMicros()) + ", with "
                + Money.display(s.heldMicros(), s.limitMicros()) + " held for calls in flight). This call is cut short; spend is "
                + Money.display(s.spentMicros(), s.limitMicros()) + " (" + s.spentPercent() + "%), under the limit, so tools are still allowed.";
    }

    /** A one-time notice injected into the conversation. */
    public static String notice(ScopeStatus s, ZoneId zone) {
        return switch (s.level()) {
            case HARD -> "[Plutus] " + blockMessage(s, zone).substring("Plutus: ".length())
                    + " Do not start new work.";
            case SOFT -> "[Plutus] Budget notice: " + spendLine(s) + "."
                    + (s.degraded() ? " It is over the hard limit, but rests partly on estimated token counts, so "
                    + "work is not blocked (on_estimated: warn_only)." : " Keep the remaining work short.");
            case OK, UNKNOWN -> "";
        };
    }

    /** What a host is told when no verdict could be computed: it must apply its fail mode, not go on as if all were well. */
    public static String unknown(String reason) {
        return "Plutus could not compute the budget verdict (" + reason + "); it is unknown, not ok: apply your fail mode.";
    }

    public static String pauseReason(ScopeStatus s) {
        return "Plutus: " + spendLine(s) + " (" + s.periodKey() + ")";
    }

    static String at(Instant i, ZoneId zone) {
        return RESET.format(i.atZone(zone));
    }
}
