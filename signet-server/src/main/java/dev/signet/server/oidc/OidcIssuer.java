package dev.signet.server.oidc;

import dev.signet.server.config.SignetSettings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Supplier;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContext;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The issuer identifier (<a href="https://openid.net/specs/openid-connect-discovery-1_0.html#IssuerDiscovery">OpenID
 * Connect Discovery 1.0 section 2</a>, RFC 8414 section 2): {@code SIGNET_PUBLIC_URL} when set,
 * otherwise the address the server listens on (known once it listens: the port may be chosen by the
 * system). Never taken from a request's Host header.
 */
public final class OidcIssuer implements Supplier<String> {
    private final boolean configured;
    private final String host;
    private volatile String issuer;

    OidcIssuer(SignetSettings settings) {
        this.configured = settings.publicUrlConfigured();
        this.host = settings.host();
        this.issuer = settings.publicUrl().toString();
    }

    /** The server listens on {@code port}: without a configured public URL, that makes the issuer. */
    void listening(int port) {
        if (!configured) {
            issuer = "http://" + hostForUrl(host) + ":" + port;
        }
    }

    @Override
    public String get() {
        return issuer;
    }

    /** {@code path} (starting with "/") on this server, as an absolute URL. */
    public String url(String path) {
        return issuer + path;
    }

    private static String hostForUrl(String host) {
        if (host.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        if (host.equals("::") || host.equals("[::]") || host.equals("0:0:0:0:0:0:0:0")) {
            return "[::1]";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /**
     * Puts this issuer in the authorization server's context for the request, in place of the one
     * Spring would derive from the request's own URL.
     */
    static final class ContextFilter extends OncePerRequestFilter {
        private final OidcIssuer issuer;
        private final AuthorizationServerSettings settings;

        ContextFilter(OidcIssuer issuer, AuthorizationServerSettings settings) {
            this.issuer = issuer;
            this.settings = settings;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String value = issuer.get();
            AuthorizationServerContextHolder.setContext(new AuthorizationServerContext() {
                @Override
                public String getIssuer() {
                    return value;
                }

                @Override
                public AuthorizationServerSettings getAuthorizationServerSettings() {
                    return settings;
                }
            });
            try {
                chain.doFilter(request, response);
            } finally {
                AuthorizationServerContextHolder.resetContext();
            }
        }
    }
}
