package dev.plutus.provider;

import dev.plutus.core.Reasons;
import dev.plutus.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plutus.provider.ProviderException.Kind;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;

/** HTTP for provider clients: one place that turns statuses, time-outs and bad JSON into a {@link ProviderException}. */
final class ProviderHttp {
    static final ObjectMapper JSON = Json.MAPPER;

    private ProviderHttp() {}

    static HttpRequest.Builder get(ProviderRequest r, String path) {
        return HttpRequest.newBuilder(r.resolve(path)).timeout(r.timeout()).GET().header("Accept", "application/json");
    }

    static HttpRequest.Builder postJson(ProviderRequest r, String path, String body) {
        return HttpRequest.newBuilder(r.resolve(path)).timeout(r.timeout())
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                .header("Accept", "application/json");
    }

    /** Sends the request; any answer is returned, whatever its status (callers that read headers need 429s too). */
    static HttpResponse<String> exchange(ProviderRequest r, HttpRequest request) throws ProviderException {
        try {
            return r.http().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException e) {
            throw new ProviderException(Kind.TIMEOUT, "no connection to " + host(request.uri()) + " within " + seconds(r));
        } catch (HttpTimeoutException e) {
            throw new ProviderException(Kind.TIMEOUT, host(request.uri()) + " did not answer within " + seconds(r));
        } catch (IOException e) {
            throw new ProviderException(Kind.UNREACHABLE, "cannot reach " + host(request.uri()) + ": "
                    + redact(Reasons.of(e), r));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(Kind.TIMEOUT, "interrupted while asking " + host(request.uri()));
        }
    }

    /** Sends and requires a 2xx answer with a JSON body. */
    static JsonNode json(ProviderRequest r, HttpRequest request) throws ProviderException {
        HttpResponse<String> resp = exchange(r, request);
        requireOk(r, resp);
        return parse(r, resp);
    }

    static void requireOk(ProviderRequest r, HttpResponse<String> resp) throws ProviderException {
        int code = resp.statusCode();
        if (code >= 200 && code < 300) {
            return;
        }
        String said = providerMessage(resp.body());
        String where = host(resp.uri()) + " " + resp.uri().getPath();
        String detail = said.isEmpty() ? "" : ": " + redact(said, r);
        String from = r.credential() == null ? "" : " (key from " + r.credential().envName() + ")";
        switch (code) {
            case 401 -> throw new ProviderException(said.toLowerCase().contains("expired") ? Kind.EXPIRED_TOKEN : Kind.BAD_KEY,
                    "HTTP 401 from " + where + from + detail);
            case 403 -> throw new ProviderException(Kind.FORBIDDEN, "HTTP 403 from " + where + from + detail);
            case 429 -> throw new ProviderException(Kind.RATE_LIMITED, "HTTP 429 from " + where
                    + resp.headers().firstValue("retry-after").map(s -> " (retry after " + s + " s)").orElse("") + detail);
            default -> throw new ProviderException(Kind.HTTP_STATUS, "HTTP " + code + " from " + where + detail);
        }
    }

    static JsonNode parse(ProviderRequest r, HttpResponse<String> resp) throws ProviderException {
        try {
            JsonNode n = JSON.readTree(resp.body());
            if (n == null || !n.isObject()) {
                throw new ProviderException(Kind.MALFORMED, host(resp.uri()) + " " + resp.uri().getPath()
                        + " did not answer with a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new ProviderException(Kind.MALFORMED, host(resp.uri()) + " " + resp.uri().getPath()
                    + " answered with malformed JSON");
        }
    }

    /** A JSON amount (number or numeric string) as an exact decimal; a missing or null one is null. */
    static BigDecimal decimal(JsonNode n, String field, String what) throws ProviderException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            if (v.isNumber()) {
                return v.decimalValue();
            }
            if (v.isTextual()) {
                return new BigDecimal(v.asText().trim());
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new ProviderException(Kind.MALFORMED, what + ": field " + field + " is not an amount: " + abbreviate(v.toString()));
    }

    static void requireKey(ProviderRequest r) throws ProviderException {
        if (r.credential() == null) {
            throw new ProviderException(Kind.NO_KEY, "no API key");
        }
    }

    /** Reads rate-limit headers off a probe's answer: a 429 carries them too; without any, the status decides the error. */
    interface HeaderParser {
        RateLimitStatus parse(java.util.Map<String, String> headers, int status);
    }

    static ProviderReading probeLimits(ProviderRequest r, HttpRequest probe, HeaderParser parser, String who) throws ProviderException {
        HttpResponse<String> resp = exchange(r, probe);
        RateLimitStatus limits = parser.parse(RateLimitHeaders.normalize(resp.headers().map()), resp.statusCode());
        if (limits != null && (resp.statusCode() / 100 == 2 || resp.statusCode() == 429)) {
            return ProviderReading.ofLimits(limits);
        }
        requireOk(r, resp);
        throw new ProviderException(Kind.MALFORMED, who + " answered without rate-limit headers");
    }

    /** The smallest Messages / Chat Completions request: one output token, whose answer carries the rate-limit headers. */
    static String probeBody(String model) {
        com.fasterxml.jackson.databind.node.ObjectNode o = JSON.createObjectNode().put("model", model).put("max_tokens", 1);
        o.putArray("messages").addObject().put("role", "user").put("content", ".");
        return o.toString();
    }

    /** USD rounded half-up to the micro-dollar: providers report up to 7 decimals. */
    static long micros(BigDecimal usd) {
        return usd.movePointRight(6).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
    }

    /** The {@code id} of every entry of {@code array}. */
    static java.util.Set<String> ids(JsonNode array, String field, String prefix, String what) throws ProviderException {
        if (!array.isArray()) {
            throw new ProviderException(Kind.MALFORMED, what + " has no list of models");
        }
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (JsonNode m : array) {
            String id = m.path(field).asText("");
            if (!id.isEmpty()) {
                out.add(prefix != null && id.startsWith(prefix) ? id.substring(prefix.length()) : id);
            }
        }
        return out;
    }

    private static String providerMessage(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode n = JSON.readTree(body);
            JsonNode err = n.path("error");
            if (err.isTextual()) {
                return abbreviate(err.asText());
            }
            if (err.path("message").isTextual()) {
                return abbreviate(err.path("message").asText());
            }
            if (n.path("message").isTextual()) {
                return abbreviate(n.path("message").asText());
            }
        } catch (IOException ignored) {
            // not JSON: say nothing of it
        }
        return "";
    }

    /** Providers sometimes echo the key they were sent; it never leaves this class. */
    static String redact(String text, ProviderRequest r) {
        if (r.credential() == null || r.credential().secret().isEmpty()) {
            return text;
        }
        String s = r.credential().secret();
        String out = text.replace(s, "<redacted>");
        return s.length() > 12 ? out.replace(s.substring(0, 12), "<redacted>") : out;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private static String host(URI u) {
        return u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
    }

    private static String seconds(ProviderRequest r) {
        return r.timeout().toMillis() % 1000 == 0 ? r.timeout().toSeconds() + " s" : r.timeout().toMillis() + " ms";
    }
}
