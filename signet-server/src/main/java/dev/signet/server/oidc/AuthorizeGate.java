package dev.signet.server.oidc;

import dev.signet.server.signin.FactorPolicy;
import dev.signet.server.signin.SignetAuthentication;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationValidator;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.util.StringUtils;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * Who may get a code, and how the browser gets there. An authorization request is answered for a
 * user who is signed in completely (a half-done sign-in counts as none), strongly enough, and
 * recently enough:
 *
 * <ul>
 *   <li>assurance: the client's "require MFA" setting, and the request's {@code acr_values} (<a
 *       href="https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest">OpenID Connect Core
 *       1.0 section 3.1.2.1</a>; {@link Assurance}). A weaker session is sent to a step-up with the
 *       missing factor; a user who has no factor that could meet it is told so (nothing issued);
 *   <li>freshness: {@code max_age} (the last authentication in the session must be at most that many
 *       seconds ago) and {@code prompt=login} (a new authentication), both by a step-up;
 *   <li>with {@code prompt=none}, any of these answers the client with {@code login_required} or
 *       {@code interaction_required} instead of showing a page.
 * </ul>
 *
 * <p>The request is checked by Spring first (client, exact redirect URI, scopes; PKCE next), so a
 * bad request is refused before the user is asked for anything. The request waits in the session
 * ({@link OidcContinuation}) while the user signs in or steps up, and the sign-in flow brings the
 * browser back to it.
 */
final class AuthorizeGate {
    /** The request attribute holding the sign-in a request was made in when it was not complete. */
    static final String PENDING = "signet.oidc.pendingSignIn";

    private final SignetClients clients;
    private final FactorPolicy policy;
    private final Clock clock;

    AuthorizeGate(SignetClients clients, FactorPolicy policy, Clock clock) {
        this.clients = clients;
        this.policy = policy;
        this.clock = clock;
    }

    /** What is missing, for the error handler. */
    static final class NotYet extends OAuth2AuthorizationCodeRequestAuthenticationException {
        enum Need {
            STEP_UP,
            UNMET
        }

        final Need need;
        final Assurance required;
        final boolean fresh;
        final String clientId;

        NotYet(
                Need need,
                Assurance required,
                boolean fresh,
                String clientId,
                OAuth2AuthorizationCodeRequestAuthenticationToken request) {
            super(
                    new OAuth2Error("interaction_required", "a stronger or newer authentication is needed", null),
                    request);
            this.need = need;
            this.required = required;
            this.fresh = fresh;
            this.clientId = clientId;
        }
    }

    /** Spring's checks (redirect URI, scopes), then Signet's assurance and freshness rules. */
    Consumer<OAuth2AuthorizationCodeRequestAuthenticationContext> validator() {
        return new OAuth2AuthorizationCodeRequestAuthenticationValidator().andThen(this::check);
    }

    private void check(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
        OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
        if (!(request.getPrincipal() instanceof SignetAuthentication auth)
                || auth.stage() != SignetAuthentication.Stage.COMPLETE) {
            return; // not signed in: Spring sends the browser to sign in
        }
        RegisteredClient registered = context.getRegisteredClient();
        if (!pkcePlausible(registered, request.getAdditionalParameters())) {
            return; // Spring refuses the request next; no step-up for a request that will fail
        }
        Map<String, Object> params = request.getAdditionalParameters();
        Set<String> prompt = words(params.get("prompt"));
        Optional<OidcClient> client = clients.client(registered.getClientId());
        Assurance required =
                Assurance.required(string(params.get("acr_values"))).orElse(Assurance.PWD);
        if (client.map(OidcClient::requireMfa).orElse(false) && !required.satisfies(Assurance.MFA)) {
            required = Assurance.MFA;
        }
        Integer maxAge = maxAge(params.get("max_age"), request, registered);
        Instant now = clock.instant();
        boolean fresh = prompt.contains("login")
                || (maxAge != null
                        && auth.lastAuthenticatedAt().plusSeconds(maxAge).isBefore(now));
        if (fresh && freshAuthenticationSince(auth)) {
            fresh = false;
        }
        boolean strongEnough = Assurance.of(auth).satisfies(required);
        if (strongEnough && !fresh) {
            forgetFreshMarker();
            return;
        }
        if (prompt.contains("none")) {
            throw error(fresh ? "login_required" : "interaction_required", "prompt", request, registered);
        }
        if (!strongEnough && !canReach(auth.getPrincipal().userId(), required)) {
            throw new NotYet(
                    NotYet.Need.UNMET, required, fresh, registered.getClientId(), withRedirect(request, registered));
        }
        throw new NotYet(
                NotYet.Need.STEP_UP, required, fresh, registered.getClientId(), withRedirect(request, registered));
    }

    /** Whether the user has a factor that can bring a session to {@code required}. */
    private boolean canReach(String userId, Assurance required) {
        FactorPolicy.Enrolled enrolled = policy.enrolled(userId);
        return switch (required) {
            case PWD -> true;
            case MFA -> enrolled.any();
            case PHISHING_RESISTANT -> enrolled.passkeys() > 0;
        };
    }

