package dev.plutus.adapter;

/** Sees the outcome of every guarded call (for example {@code dev.plutus.adapter.otel.PlutusTelemetry}); must not throw. */
@FunctionalInterface
public interface CallObserver {
    void observe(CallOutcome outcome);
}
