package dev.plutus.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plutus.core.TerminalSafe;

/**
 * A command's output in both forms: aligned text for people, JSON for programs. {@code refused}
 * marks an answer that did nothing but say why (bad arguments, an edit that would not load), so a
 * shell command can exit non-zero on it. The text goes to terminals and chats, so names that came
 * from outside (a model name sent to /v1/usage, say) cannot carry control characters into it: they
 * are shown escaped ({@link TerminalSafe}).
 */
public record Rendered(String text, JsonNode json, boolean refused) {
    public Rendered {
        text = TerminalSafe.keepingLines(text);
    }

    public Rendered(String text, JsonNode json) {
        this(text, json, false);
    }
}
