package dev.plutus.http;

import dev.plutus.core.Json;
import dev.plutus.core.TerminalSafe;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Against DNS rebinding: a page on {@code evil.example} whose name is made to resolve to
 * 127.0.0.1 reaches the daemon from the victim's browser, but its requests carry
 * {@code Host: evil.example}. Only the daemon's own names are answered: the loopback names, the
 * address it listens on, any IP address written as such (a page can only rebind a name: a browser
 * that asks for an address by number is on that address's own origin), and the names configured
 * with {@code http.allowed_hosts} in plutus.yaml; any other Host gets 421. The hooks' Unix socket
 * is not reachable from a browser and is not checked.
 */
final class HostCheck extends Handler.Wrapper {
    static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "::1", "[::1]");

    private final Set<String> allowed;

    HostCheck(String bindHost, Set<String> configured) {
        Set<String> names = new LinkedHashSet<>(LOOPBACK_NAMES);
        names.add(bare(bindHost));
        configured.forEach(n -> names.add(bare(n)));
        this.allowed = Set.copyOf(names);
    }

    /** True when {@code hostHeader} (name or address, with or without a port) names this daemon. */
    boolean allows(String hostHeader) {
        if (hostHeader == null) {
            return true;
        }
        String host = bare(withoutPort(hostHeader.strip()));
        return allowed.contains(host) || IPV4.matcher(host).matches() || (host.contains(":") && IPV6.matcher(host).matches());
    }

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile("[0-9a-f:.]+(%[0-9a-z]+)?");

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (!(request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress) || allows(host)) {
            return super.handle(request, response, callback);
        }
        response.setStatus(421);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        String shown = TerminalSafe.of(host, 100);
        byte[] body = Json.MAPPER.writeValueAsBytes(new ErrorAnswer("Host '" + shown + "' is not a name of this daemon; "
                + "add it to http.allowed_hosts in plutus.yaml if you reach the daemon by that name"));
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    private static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        // Two colons or more: a bare IPv6 address, which has no port without brackets.
        return colon >= 0 && host.indexOf(':', colon + 1) < 0 ? host.substring(0, colon) : host;
    }

    private static String bare(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }
}
