package dev.plutus.bench;

/**
 * A benchmark that could not measure what it would print (an event spooled instead of sent, a count
 * the daemon does not confirm, a phase that did not run): the run fails rather than print a figure.
 */
public final class BenchmarkRefused extends RuntimeException {
    public BenchmarkRefused(String message) {
        super(message);
    }
}
