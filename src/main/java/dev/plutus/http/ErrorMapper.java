package dev.plutus.http;

import dev.plutus.core.Json;
import dev.plutus.store.StoreException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.router.EndpointNotFound;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Every refusal the daemon answers, in one shape: the status and {@code {"error": "..."}} (an OTLP
 * export sent as protobuf gets the same message as the {@code google.rpc.Status} its exporter reads). Handlers
 * throw {@link HttpError}; the router's own 404, 405 and 413 come here too, and so do the errors
 * Jetty answers before a request reaches the router (headers too large, a body over the limit, a
 * malformed request line). A failure nobody expected is logged and answered 500 without its details.
 */
final class ErrorMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final HttpLimits limits;
    private final StoreHealth storeHealth;

    ErrorMapper(HttpLimits limits, StoreHealth storeHealth) {
        this.limits = limits;
        this.storeHealth = storeHealth;
    }

    void register(RoutesConfig routes) {
        routes.exception(HttpError.class, (e, ctx) -> {
            e.headers().forEach(ctx::header);
            answer(ctx, e.status(), e.getMessage());
        });
        routes.exception(HttpResponseException.class, this::routerRefusal);
        // Nothing of the request was acknowledged: the sender keeps what it sent and retries (the bridge spools hooks).
        routes.exception(StoreException.class, this::storeFailure);
        // Jetty's refusals met while reading the body (past the size limit, say): the status it chose.
        routes.exception(org.eclipse.jetty.http.HttpException.RuntimeException.class,
                (e, ctx) -> answer(ctx, e.getCode(), message(e.getCode())));
        routes.exception(Exception.class, (e, ctx) -> {
            // A full disk or a read-only database may arrive wrapped (a batch writer's future, say): still the store's.
            if (StoreHealth.storeCause(e) != null) {
                storeFailure(e, ctx);
                return;
            }
            // Jetty's verdict on the request itself (a chunked body cut short, say), met while the handler read it.
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof org.eclipse.jetty.http.HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
                    answer(ctx, http.getCode(), t instanceof org.eclipse.jetty.io.EofException
                            ? "the request body ends early or its chunked encoding is broken" : message(http.getCode()));
                    return;
                }
            }
            LOG.warn("{} {} failed: {}", ctx.method(), ctx.path(), e, e);
            answer(ctx, 500, "internal error; the daemon's log has the details");
        });
    }

    /** 503: nothing of the request was kept, so the sender keeps it and retries; /healthz says unhealthy until a write succeeds. */
    void storeFailure(Exception e, Context ctx) {
        LOG.warn("{} {}: store unavailable: {}", ctx.method(), ctx.path(), e.getMessage(), e);
        storeHealth.failed(e);
        ctx.header("X-Plutus-Error", "store unavailable");
        ctx.header("Retry-After", "5");
        answer(ctx, 503, "store unavailable: " + StoreHealth.reason(e));
    }

    private void routerRefusal(HttpResponseException e, Context ctx) {
        if (e instanceof MethodNotAllowedResponse) {
            String allowed = e.getDetails().values().stream().findFirst().orElse("");
            ctx.header("Allow", allowed);
            answer(ctx, 405, ctx.path() + " takes " + allowed.replace(", ", " or "));
        } else if (e instanceof EndpointNotFound) {
            answer(ctx, 404, "no such endpoint: " + ctx.path());
        } else if (e instanceof ContentTooLargeResponse) {
            answer(ctx, 413, message(413));
        } else {
            answer(ctx, e.getStatus(), e.getMessage());
        }
    }


    static void answer(Context ctx, int status, String message) {
        if (OtlpErrorBody.wanted(ctx)) {
            HttpApi.send(ctx, status, OtlpErrorBody.PROTOBUF, OtlpErrorBody.status(status, message));
            return;
        }
        HttpApi.sendJson(ctx, status, JSON.valueToTree(new ErrorAnswer(message)));
    }

    /** What Jetty itself answers, when the request never reached the router: JSON too, never an HTML page. */
    ErrorHandler jettyErrors() {
        return new ErrorHandler() {
            @Override
            protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                    Callback callback) throws IOException {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, ByteBuffer.wrap(body(code)), callback);
            }
        };
    }

    /** Jetty's own messages name its classes at times: the caller gets the limit, or the status's meaning, instead. */
    private String message(int code) {
        return switch (code) {
            case 413 -> "request body over " + limits.maxBodyBytes() + " bytes";
            case 431 -> "request headers over " + limits.maxHeaderBytes() + " bytes";
            case 400 -> "malformed HTTP request (request line, headers or body framing)";
            default -> HttpStatus.getMessage(code);
        };
    }

    private byte[] body(int code) {
        try {
            return JSON.writeValueAsBytes(new ErrorAnswer(message(code)));
        } catch (IOException e) {
            return ("{\"error\":\"" + code + "\"}").getBytes(StandardCharsets.US_ASCII);
        }
    }
}
