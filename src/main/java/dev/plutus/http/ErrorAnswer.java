package dev.plutus.http;

/** Every refusal's body on the wire: {@code {"error": "..."}}, the message a person can act on. */
record ErrorAnswer(String error) {}