    /** Whether the user authenticated again after a fresh authentication was asked for. */
    private static boolean freshAuthenticationSince(SignetAuthentication auth) {
        HttpSession session = currentSession(false);
        if (session == null || !(session.getAttribute(OidcContinuation.FRESH_AFTER) instanceof Instant asked)) {
            return false;
        }
        return !auth.lastAuthenticatedAt().isBefore(asked);
    }

    private static void forgetFreshMarker() {
        HttpSession session = currentSession(false);
        if (session != null) {
            session.removeAttribute(OidcContinuation.FRESH_AFTER);
        }
    }

    private static HttpSession currentSession(boolean create) {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
            return attributes.getRequest().getSession(create);
        }
        return null;
    }

    private static boolean pkcePlausible(RegisteredClient client, Map<String, Object> params) {
        Object challenge = params.get("code_challenge");
        Object method = params.get("code_challenge_method");
        if (client.getClientSettings().isRequireProofKey() && !StringUtils.hasText(string(challenge))) {
            return false;
        }
        return method == null || "S256".equals(method);
    }

    private Integer maxAge(
            Object value, OAuth2AuthorizationCodeRequestAuthenticationToken request, RegisteredClient client) {
        String text = string(value);
        if (text == null) {
            return null;
        }
        try {
            int seconds = Integer.parseInt(text);
            if (seconds >= 0) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw error(OAuth2ErrorCodes.INVALID_REQUEST, "max_age", request, client);
    }

    private static OAuth2AuthorizationCodeRequestAuthenticationException error(
            String code,
            String parameter,
            OAuth2AuthorizationCodeRequestAuthenticationToken request,
            RegisteredClient client) {
        return new OAuth2AuthorizationCodeRequestAuthenticationException(
                new OAuth2Error(
                        code,
                        "OpenID Connect parameter: " + parameter,
                        "https://openid.net/specs/openid-connect-core-1_0.html#AuthError"),
                withRedirect(request, client));
    }

    /** The request with the redirect URI its error goes to: the one it named, or the client's only one. */
    private static OAuth2AuthorizationCodeRequestAuthenticationToken withRedirect(
            OAuth2AuthorizationCodeRequestAuthenticationToken request, RegisteredClient client) {
        String redirectUri = request.getRedirectUri();
        if (!StringUtils.hasText(redirectUri)) {
            redirectUri = client.getRedirectUris().iterator().next();
        }
        return new OAuth2AuthorizationCodeRequestAuthenticationToken(
                request.getAuthorizationUri(),
                request.getClientId(),
                (Authentication) request.getPrincipal(),
                redirectUri,
                request.getState(),
                request.getScopes(),
                request.getAdditionalParameters());
    }

    private static Set<String> words(Object value) {
        String text = string(value);
        return text == null ? Set.of() : Set.copyOf(Arrays.asList(text.trim().split("\\s+")));
    }

    private static String string(Object value) {
        return value instanceof String s && !s.isBlank() ? s : null;
    }

    // ---- the browser side ----------------------------------------------------------------------

    /**
     * Errors of the authorization endpoint: a missing factor or freshness sends the browser to the
     * step-up (the request waits); a factor the user does not have shows a page saying so; anything
     * else is Spring's behaviour (RFC 6749 section 4.1.2.1): an error page when the client or
     * redirect URI is not trusted, else a redirect to the client with the error.
     */
    AuthenticationFailureHandler errorHandler() {
        return (request, response, exception) -> {
            if (exception instanceof NotYet notYet) {
                OidcContinuation.save(request, pathAndQuery(request), clock);
                if (notYet.need == NotYet.Need.UNMET) {
                    response.sendRedirect(request.getContextPath() + "/oidc/unmet?client="
                            + UriUtils.encodeQueryParam(notYet.clientId, StandardCharsets.UTF_8) + "&level="
                            + notYet.required.name().toLowerCase(java.util.Locale.ROOT));
                    return;
                }
                if (notYet.fresh) {
                    request.getSession().setAttribute(OidcContinuation.FRESH_AFTER, clock.instant());
                }
                response.sendRedirect(request.getContextPath() + "/account/step-up?next=" + OidcContinuation.PATH);
                return;
            }
            sendError(request, response, exception);
        };
    }

    static void sendError(HttpServletRequest request, HttpServletResponse response, AuthenticationException exception)
            throws IOException {
        if (!(exception instanceof OAuth2AuthorizationCodeRequestAuthenticationException e)
                || e.getAuthorizationCodeRequestAuthentication() == null
                || !StringUtils.hasText(
                        e.getAuthorizationCodeRequestAuthentication().getRedirectUri())) {
            response.sendError(HttpStatus.BAD_REQUEST.value());
            return;
        }
        OAuth2Error error = e.getError();
        OAuth2AuthorizationCodeRequestAuthenticationToken failed = e.getAuthorizationCodeRequestAuthentication();
        UriComponentsBuilder uri = UriComponentsBuilder.fromUriString(failed.getRedirectUri())
                .queryParam(OAuth2ParameterNames.ERROR, error.getErrorCode());
        if (StringUtils.hasText(error.getDescription())) {
            uri.queryParam(
                    OAuth2ParameterNames.ERROR_DESCRIPTION,
                    UriUtils.encode(error.getDescription(), StandardCharsets.UTF_8));
        }
        if (StringUtils.hasText(error.getUri())) {
            uri.queryParam(OAuth2ParameterNames.ERROR_URI, UriUtils.encode(error.getUri(), StandardCharsets.UTF_8));
        }
        if (StringUtils.hasText(failed.getState())) {
            uri.queryParam(OAuth2ParameterNames.STATE, UriUtils.encode(failed.getState(), StandardCharsets.UTF_8));
        }
        response.sendRedirect(uri.build(true).toUriString());
    }

    /**
     * Where a browser that is not signed in goes: the next step of a half-done sign-in, or the sign-in
     * page; the request waits in the session.
     */
    AuthenticationEntryPoint entryPoint() {
        return (request, response, exception) -> {
            OidcContinuation.save(request, pathAndQuery(request), clock);
            Object pending = request.getAttribute(PENDING);
            if (pending instanceof SignetAuthentication half) {
                response.sendRedirect(request.getContextPath() + landing(half.stage()));
                return;
            }
            // A sign-in from here on is a fresh authentication (prompt=login, max_age).
            request.getSession().setAttribute(OidcContinuation.FRESH_AFTER, clock.instant());
            response.sendRedirect(request.getContextPath() + "/signin");
        };
    }

    private static String landing(SignetAuthentication.Stage stage) {
        return switch (stage) {
            case SECOND_FACTOR -> "/signin/factor";
            case ENROL -> "/account/factors?enrol";
            case COMPLETE -> "/";
        };
    }

    /** The request as a local path and query, to come back to (a POSTed request becomes a GET). */
    static String pathAndQuery(HttpServletRequest request) {
        String path = request.getRequestURI();
        if ("GET".equals(request.getMethod())) {
            return request.getQueryString() == null ? path : path + "?" + request.getQueryString();
        }
        UriComponentsBuilder uri = UriComponentsBuilder.fromPath(path);
        request.getParameterMap().forEach((name, values) -> {
            for (String value : values) {
                uri.queryParam(
                        UriUtils.encodeQueryParam(name, StandardCharsets.UTF_8),
                        UriUtils.encodeQueryParam(value, StandardCharsets.UTF_8));
            }
        });
        return uri.build(true).toUriString();
    }

    /**
     * A device approval ({@code GET /oauth2/device_verification?user_code=...}) for a client that
     * always requires a second factor: a session without one is sent to the step-up first (or told
     * that the account has no second factor), like an authorization request.
     */
    Filter deviceApproval(DbAuthorizationService authorizations) {
        return new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                String path = request.getRequestURI()
                        .substring(request.getContextPath().length());
                String userCode = request.getParameter("user_code");
                if ("GET".equals(request.getMethod())
                        && path.equals("/oauth2/device_verification")
                        && userCode != null
                        && SecurityContextHolder.getContext().getAuthentication() instanceof SignetAuthentication auth
                        && auth.stage() == SignetAuthentication.Stage.COMPLETE
                        && !Assurance.of(auth).satisfies(Assurance.MFA)) {
                    org.springframework.security.oauth2.server.authorization.OAuth2Authorization device =
                            authorizations.findByToken(userCode, USER_CODE);
                    Optional<OidcClient> client =
                            device == null ? Optional.empty() : clients.client(device.getRegisteredClientId());
                    if (client.isPresent() && client.get().requireMfa()) {
                        OidcContinuation.save(
                                request,
                                "/device?user_code=" + UriUtils.encodeQueryParam(userCode, StandardCharsets.UTF_8),
                                clock);
                        if (canReach(auth.getPrincipal().userId(), Assurance.MFA)) {
                            response.sendRedirect(
                                    request.getContextPath() + "/account/step-up?next=" + OidcContinuation.PATH);
                        } else {
                            response.sendRedirect(request.getContextPath() + "/oidc/unmet?client="
                                    + UriUtils.encodeQueryParam(client.get().clientId(), StandardCharsets.UTF_8)
                                    + "&level=mfa");
                        }
                        return;
                    }
                }
                chain.doFilter(request, response);
            }
        };
    }

    private static final org.springframework.security.oauth2.server.authorization.OAuth2TokenType USER_CODE =
            new org.springframework.security.oauth2.server.authorization.OAuth2TokenType("user_code");

    /**
     * A sign-in that is not complete (password done, second factor not yet) is not a signed-in user
     * for the authorization server: the request goes on as anonymous, and the entry point sends the
     * browser to the missing step.
     */
    static final class HalfSignedIn extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            Authentication auth = SecurityContextHolder.getContext().getAuthentication();
            if (auth instanceof SignetAuthentication s && s.stage() != SignetAuthentication.Stage.COMPLETE) {
                request.setAttribute(PENDING, s);
                SecurityContextHolder.setContext(SecurityContextHolder.createEmptyContext());
            }
            chain.doFilter(request, response);
        }
    }
}
