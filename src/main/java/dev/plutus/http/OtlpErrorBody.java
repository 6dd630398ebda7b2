package dev.plutus.http;

import com.google.protobuf.CodedOutputStream;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The error body OTLP/HTTP prescribes for a protobuf export: a {@code google.rpc.Status} message in
 * protobuf, so an OpenTelemetry exporter can read why it was refused. The message has two fields
 * here (code = 1, message = 2); its {@code details} are left out, which the format allows. Written by
 * hand with protobuf's own encoder: the message is that small, and its generated class lives in a
 * library of Google's common protos the project does not otherwise need.
 */
final class OtlpErrorBody {
    static final String PROTOBUF = "application/x-protobuf";

    private OtlpErrorBody() {
    }

    /** Whether the refused request is an OTLP export sent as protobuf, which expects its error in protobuf too. */
    static boolean wanted(Context ctx) {
        String type = ctx.contentType();
        return ctx.path().equals("/v1/traces") && type != null && type.toLowerCase(Locale.ROOT).startsWith(PROTOBUF);
    }

    /** The encoded {@code google.rpc.Status} for an HTTP refusal with this message. */
    static byte[] status(int httpStatus, String message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            out.writeInt32(1, grpcCode(httpStatus));
            out.writeString(2, message == null ? "" : message);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The gRPC status code closest to an HTTP status, as gRPC's own HTTP mapping pairs them. */
    static int grpcCode(int httpStatus) {
        return switch (httpStatus) {
            case 400, 413, 415 -> 3;   // INVALID_ARGUMENT
            case 401 -> 16;            // UNAUTHENTICATED
            case 403 -> 7;             // PERMISSION_DENIED
            case 404 -> 5;             // NOT_FOUND
            case 429 -> 8;             // RESOURCE_EXHAUSTED
            case 503 -> 14;            // UNAVAILABLE
            case 504 -> 4;             // DEADLINE_EXCEEDED
            default -> 13;             // INTERNAL
        };
    }
}
