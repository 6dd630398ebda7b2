package dev.plutus.core;

import java.time.Instant;

/** One tool execution reported by post_tool_call. {@code status} is ok, error or blocked. */
public record ToolCall(String eventId, Instant timestamp, String sessionId, String toolName,
                       String status, String errorType, long durationMillis) {

    public boolean failed() {
        return !"ok".equals(status);
    }
}
