package dev.plutus.runway;

import dev.plutus.core.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Ranks providers by runway and turns the ranking into routes: primary = the flagship of the
 * provider with the most runway, delegation = the fast model of the best other provider,
 * fallbacks = the other providers' flagships in rank order, then their fast models. Providers
 * without flagship/fast models, out of money, or refused by their rate limits are left out.
 */
public final class RoutingPlanner {
    /** Most runway first: usable, then known money, then days left (nothing burning counts as endless), then money left. */
    static final Comparator<ProviderRunway> MOST_RUNWAY = Comparator
            .comparing((ProviderRunway r) -> !r.usable())
            .thenComparing(r -> r.remainingMicros() == null)
            .thenComparing(r -> r.daysLeft() == null ? BigDecimal.valueOf(Long.MAX_VALUE) : r.daysLeft(), Comparator.reverseOrder())
            .thenComparing(r -> r.remainingMicros() == null ? 0L : r.remainingMicros(), Comparator.reverseOrder())
            .thenComparing(ProviderRunway::name);

    private RoutingPlanner() {}

    public static List<ProviderRunway> rank(List<ProviderRunway> providers) {
        return providers.stream().sorted(MOST_RUNWAY).toList();
    }

    public static RoutingPlan plan(List<ProviderRunway> providers) {
        List<String> reasons = new ArrayList<>();
        List<ProviderRunway> ranked = new ArrayList<>();
        for (ProviderRunway r : rank(providers)) {
            if (!r.config().routable()) {
                reasons.add(r.name() + ": not routed (no flagship/fast models in runway.yaml)");
            } else if (!r.usable()) {
                reasons.add(r.name() + ": left out (" + (r.limits() != null && "rejected".equals(r.limits().status())
                        ? "rate limit rejected" : "no money left") + ")");
            } else {
                ranked.add(r);
                reasons.add("#" + ranked.size() + " " + r.name() + ": " + describe(r));
            }
        }
        if (ranked.isEmpty()) {
            throw new RoutingRefused("no provider can be routed to: " + String.join("; ", reasons));
        }
        ProviderRunway best = ranked.get(0);
        List<ProviderRunway> others = ranked.subList(1, ranked.size());
        RoutingPlan.Route primary = route(best, best.config().flagship());
        RoutingPlan.Route delegation = others.isEmpty() ? route(best, best.config().fast()) : route(others.get(0), others.get(0).config().fast());
        if (others.isEmpty()) {
            reasons.add("only " + best.name() + " is usable: delegation uses its fast model, no fallbacks");
        }
        List<RoutingPlan.Route> fallbacks = new ArrayList<>();
        others.forEach(o -> fallbacks.add(route(o, o.config().flagship())));
        others.forEach(o -> fallbacks.add(route(o, o.config().fast())));
        return new RoutingPlan(primary, delegation, fallbacks, reasons);
    }

    private static RoutingPlan.Route route(ProviderRunway r, String model) {
        return new RoutingPlan.Route(r.name(), r.config().hermesProvider(), model);
    }

    static String describe(ProviderRunway r) {
        String money = r.remainingMicros() == null ? "balance unknown" : Money.usd2(r.remainingMicros()) + " " + r.source().label();
        String days = r.daysLeft() == null ? (r.remainingMicros() == null ? "days left unknown" : "no spend in 7 days")
                : r.daysLeft().toPlainString() + " days left";
        return money + ", " + days;
    }
}
