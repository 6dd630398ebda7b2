package dev.plutus.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What {@code POST /v1/usage} answers: the status, the JSON body, and whether it is a kept answer replayed. */
public record UsageAnswer(int status, ObjectNode body, boolean replayed) {
}
