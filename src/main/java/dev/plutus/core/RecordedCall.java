package dev.plutus.core;

/** The outcome of recording a call: the stored call, and whether it was a replay already stored. */
public record RecordedCall(LlmCall call, boolean duplicate) {
}
