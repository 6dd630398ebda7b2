package dev.plutus.pricing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One GET of a price source under a total deadline (connect, headers and the whole body) and a
 * size cap. The JDK client's own request timeout stops at the headers: a server that then sends
 * a byte a second held the CLI, and the daemon's price refresh, for as long as it liked.
 *
 * @param deadline the whole fetch, from connecting to the last byte
 * @param maxBytes the largest body accepted; a larger one is refused before it is read whole
 */
public record PriceDownload(Duration deadline, long maxBytes) {
    /** OpenRouter's answer is about 0.7 MB, LiteLLM's map about 1.7 MB (2026): 32 MiB leaves room for years. */
    public static final PriceDownload DEFAULT = new PriceDownload(Duration.ofSeconds(60), 32L << 20);

    public PriceDownload {
        if (deadline.isNegative() || deadline.isZero() || maxBytes <= 0) {
            throw new IllegalArgumentException("a price download needs a positive deadline and size cap");
        }
    }

    /** The answer of a successful fetch: the HTTP status and the body as UTF-8 text. */
    public record Answer(int status, String body) {}

    /** GETs {@code uri}; any status is returned, a failure to finish in time or within the cap is an IOException. */
    public Answer get(URI uri, boolean followRedirects) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpClient http = HttpClient.newBuilder().connectTimeout(min(deadline, Duration.ofSeconds(10)))
                .followRedirects(followRedirects ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER).build();
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(deadline).header("Accept", "application/json").GET().build();
        Capped body = new Capped(maxBytes);
        CompletableFuture<HttpResponse<byte[]>> pending = http.sendAsync(req, info -> body.forAnswer(info));
        long left = deadline.toNanos() - (System.nanoTime() - start);
        try {
            HttpResponse<byte[]> resp = pending.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            return new Answer(resp.statusCode(), new String(resp.body(), StandardCharsets.UTF_8));
        } catch (TimeoutException e) {
            body.abandon();
            pending.cancel(true);
            throw new IOException("the answer did not finish within " + seconds(deadline) + " (" + body.received()
                    + " bytes received); the source is too slow or stalled");
        } catch (InterruptedException e) {
            body.abandon();
            pending.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.http.HttpTimeoutException) {
                throw new IOException("the answer did not finish within " + seconds(deadline)
                        + "; the source is too slow or stalled", cause);
            }
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    private static String mib(long bytes) {
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    /** Collects the body up to the cap; past it, stops the transfer and fails the fetch. */
    private static final class Capped implements HttpResponse.BodySubscriber<byte[]> {
        private final long max;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private volatile Flow.Subscription subscription;
        private volatile long received;

        Capped(long max) {
            this.max = max;
        }

        HttpResponse.BodySubscriber<byte[]> forAnswer(HttpResponse.ResponseInfo info) {
            long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
            if (declared > max) {
                // Refused from the header alone: nothing of it is read.
                result.completeExceptionally(tooLarge(max));
            }
            return this;
        }

        long received() {
            return received;
        }

        void abandon() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (result.isDone()) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public synchronized void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                received += b.remaining();
                if (received > max) {
                    subscription.cancel();
                    result.completeExceptionally(tooLarge(max));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public synchronized void onComplete() {
            result.complete(bytes.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        private static IOException tooLarge(long max) {
            return new IOException("the answer is larger than " + mib(max) + " (the most a price list may be)");
        }
    }
}
