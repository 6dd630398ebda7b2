package dev.plutus.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The body of a {@code /v1/usage} 400. A sender sets aside the event {@code event_index} names (its
 * place in the body, 0 for a single event object) without reading the prose; both members are null
 * when the problem is with the body as a whole (not JSON, not an array, too many events) or a header.
 */
@JsonPropertyOrder({"error", "event_index", "field"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record UsageError(
        @JsonProperty("error") String error,
        @JsonProperty("event_index") Integer eventIndex,
        @JsonProperty("field") String field) {

    public static UsageError of(String error) {
        return new UsageError(error, null, null);
    }
}
