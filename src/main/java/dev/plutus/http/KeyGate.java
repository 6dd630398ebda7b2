package dev.plutus.http;

import dev.plutus.ingest.ApiKeys;
import dev.plutus.ingest.KeyRateLimiter;
import dev.plutus.store.ApiKey;
import io.javalin.http.Context;
import java.util.Map;

/** The door of the API-key endpoints: refuses a missing, wrong or revoked key with 401 and a request past the key's rate with 429. */
final class KeyGate {
    private final ApiKeys keys;
    private final KeyRateLimiter limiter;

    KeyGate(ApiKeys keys, KeyRateLimiter limiter) {
        this.keys = keys;
        this.limiter = limiter;
    }

    /** Who is asking; throws the refusal when the key does not open the door. */
    ApiKey admit(Context ctx, boolean rateLimited) {
        ApiKeys.Authentication auth = keys.authenticate(ctx.header("Authorization"));
        if (auth instanceof ApiKeys.Authentication.Refused refused) {
            throw new HttpError(401, refused.reason(), Map.of("WWW-Authenticate", "Bearer realm=\"plutus\""));
        }
        ApiKey key = ((ApiKeys.Authentication.Accepted) auth).key();
        long retryAfter = rateLimited ? limiter.acquire(key.keyId()) : 0;
        if (retryAfter > 0) {
            throw new HttpError(429, "rate limit for key " + key.keyId() + " exceeded; retry after " + retryAfter + " s",
                    Map.of("Retry-After", Long.toString(retryAfter)));
        }
        return key;
    }
}
