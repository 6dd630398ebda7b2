package dev.plutus.runway;

import dev.plutus.core.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Ranks providers by runway and turns the ranking into routes: primary = the flagship of the
 * provider with the most runway, delegation = the fast model of the best other provider (the best
 * one's own when every other is below its alert thresholds),
 * fallbacks = the other providers' flagships in rank order, then their fast models. Providers
 * without flagship/fast models, out of money, or refused by their rate limits are left out.
 *
 * <p>Days left only mean something for a provider that is burning money. One with no spend in 7
 * days is ranked by its money at the burn of the busiest provider (the traffic it would take
 * over), so $0.50 that nobody spends never outranks $93 being spent; when nothing burns at all the
 * money left decides. A provider below its own low-runway alert thresholds ranks after every
 * provider above theirs, so the router never promotes one it is warning about.
 */
public final class RoutingPlanner {
    private RoutingPlanner() {}

    /** Most runway first; thresholds from {@code alerts} apply where a provider has none of its own (null: none). */
    public static List<ProviderRunway> rank(List<ProviderRunway> providers, RunwayConfig.Alerts alerts) {
        long referenceBurn = referenceBurn(providers);
        Comparator<ProviderRunway> most = Comparator
                .comparing((ProviderRunway r) -> !r.usable())
                .thenComparing(r -> belowThreshold(r, alerts) != null)
                .thenComparing(r -> r.remainingMicros() == null)
                .thenComparing(r -> effectiveDays(r, referenceBurn), Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(r -> r.remainingMicros() == null ? 0L : r.remainingMicros(), Comparator.reverseOrder())
                .thenComparing(ProviderRunway::name);
        return providers.stream().sorted(most).toList();
    }

    /** The busiest burn among usable providers whose money is known: what a promoted provider would take on. */
    static long referenceBurn(List<ProviderRunway> providers) {
        return providers.stream().filter(r -> r.usable() && r.remainingMicros() != null).mapToLong(ProviderRunway::burnMicrosPerDay)
                .max().orElse(0);
    }

    public static List<ProviderRunway> rank(List<ProviderRunway> providers) {
        return rank(providers, null);
    }

    /**
     * The days the ranking compares: days left for a provider that burns; for one that does not, its
     * money at {@code referenceBurn} (the busiest provider's burn); null when money is unknown or
     * nothing burns anywhere (then money left decides).
     */
    public static BigDecimal effectiveDays(ProviderRunway r, long referenceBurn) {
        if (r.remainingMicros() == null) {
            return null;
        }
        if (r.remainingMicros() <= 0) {
            return BigDecimal.ZERO.setScale(1);
        }
        if (r.burnMicrosPerDay() > 0 && r.daysLeft() != null) {
            return r.daysLeft();
        }
        return referenceBurn <= 0 ? null
                : BigDecimal.valueOf(r.remainingMicros()).divide(BigDecimal.valueOf(referenceBurn), 1, RoundingMode.DOWN);
    }

    /** Which alert threshold the provider is under (e.g. "$0.50 left, below $10.00"), or null when it is above both. */
    public static String belowThreshold(ProviderRunway r, RunwayConfig.Alerts alerts) {
        Long balanceBelow = r.config().balanceBelowMicros() != null ? r.config().balanceBelowMicros()
                : alerts == null ? null : alerts.balanceBelowMicros();
        BigDecimal daysBelow = r.config().daysLeftBelow() != null ? r.config().daysLeftBelow() : alerts == null ? null : alerts.daysLeftBelow();
        if (balanceBelow != null && r.remainingMicros() != null && r.remainingMicros() < balanceBelow) {
            return Money.display(r.remainingMicros()) + " left, below the alert threshold " + Money.display(balanceBelow);
        }
        if (daysBelow != null && r.daysLeft() != null && r.daysLeft().compareTo(daysBelow) < 0) {
            return r.daysLeft().toPlainString() + " days left, below the alert threshold " + daysBelow.toPlainString() + " days";
        }
        return null;
    }

    public static RoutingPlan plan(List<ProviderRunway> providers) {
        return plan(providers, null);
    }

    public static RoutingPlan plan(List<ProviderRunway> providers, RunwayConfig.Alerts alerts) {
        return plan(providers, alerts, List.of());
    }

    /** {@code leftOut}: reasons for providers the caller already excluded (shown first among the reasons). */
    public static RoutingPlan plan(List<ProviderRunway> providers, RunwayConfig.Alerts alerts, List<String> leftOut) {
        List<String> reasons = new ArrayList<>(leftOut);
        List<ProviderRunway> ranked = new ArrayList<>();
        long referenceBurn = referenceBurn(providers);
        for (ProviderRunway r : rank(providers, alerts)) {
            if (!r.config().routable()) {
                reasons.add(r.name() + ": not routed (no flagship/fast models in runway.yaml)");
            } else if (!r.usable()) {
                reasons.add(r.name() + ": left out (" + (r.limits() != null && "rejected".equals(r.limits().status())
                        ? "rate limit rejected" : "no money left") + ")");
            } else {
                ranked.add(r);
                reasons.add("#" + ranked.size() + " " + r.name() + ": " + describe(r) + "; " + why(r, alerts, referenceBurn));
            }
        }
        if (ranked.isEmpty()) {
            throw new RoutingRefused("no provider can be routed to: " + String.join("; ", reasons));
        }
        ProviderRunway best = ranked.get(0);
        List<ProviderRunway> others = ranked.subList(1, ranked.size());
        RoutingPlan.Route primary = route(best, best.config().flagship());
        // Delegation is live subagent traffic: never sent to a provider the user is being warned about
        // while the best one (above its thresholds) can take it on its fast model.
        boolean othersWarned = !others.isEmpty() && belowThreshold(others.get(0), alerts) != null && belowThreshold(best, alerts) == null;
        RoutingPlan.Route delegation = others.isEmpty() || othersWarned ? route(best, best.config().fast())
                : route(others.get(0), others.get(0).config().fast());
        if (others.isEmpty()) {
            reasons.add("only " + best.name() + " is usable: delegation uses its fast model, no fallbacks");
        } else if (othersWarned) {
            reasons.add("delegation uses " + best.name() + "'s fast model: every other provider is below its alert thresholds");
        }
        List<RoutingPlan.Route> fallbacks = new ArrayList<>();
        others.forEach(o -> fallbacks.add(route(o, o.config().flagship())));
        others.forEach(o -> fallbacks.add(route(o, o.config().fast())));
        return new RoutingPlan(primary, delegation, fallbacks, reasons);
    }

    /** The key that placed the provider where it is, in words. */
    private static String why(ProviderRunway r, RunwayConfig.Alerts alerts, long referenceBurn) {
        String below = belowThreshold(r, alerts);
        String key;
        if (r.remainingMicros() == null) {
            key = "ranked after every provider whose money is known";
        } else if (r.burnMicrosPerDay() > 0) {
            key = "ranked by days left";
        } else if (referenceBurn > 0) {
            key = "no spend in 7 days: ranked as " + effectiveDays(r, referenceBurn).toPlainString() + " days at the busiest burn of "
                    + Money.display(referenceBurn) + "/day";
        } else {
            key = "nothing burns anywhere: ranked by money left";
        }
        return below == null ? key : key + "; " + below + ", so ranked after every provider above its thresholds (never promoted)";
    }

    private static RoutingPlan.Route route(ProviderRunway r, String model) {
        return new RoutingPlan.Route(r.name(), r.config().hermesProvider(), model);
    }

    static String describe(ProviderRunway r) {
        String money = r.remainingMicros() == null ? "balance unknown" : Money.display(r.remainingMicros()) + " " + r.source().label();
        String days = r.daysLeft() == null ? (r.remainingMicros() == null ? "days left unknown" : "no spend in 7 days")
                : r.daysLeft().toPlainString() + " days left";
        return money + ", " + days;
    }
}
