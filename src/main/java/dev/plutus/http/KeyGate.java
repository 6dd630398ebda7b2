package dev.plutus.http;

import com.sun.net.httpserver.HttpExchange;
import dev.plutus.ingest.ApiKeys;
import dev.plutus.ingest.KeyRateLimiter;
import dev.plutus.store.ApiKey;
import java.io.IOException;

/** The door of the API-key endpoints: answers 401 for a missing, wrong or revoked key and 429 past the key's rate. */
final class KeyGate {
    private final ApiKeys keys;
    private final KeyRateLimiter limiter;

    KeyGate(ApiKeys keys, KeyRateLimiter limiter) {
        this.keys = keys;
        this.limiter = limiter;
    }

    /** Who is asking; {@code key} null when the request was already answered with {@code refusedWith}. */
    record Admission(ApiKey key, int refusedWith) {}

    Admission admit(HttpExchange ex, boolean rateLimited) throws IOException {
        ApiKeys.Authentication auth = keys.authenticate(ex.getRequestHeaders().getFirst("Authorization"));
        if (auth instanceof ApiKeys.Authentication.Refused refused) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"plutus\"");
            HttpApi.sendError(ex, 401, refused.reason());
            return new Admission(null, 401);
        }
        ApiKey key = ((ApiKeys.Authentication.Accepted) auth).key();
        long retryAfter = rateLimited ? limiter.acquire(key.keyId()) : 0;
        if (retryAfter > 0) {
            ex.getResponseHeaders().add("Retry-After", Long.toString(retryAfter));
            HttpApi.sendError(ex, 429, "rate limit for key " + key.keyId() + " exceeded; retry after " + retryAfter + " s");
            return new Admission(null, 429);
        }
        return new Admission(key, 0);
    }
}
