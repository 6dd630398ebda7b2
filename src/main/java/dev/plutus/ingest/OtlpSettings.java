package dev.plutus.ingest;

import dev.plutus.config.YamlNode;
import java.time.Duration;
import java.util.List;

/**
 * How {@code /v1/traces} tells a wrapper span from a call: the {@code otlp:} part of plutus.yaml's
 * {@code ingest:} section ({@link GenAiWrappers} says why it must wait).
 *
 * @param wrapperGrace   how long an export holding a span that names no operation (and is not yet known
 *                       to wrap GenAI spans) waits for a child of it to arrive in another export; 0 to
 *                       count such spans at once, as if no child could come
 * @param waitingExports exports that may wait at once (each holds a handler thread, so never more than a quarter
 *                       of {@code serve --threads}: see {@link GenAiWrappers#waitingBound}); one more is decided without the grace
 */
public record OtlpSettings(Duration wrapperGrace, int waitingExports) {
    public static final Duration MAX_GRACE = Duration.ofSeconds(5);
    public static final int MAX_WAITING = 1_000;
    static final List<String> KEYS = List.of("wrapper_grace", "waiting_exports");

    public OtlpSettings {
        if (wrapperGrace == null || wrapperGrace.isNegative() || wrapperGrace.compareTo(MAX_GRACE) > 0) {
            throw new IllegalArgumentException("wrapper_grace must be 0 to " + MAX_GRACE.toSeconds() + " s, got " + wrapperGrace);
        }
        if (waitingExports < 1 || waitingExports > MAX_WAITING) {
            throw new IllegalArgumentException("waiting_exports must be 1 to " + MAX_WAITING + ", got " + waitingExports);
        }
    }

    /** A second's grace (an exporter's sibling requests arrive within milliseconds of each other), 64 exports waiting at most. */
    public static OtlpSettings defaults() {
        return new OtlpSettings(Duration.ofSeconds(1), 64);
    }

    static OtlpSettings parse(YamlNode n) {
        OtlpSettings d = defaults();
        if (n.isMissing() || n.isNull()) {
            return d;
        }
        n.requireOnlyKeys(KEYS);
        Duration grace = n.get("wrapper_grace").durationOrZero().orElse(d.wrapperGrace());
        if (grace.compareTo(MAX_GRACE) > 0) {
            throw n.get("wrapper_grace").error("wrapper_grace must be 0 to " + MAX_GRACE.toSeconds()
                    + "s (an exporter gives up on an answer after 10 s by default)");
        }
        long waiting = n.get("waiting_exports").wholeNumber().orElse((long) d.waitingExports());
        if (waiting < 1 || waiting > MAX_WAITING) {
            throw n.get("waiting_exports").error("waiting_exports must be between 1 and " + MAX_WAITING);
        }
        return new OtlpSettings(grace, (int) waiting);
    }
}
