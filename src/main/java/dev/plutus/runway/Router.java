package dev.plutus.runway;

/**
 * Moves a host's model routing toward the providers with the most runway. The runway monitor plans;
 * the host's router knows its config file, writes it safely and can put the last write back.
 */
public interface Router {
    /** Plans from the view and writes (or, with {@code dryRun}, only diffs) the host's routing. */
    RouteResult route(RunwayView view, ProviderLookup providers, boolean dryRun);

    /** Restores the config the newest routing write replaced; returns what was done. */
    String rollback(RunwayConfig config);

    /** No host to route: planning is refused with the reason. */
    Router NONE = new Router() {
        @Override
        public RouteResult route(RunwayView view, ProviderLookup providers, boolean dryRun) {
            throw new RoutingRefused("no host configured to route");
        }

        @Override
        public String rollback(RunwayConfig config) {
            throw new IllegalArgumentException("no host configured to route; nothing to roll back");
        }
    };
}
