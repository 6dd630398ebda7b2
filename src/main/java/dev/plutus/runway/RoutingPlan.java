package dev.plutus.runway;

import java.util.List;

/**
 * Where Hermes should send its traffic: the primary model, the model for delegated subtasks, and
 * the fallbacks in order, with the reasons for the choice (ranked providers, skipped ones).
 */
public record RoutingPlan(Route primary, Route delegation, List<Route> fallbacks, List<String> reasons) {

    public RoutingPlan {
        fallbacks = List.copyOf(fallbacks);
        reasons = List.copyOf(reasons);
    }

    /** {@code provider} is the runway.yaml name; {@code hermesProvider} the id written into config.yaml. */
    public record Route(String provider, String hermesProvider, String model) {
        public String describe() {
            return hermesProvider + "/" + model;
        }
    }

    public List<Route> allRoutes() {
        java.util.List<Route> all = new java.util.ArrayList<>();
        all.add(primary);
        all.add(delegation);
        all.addAll(fallbacks);
        return all;
    }

    /** Same routing, whatever the reasons. */
    public boolean sameRoutes(RoutingPlan other) {
        return other != null && primary.equals(other.primary) && delegation.equals(other.delegation) && fallbacks.equals(other.fallbacks);
    }

    public String summary() {
        return "primary " + primary.describe() + ", delegation " + delegation.describe() + ", fallbacks "
                + (fallbacks.isEmpty() ? "none" : String.join(" -> ", fallbacks.stream().map(Route::describe).toList()));
    }
}
