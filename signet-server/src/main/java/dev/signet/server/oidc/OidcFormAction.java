package dev.signet.server.oidc;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.util.MultiValueMap;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * Where a console page's forms may lead besides Signet itself: the {@code form-action} sources of
 * its Content-Security-Policy (<a href="https://www.w3.org/TR/CSP3/#directive-form-action">CSP Level
 * 3 section 6.4.1</a>). Browsers apply {@code form-action} to every redirect that follows a form's
 * submission, so a sign-in, second-factor, step-up or consent form whose answer ends at an
 * application's redirect URI (RFC 6749 section 4.1.2) on another origin would be blocked by {@code
 * form-action 'self'} alone.
 *
 * <p>So a page gets one more source, and only while it can lead there: the origin of the redirect
 * URI of the authorization request waiting in the session ({@link OidcContinuation}), or, on the
 * consent page, of the request being approved. The URI must be one the client registered exactly
 * (the client enabled); the source is its exact origin ({@code https://app.example.com}, {@code
 * http://127.0.0.1:8400}), never a wildcard; a private-use scheme ({@code com.example.app:/cb}, RFC
 * 8252 section 7.1) gives that scheme. An IPv6 literal host cannot be written in a policy (CSP's
 * host grammar has no brackets) and gives nothing. Every other page keeps {@code form-action 'self'}.
 */
public final class OidcFormAction {
    /** A request attribute: the sources a page showing an authorization decision adds. */
    static final String ATTRIBUTE = "signet.oidc.formAction";

    private static final OAuth2TokenType STATE = new OAuth2TokenType(OAuth2ParameterNames.STATE);
    private static final Pattern HOST = Pattern.compile("[a-z0-9-]+(\\.[a-z0-9-]+)*");
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");

    private final SignetClients clients;
    private final DbAuthorizationService authorizations;
    private final Clock clock;

    OidcFormAction(SignetClients clients, DbAuthorizationService authorizations, Clock clock) {
        this.clients = clients;
        this.authorizations = authorizations;
        this.clock = clock;
    }

    /**
     * The sources the page answering {@code request} adds to {@code form-action 'self'}: none, or the
     * origin of the redirect URI an application waits at.
     */
    public List<String> sources(HttpServletRequest request) {
        if (request.getAttribute(ATTRIBUTE) instanceof String source) {
            return List.of(source);
        }
        return OidcContinuation.peek(request, clock)
                .flatMap(this::fromSavedRequest)
                .map(List::of)
                .orElse(List.of());
    }

    /**
     * The consent page for an authorization request (its consent {@code state}, made by Spring when
     * it stored the request): allowing or denying posts to the authorization endpoint, which answers
     * with a redirect to the client.
     */
    void consentPage(HttpServletRequest request, OidcClient client, String consentState) {
        OAuth2Authorization pending = authorizations.findByToken(consentState, STATE);
        if (pending == null || !client.clientId().equals(pending.getRegisteredClientId())) {
            return;
        }
        OAuth2AuthorizationRequest asked = pending.getAttribute(OAuth2AuthorizationRequest.class.getName());
        redirectSource(client, asked == null ? null : asked.getRedirectUri())
                .ifPresent(source -> request.setAttribute(ATTRIBUTE, source));
    }

    /** A waiting {@code /oauth2/authorize?...}: its client's redirect URI, if registered. */
    private Optional<String> fromSavedRequest(String pathAndQuery) {
        if (!pathAndQuery.startsWith("/oauth2/authorize?")) {
            return Optional.empty(); // a device approval comes back to Signet only
        }
        MultiValueMap<String, String> query =
                UriComponentsBuilder.fromUriString(pathAndQuery).build().getQueryParams();
        String clientId = decoded(query.getFirst(OAuth2ParameterNames.CLIENT_ID));
        return clients.client(clientId)
                .flatMap(client -> redirectSource(client, decoded(query.getFirst(OAuth2ParameterNames.REDIRECT_URI))));
    }

    /**
     * The source for {@code redirectUri} when {@code client} registered it exactly; without one, the
     * client's only registered URI (where Spring sends the answer then).
     */
    static Optional<String> redirectSource(OidcClient client, String redirectUri) {
        if (redirectUri == null || redirectUri.isEmpty()) {
            return client.redirectUris().size() == 1
                    ? source(client.redirectUris().get(0))
                    : Optional.empty();
        }
        return client.redirectUris().contains(redirectUri) ? source(redirectUri) : Optional.empty();
    }

    /**
     * A CSP source expression matching exactly the origin of {@code uri}: {@code scheme://host[:port]}
     * for http and https, {@code scheme:} for a private-use scheme; empty when the origin cannot be
     * written as one.
     */
    static Optional<String> source(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = parsed.getScheme();
        if (scheme == null || !SCHEME.matcher(scheme).matches()) {
            return Optional.empty();
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            // a private-use scheme names the application (RFC 8252 section 7.1): never a web scheme
            return scheme.contains(".") ? Optional.of(scheme + ":") : Optional.empty();
        }
        String host = parsed.getHost() == null ? null : parsed.getHost().toLowerCase(Locale.ROOT);
        if (host == null || !HOST.matcher(host).matches()) {
            return Optional.empty();
        }
        return Optional.of(scheme + "://" + host + (parsed.getPort() < 0 ? "" : ":" + parsed.getPort()));
    }

    private static String decoded(String value) {
        return value == null ? null : UriUtils.decode(value, StandardCharsets.UTF_8);
    }
}
