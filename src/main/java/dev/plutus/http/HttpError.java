package dev.plutus.http;

import java.util.Map;

/**
 * A request the daemon refuses, with the status and message its caller sees as
 * {@code {"error": message}} and any headers that go with it (Retry-After, WWW-Authenticate).
 * Thrown by handlers; {@link ErrorMapper} turns it into the answer.
 */
final class HttpError extends RuntimeException {
    private final int status;
    private final Map<String, String> headers;

    HttpError(int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    HttpError(int status, String message) {
        this(status, message, Map.of());
    }

    static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    int status() {
        return status;
    }

    Map<String, String> headers() {
        return headers;
    }
}
