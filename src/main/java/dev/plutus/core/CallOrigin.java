package dev.plutus.core;

import java.util.Objects;

/**
 * Where a call reported over {@code /v1/usage} came from: the API key that sent it, the workspace
 * and task type it is billed to, the sender's free-form source tag, the tokens it adds to the
 * month's tracked total, and whether it arrived past the free cap. Hook calls have no origin.
 */
public record CallOrigin(String keyId, String workspace, String taskType, String source, long trackedTokens,
                         boolean overFreeLimit) {
    public CallOrigin {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(taskType, "taskType");
        Objects.requireNonNull(source, "source");
        if (trackedTokens < 0) {
            throw new IllegalArgumentException("tracked tokens must not be negative");
        }
    }
}
