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
