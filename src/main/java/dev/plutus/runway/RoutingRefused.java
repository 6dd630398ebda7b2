package dev.plutus.runway;

/** The router will not write: no usable provider, a model that is not live, or an edit that would lose something. */
public class RoutingRefused extends RuntimeException {
    public RoutingRefused(String message) {
        super(message);
    }
}
