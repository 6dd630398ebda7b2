package dev.plutus.report;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A command's output in both forms: aligned text for people, JSON for programs. {@code refused}
 * marks an answer that did nothing but say why (bad arguments, an edit that would not load), so a
 * shell command can exit non-zero on it.
 */
public record Rendered(String text, JsonNode json, boolean refused) {
    public Rendered(String text, JsonNode json) {
        this(text, json, false);
    }
}
