package dev.plutus.report;

import com.fasterxml.jackson.databind.JsonNode;

/** A command's output in both forms: aligned text for people, JSON for programs. */
public record Rendered(String text, JsonNode json) {
}
