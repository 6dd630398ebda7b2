package dev.plutus.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * {@code Forwarded} / {@code X-Forwarded-*} honoured only from a reverse proxy on this host (a
 * loopback peer): a client reaching the daemon directly could otherwise claim HTTPS or another
 * address. With it, a request the proxy took over TLS is secure here too, and cookies get
 * {@code Secure}.
 */
final class LoopbackProxyHeaders implements HttpConfiguration.Customizer {
    private final ForwardedRequestCustomizer forwarded = new ForwardedRequestCustomizer();

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        SocketAddress peer = request.getConnectionMetaData().getRemoteSocketAddress();
        if (peer instanceof InetSocketAddress a && a.getAddress() != null && a.getAddress().isLoopbackAddress()) {
            return forwarded.customize(request, responseHeaders);
        }
        return request;
    }
}
