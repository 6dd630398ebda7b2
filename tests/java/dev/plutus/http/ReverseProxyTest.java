package dev.plutus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behind a TLS-terminating reverse proxy: the daemon believes "this came over HTTPS" only from a proxy
 * on its own host, marks its cookie Secure then, and away from loopback the dashboard token is pasted
 * into a form, never carried in an address.
 */
class ReverseProxyTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void aProxyOnThisHostThatSaysHttpsGetsASecureCookie(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("plutus.yaml", "http:\n  behind_proxy: true\n").start()) {
            String base = "http://127.0.0.1:" + d.daemon().info().port();
            String token = Files.readString(home.resolve("dashboard.token")).strip();
            assertTrue(cookie(signIn(base, token, "https")).contains("; Secure"), "forwarded as https");
            assertFalse(cookie(signIn(base, token, null)).contains("Secure"), "plain http to the daemon itself");
        }
    }

    /** With a proxy in front every browser arrives from loopback: the page must not hand out the token. */
    @Test
    void behindAProxyOnLoopbackTheDashboardStillAsksForItsToken(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).file("plutus.yaml", "http:\n  behind_proxy: true\n").start()) {
            String url = "http://127.0.0.1:" + d.daemon().info().port() + "/";
            HttpResponse<String> r = get(url, "https");
            assertEquals(401, r.statusCode());
            assertTrue(r.body().contains("action=\"/signin\""), r.body());
            assertTrue(r.headers().firstValue("Set-Cookie").isEmpty(), "no token to a browser that did not give it");
            HttpResponse<String> api = HTTP.send(HttpRequest.newBuilder(URI.create(url + "api/summary")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, api.statusCode());
        }
    }

    @Test
    void withoutBehindProxyForwardedHeadersAreIgnored(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.start(home)) {
            String url = "http://127.0.0.1:" + d.daemon().info().port() + "/";
            assertFalse(cookie(get(url, "https")).contains("Secure"));
        }
    }

    @Test
    void aClientOnAnotherAddressCannotClaimHttps(@TempDir Path home) throws Exception {
        Optional<InetAddress> own = ownNonLoopbackAddress();
        Assumptions.assumeTrue(own.isPresent(), "this machine has no non-loopback IPv4 address to connect from");
        Files.createDirectories(home);
        try (DaemonHarness d = DaemonHarness.in(home).file("plutus.yaml", "http:\n  behind_proxy: true\n")
                .options(new ServeOptions("0.0.0.0", 0, 4)).start()) {
            String token = Files.readString(home.resolve("dashboard.token")).strip();
            String direct = "http://" + own.get().getHostAddress() + ":" + d.daemon().info().port();
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(direct + "/signin"))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("X-Forwarded-Proto", "https")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, r.statusCode());
            assertFalse(cookie(r).contains("Secure"), "a peer that is not on this host is not a trusted proxy");
        }
    }

    @Test
    void awayFromLoopbackTheTokenIsPastedIntoAFormNotPutInAnAddress(@TempDir Path home) throws Exception {
        try (DaemonHarness d = DaemonHarness.in(home).options(new ServeOptions("0.0.0.0", 0, 4)).start()) {
            String base = "http://127.0.0.1:" + d.daemon().info().port();
            String token = Files.readString(home.resolve("dashboard.token")).strip();

            HttpResponse<String> form = get(base + "/", null);
            assertEquals(401, form.statusCode());
            assertTrue(form.body().contains("<form method=\"post\" action=\"/signin\""), form.body());
            assertTrue(form.headers().firstValue("Set-Cookie").isEmpty(), "no cookie without the token");

            HttpResponse<String> wrong = signIn(base, "not-the-token");
            assertEquals(401, wrong.statusCode());
            assertTrue(wrong.body().contains("That is not the token"), wrong.body());
            assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty());

            HttpResponse<String> right = signIn(base, token);
            assertEquals(303, right.statusCode());
            assertEquals("/", right.headers().firstValue("Location").orElse(""));
            String cookie = cookie(right).split(";", 2)[0];
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/")).header("Cookie", cookie).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("Plutus"), "the dashboard itself");
            HttpResponse<String> api = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/summary")).header("Cookie", cookie).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, api.statusCode(), api.body());
        }
    }

    private static HttpResponse<String> signIn(String base, String token) throws Exception {
        return signIn(base, token, null);
    }

    private static HttpResponse<String> signIn(String base, String token, String forwardedProto) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/signin")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token));
        if (forwardedProto != null) {
            b.header("X-Forwarded-Proto", forwardedProto);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url, String forwardedProto) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (forwardedProto != null) {
            b.header("X-Forwarded-Proto", forwardedProto);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookie(HttpResponse<String> r) {
        return r.headers().firstValue("Set-Cookie").orElseThrow(() -> new AssertionError("no Set-Cookie: " + r.statusCode()));
    }

    private static Optional<InetAddress> ownNonLoopbackAddress() throws Exception {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }
}
