package dev.plutus.runway;

/**
 * Moves a host's model routing toward the providers with the most runway. The runway monitor plans;
 * the host's router knows its config file, writes it safely and can put the last write back.
 */
public interface Router {
    /** Plans from the view and writes (or, with {@code dryRun}, only diffs) the host's routing. */
    RouteResult route(RunwayView view, ProviderLookup providers, boolean dryRun);

    /**
     * Restores the config the newest routing write replaced and pauses the automatic router; refused
     * when the config is no longer what the router wrote, unless {@code force}. Returns what was done.
     */
    String rollback(RunwayConfig config, boolean force);

    /** Why the automatic router must not write now (a rollback paused it), or empty. */
    default java.util.Optional<String> paused(RunwayConfig config) {
        return java.util.Optional.empty();
    }

    /** Lets the automatic router write again after a rollback paused it; returns what was done. */
    default String resume(RunwayConfig config) {
        return "nothing to resume: no host configured to route";
    }

    /** No host to route: planning is refused with the reason. */
    Router NONE = new Router() {
        @Override
        public RouteResult route(RunwayView view, ProviderLookup providers, boolean dryRun) {
            throw new RoutingRefused("no host configured to route");
        }

        @Override
        public String rollback(RunwayConfig config, boolean force) {
            throw new IllegalArgumentException("no host configured to route; nothing to roll back");
        }
    };
}
