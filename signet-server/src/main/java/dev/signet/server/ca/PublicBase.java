package dev.signet.server.ca;

import dev.signet.server.config.SignetSettings;
import java.net.URI;
import java.util.function.Supplier;

/**
 * The base of the URLs every certificate names ({@code BASE/ca/NAME/crl}, {@code .../ocsp}, {@code
 * .../cert}): {@code SIGNET_PUBLIC_URL} when set; otherwise the address the server listens on, known
 * once it listens (the port may be chosen by the system).
 */
final class PublicBase implements Supplier<URI> {
    private final boolean configured;
    private final String host;
    private volatile URI base;

    PublicBase(SignetSettings settings) {
        this.configured = settings.publicUrlConfigured();
        this.host = settings.host();
        this.base = settings.publicUrl();
    }

    /** The server listens on {@code port}: without a configured public URL, that is the base. */
    void listening(int port) {
        if (!configured) {
            base = URI.create("http://" + hostForUrl(host) + ":" + port);
        }
    }

    @Override
    public URI get() {
        return base;
    }

    /** A wildcard bind address is not somewhere a client can go; loopback is. */
    private static String hostForUrl(String host) {
        if (host.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        if (host.equals("::") || host.equals("[::]") || host.equals("0:0:0:0:0:0:0:0")) {
            return "[::1]";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
