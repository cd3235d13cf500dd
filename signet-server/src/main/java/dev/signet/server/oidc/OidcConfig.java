package dev.signet.server.oidc;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.signin.FactorPolicy;
import dev.signet.server.signin.SignetAuthentication;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import dev.signet.server.token.TokenService;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.OidcUserInfo;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2RefreshTokenAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenExchangeAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.oidc.authentication.OidcLogoutAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.oidc.authentication.OidcUserInfoAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.DelegatingOAuth2TokenGenerator;
import org.springframework.security.oauth2.server.authorization.token.JwtGenerator;
import org.springframework.security.oauth2.server.authorization.token.OAuth2RefreshTokenGenerator;
import org.springframework.security.oauth2.server.authorization.web.authentication.JwtClientAssertionAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.logout.SecurityContextLogoutHandler;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The OpenID Connect provider: Spring Security's authorization server, wired to Signet's clients,
 * storage, keys, sign-in and sessions. Endpoints (Spring's defaults): {@code
 * /.well-known/openid-configuration}, {@code /.well-known/oauth-authorization-server}, {@code
 * /oauth2/authorize}, {@code /oauth2/token}, {@code /oauth2/jwks}, {@code /oauth2/revoke}, {@code
 * /oauth2/introspect}, {@code /oauth2/device_authorization}, {@code /oauth2/device_verification},
 * {@code /userinfo}, {@code /connect/logout}. Grants: authorization code (PKCE), refresh token,
 * client credentials, device code; implicit and password are not offered, nor token exchange.
 *
 * <p>Its filter chain comes before the console's and matches only these endpoints; the pages a
 * person sees (sign-in, second factor, step-up, consent, device code entry) are the console's.
 */
@Configuration(proxyBeanMethods = false)
class OidcConfig {
    private static final Logger log = LoggerFactory.getLogger(OidcConfig.class);
    static final List<String> GRANT_TYPES = List.of(
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:device_code");
    static final List<String> CLIENT_AUTH_METHODS =
            List.of("client_secret_basic", "client_secret_post", "private_key_jwt", "none");

    @Bean
    OidcIssuer oidcIssuer(SignetSettings settings) {
        return new OidcIssuer(settings);
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings() {
        return AuthorizationServerSettings.builder().build();
    }

    @Bean
    TokenKeys tokenKeys(
            Store store, KeyRing keyRing, AuditLog audit, Clock clock, SignetSettings settings, ClientService clients) {
        TokenKeys keys = new TokenKeys(
                store, keyRing, audit, clock, settings.oidc().keyRotation(), () -> longestTokenLifetime(clients));
        keys.start();
        return keys;
    }

    /** The longest lifetime of a signed token any client gets (access and ID tokens share it). */
    static Duration longestTokenLifetime(ClientService clients) {
        Duration longest = Duration.ofHours(1);
        for (OidcClient client : clients.list()) {
            if (client.accessTokenTtl().compareTo(longest) > 0) {
                longest = client.accessTokenTtl();
            }
        }
        return longest;
    }

    @Bean
    SignetClients signetClients(ClientService clients) {
        return new SignetClients(clients);
    }

    @Bean
    SignetJwtEncoder signetJwtEncoder(TokenKeys keys) {
        return new SignetJwtEncoder(keys);
    }

    @Bean
    DbAuthorizationService dbAuthorizationService(
            Store store,
            KeyRing keyRing,
            Clock clock,
            TokenKeys keys,
            SignetClients clients,
            AuditLog audit,
            ClientService registry) {
        DbAuthorizationService service =
                new DbAuthorizationService(store, keyRing, clock, keys, clients, audit, OidcLogout.currentSid());
        registry.onDelete(service::clientDeleted);
        return service;
    }

    @Bean
    DbConsentService dbConsentService(Store store, AuditLog audit, Clock clock, ClientService registry) {
        DbConsentService service = new DbConsentService(store, audit, clock);
        registry.onDelete(service::clientDeleted);
        return service;
    }

    @Bean
    ClientAssertions clientAssertions(SignetClients clients, Store store, Clock clock, OidcIssuer issuer) {
        return new ClientAssertions(clients, store, clock, () -> {
            String base = issuer.get();
            return List.of(
                    base,
                    base + "/oauth2/token",
                    base + "/oauth2/introspect",
                    base + "/oauth2/revoke",
                    base + "/oauth2/device_authorization");
        });
    }

    @Bean(destroyMethod = "close")
    OidcLogout oidcLogout(
            DbAuthorizationService authorizations,
            SignetClients clients,
            SignetJwtEncoder encoder,
            OidcIssuer issuer,
            AuditLog audit,
            Clock clock) {
        return new OidcLogout(authorizations, clients, encoder, issuer, audit, clock);
    }

    /**
     * OpenID Connect sessions are Signet's database sessions, tracked by {@link OidcLogout}; Spring's
     * in-memory registry (one node only, never emptied) is replaced by this one, which tracks nothing.
     */
    @Bean
    SessionRegistry oidcSessionRegistry() {
        return new SessionRegistry() {
            @Override
            public List<Object> getAllPrincipals() {
                return List.of();
            }

            @Override
            public List<SessionInformation> getAllSessions(Object principal, boolean includeExpiredSessions) {
                return List.of();
            }

            @Override
            public SessionInformation getSessionInformation(String sessionId) {
                return null;
            }

            @Override
            public void refreshLastRequest(String sessionId) {}

            @Override
            public void registerNewSession(String sessionId, Object principal) {}

            @Override
            public void removeSessionInformation(String sessionId) {}
        };
    }

    @Bean(destroyMethod = "close")
    Maintenance oidcMaintenance(TokenKeys keys, DbAuthorizationService authorizations, ClientAssertions assertions) {
        return new Maintenance(keys, authorizations, assertions);
    }

    /** Once the server listens, the issuer is known and the schedule may start. */
    @Bean
    ApplicationListener<WebServerInitializedEvent> oidcListening(OidcIssuer issuer, Maintenance maintenance) {
        return event -> {
            issuer.listening(event.getWebServer().getPort());
            maintenance.start();
        };
    }

    @Bean
    @Order(0)
    SecurityFilterChain authorizationServer(
            HttpSecurity http,
            OidcIssuer issuer,
            AuthorizationServerSettings settings,
            SignetClients clients,
            DbAuthorizationService authorizations,
            DbConsentService consents,
            ClientAssertions assertions,
            TokenKeys keys,
            SignetJwtEncoder encoder,
            OidcLogout logout,
            FactorPolicy policy,
            UserRepository users,
            TokenService apiTokens,
            AuditLog audit,
            MeterRegistry meters,
            Clock clock)
            throws Exception {
        AuthorizeGate gate = new AuthorizeGate(clients, policy, clock);
        TokenEvents events = new TokenEvents(audit, meters, clients, users);
        JwtGenerator jwtGenerator = new JwtGenerator(encoder);
        jwtGenerator.setJwtCustomizer(new TokenClaims(clients, users, clock));
        OAuth2RefreshTokenGenerator refreshTokens = new OAuth2RefreshTokenGenerator();
        refreshTokens.setClock(clock);
        JWKSource<SecurityContext> jwks = (selector, context) -> selector.select(new JWKSet(keys.published()));
        http.setSharedObject(JWKSource.class, jwks);
        http.oauth2AuthorizationServer(server -> {
                    http.securityMatcher(server.getEndpointsMatcher());
                    server.registeredClientRepository(clients)
                            .authorizationService(authorizations)
                            .authorizationConsentService(consents)
                            .authorizationServerSettings(settings)
                            .tokenGenerator(new DelegatingOAuth2TokenGenerator(
                                    new CliTokens(apiTokens, users, clock), jwtGenerator, refreshTokens))
                            .clientAuthentication(client -> client.errorResponseHandler(
                                            events.clientAuthenticationFailed())
                                    .authenticationConverters(converters -> {
                                        converters.replaceAll(
                                                c -> c instanceof JwtClientAssertionAuthenticationConverter
                                                        ? ClientAuthentications.assertionClientId(c)
                                                        : c);
                                        converters.add(0, ClientAuthentications.publicDeviceConverter());
                                    })
                                    .authenticationProviders(providers -> {
                                        providers.add(0, ClientAuthentications.publicDeviceProvider(clients));
                                        for (var provider : providers) {
                                            if (provider instanceof ClientSecretAuthenticationProvider secrets) {
                                                secrets.setPasswordEncoder(SignetClients.secretEncoder());
                                            }
                                            if (provider instanceof JwtClientAssertionAuthenticationProvider jwt) {
                                                jwt.setJwtDecoderFactory(assertions);
                                            }
                                        }
                                    }))
                            .authorizationEndpoint(authorize -> authorize
                                    .consentPage("/oauth2/consent")
                                    .errorResponseHandler(gate.errorHandler())
                                    .authenticationProviders(providers -> {
                                        for (var provider : providers) {
                                            if (provider
                                                    instanceof OAuth2AuthorizationCodeRequestAuthenticationProvider p) {
                                                p.setAuthenticationValidator(gate.validator());
                                            }
                                        }
                                    }))
                            .tokenEndpoint(token -> token.accessTokenResponseHandler(events.issued())
                                    .authenticationProviders(providers -> {
                                        providers.removeIf(p -> p instanceof OAuth2TokenExchangeAuthenticationProvider);
                                        providers.replaceAll(
                                                p -> p instanceof OAuth2RefreshTokenAuthenticationProvider r
                                                        ? new RefreshReuse(r, authorizations, users)
                                                        : p);
                                    }))
                            .deviceAuthorizationEndpoint(device -> device.verificationUri("/device"))
                            .deviceVerificationEndpoint(device -> device.consentPage("/oauth2/consent")
                                    .deviceVerificationResponseHandler((request, response, authentication) ->
                                            response.sendRedirect(request.getContextPath() + "/device?approved"))
                                    .errorResponseHandler((request, response, exception) ->
                                            response.sendRedirect(request.getContextPath() + "/device?invalid")))
                            .authorizationServerMetadataEndpoint(metadata ->
                                    metadata.authorizationServerMetadataCustomizer(builder -> builder.grantTypes(g -> {
                                                g.clear();
                                                g.addAll(GRANT_TYPES);
                                            })
                                            .tokenEndpointAuthenticationMethods(m -> {
                                                m.clear();
                                                m.addAll(CLIENT_AUTH_METHODS);
                                            })))
                            .oidc(oidc -> oidc.providerConfigurationEndpoint(provider ->
                                            provider.providerConfigurationCustomizer(builder -> builder.grantTypes(
                                                            g -> {
                                                                g.clear();
                                                                g.addAll(GRANT_TYPES);
                                                            })
                                                    .tokenEndpointAuthenticationMethods(m -> {
                                                        m.clear();
                                                        m.addAll(CLIENT_AUTH_METHODS);
                                                    })
                                                    .idTokenSigningAlgorithms(a -> {
                                                        a.clear();
                                                        a.addAll(OidcClient.ID_TOKEN_ALGORITHMS);
                                                    })
                                                    .scopes(s -> {
                                                        s.clear();
                                                        s.addAll(List.of(
                                                                "openid", "profile", "email", "offline_access"));
                                                    })
                                                    .claim(
                                                            "acr_values_supported",
                                                            List.of(
                                                                    Assurance.PWD.uri(),
                                                                    Assurance.MFA.uri(),
                                                                    Assurance.PHISHING_RESISTANT.uri()))
                                                    .claim(
                                                            "claims_supported",
                                                            List.of(
                                                                    "iss",
                                                                    "sub",
                                                                    "aud",
                                                                    "exp",
                                                                    "iat",
                                                                    "auth_time",
                                                                    "nonce",
                                                                    "acr",
                                                                    "amr",
                                                                    "azp",
                                                                    "sid",
                                                                    "preferred_username",
                                                                    "name",
                                                                    "email",
                                                                    "email_verified"))
                                                    .claim("claims_parameter_supported", false)
                                                    .claim("backchannel_logout_supported", true)
                                                    .claim("backchannel_logout_session_supported", true)))
                                    .userInfoEndpoint(
                                            userInfo -> userInfo.userInfoMapper(context -> userInfo(context, users)))
                                    .logoutEndpoint(endpoint ->
                                            endpoint.logoutResponseHandler((request, response, authentication) ->
                                                    loggedOut(request, response, authentication, logout, audit))));
                })
                .authorizeHttpRequests(authorize -> authorize.anyRequest().authenticated())
                .exceptionHandling(e -> e.defaultAuthenticationEntryPointFor(gate.entryPoint(), request -> {
                            String path = path(request);
                            return path.equals("/oauth2/authorize") || path.equals("/oauth2/device_verification");
                        })
                        .defaultAuthenticationEntryPointFor(
                                (request, response, exception) -> noClient(response),
                                request -> CLIENT_ENDPOINTS.contains(path(request))))
                .oauth2ResourceServer(
                        resource -> resource.jwt(jwt -> jwt.decoder(accessTokenDecoder(keys, issuer, clock))))
                .addFilterBefore(new OidcIssuer.ContextFilter(issuer, settings), CsrfFilter.class)
                .addFilterBefore(new AuthorizeGate.HalfSignedIn(), CsrfFilter.class)
                .addFilterBefore(gate.deviceApproval(authorizations), CsrfFilter.class)
                .requestCache(cache -> cache.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'none'"))
                        .referrerPolicy(ref -> ref.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER))
                        .frameOptions(frame -> frame.deny()));
        return http.build();
    }

    /** The endpoints a client calls with its own credentials. */
    static final Set<String> CLIENT_ENDPOINTS =
            Set.of("/oauth2/token", "/oauth2/introspect", "/oauth2/revoke", "/oauth2/device_authorization");

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    /**
     * A request to a client endpoint that carries no client authentication at all (RFC 6749 section
     * 5.2): {@code invalid_client}, with the scheme to use.
     */
    private static void noClient(jakarta.servlet.http.HttpServletResponse response) throws java.io.IOException {
        response.setStatus(401);
        response.setHeader("WWW-Authenticate", "Basic realm=\"signet\"");
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json;charset=UTF-8");
        response.getWriter()
                .write("{\"error\":\"invalid_client\",\"error_description\":\"client authentication is required\"}");
    }

    /**
     * Bearer tokens at {@code /userinfo}: Signet's own ES256 access tokens, checked by signature,
     * expiry (the server's clock) and issuer; whether the grant behind it is still live is checked
     * next, by the user-info endpoint through {@link DbAuthorizationService}.
     */
    static JwtDecoder accessTokenDecoder(TokenKeys keys, OidcIssuer issuer, Clock clock) {
        return token -> {
            JWTClaimsSet claims = keys.verify(token, Set.of(TokenKeys.Algorithm.ES256))
                    .orElseThrow(() -> new BadJwtException("the access token is not one of this server's"));
            Date exp = claims.getExpirationTime();
            if (exp == null || !exp.toInstant().isAfter(clock.instant())) {
                throw new BadJwtException("the access token has expired");
            }
            if (!issuer.get().equals(claims.getIssuer())) {
                throw new BadJwtException("the access token is from another issuer");
            }
            Map<String, Object> values = new LinkedHashMap<>(claims.toJSONObject());
            values.put("exp", exp.toInstant());
            if (claims.getIssueTime() != null) {
                values.put("iat", claims.getIssueTime().toInstant());
            }
            if (claims.getNotBeforeTime() != null) {
                values.put("nbf", claims.getNotBeforeTime().toInstant());
            }
            if (claims.getAudience() != null) {
                values.put("aud", new ArrayList<>(claims.getAudience()));
            }
            return Jwt.withTokenValue(token)
                    .header("alg", "ES256")
                    .claims(c -> c.putAll(values))
                    .build();
        };
    }

    /**
     * Userinfo (OpenID Connect Core 1.0 section 5.3): the subject and, by scope, profile and email
     * claims from the user record as it is now. A disabled or deleted user has none.
     */
    static OidcUserInfo userInfo(OidcUserInfoAuthenticationContext context, UserRepository users) {
        OAuth2Authorization authorization = context.getAuthorization();
        SignetAuthentication person = DbAuthorizationService.person(authorization)
                .orElseThrow(() -> new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_TOKEN));
        User user = users.byId(person.getPrincipal().userId())
                .filter(User::active)
                .orElseThrow(() -> new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_TOKEN));
        Set<String> scopes = context.getAccessToken().getScopes();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", user.id());
        claims.putAll(TokenClaims.profileClaims(
                user, scopes.contains(OidcScopes.PROFILE), scopes.contains(OidcScopes.EMAIL)));
        return new OidcUserInfo(claims);
    }

    /**
     * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 section 2), after Spring has checked
     * the ID token hint and the post-logout redirect URI (exactly one the client registered): the
     * browser session ends as with the console's sign-out (grants revoked, back-channel logout), and
     * the browser goes to the client's URI with its state, or to the sign-in page.
     */
    private static void loggedOut(
            HttpServletRequest request,
            jakarta.servlet.http.HttpServletResponse response,
            Authentication authentication,
            OidcLogout logout,
            AuditLog audit)
            throws java.io.IOException {
        OidcLogoutAuthenticationToken token = (OidcLogoutAuthenticationToken) authentication;
        Authentication who = request.getAttribute(AuthorizeGate.PENDING) instanceof Authentication pending
                ? pending
                : token.isPrincipalAuthenticated() ? (Authentication) token.getPrincipal() : null;
        if (request.getSession(false) != null) {
            logout.sessionEnding(request, who);
            if (who != null) {
                audit.append(AuditEvent.of("auth.sign_out", AuditEvent.SUCCESS)
                        .actor(who.getName())
                        .subject(who.getName())
                        .client(request.getRemoteAddr(), request.getHeader("User-Agent"))
                        .detail(
                                "client",
                                token.getIdToken() == null
                                        ? null
                                        : token.getIdToken().getAudience().get(0))
                        .detail("via", "rp_initiated_logout")
                        .build());
            }
            new SecurityContextLogoutHandler().logout(request, response, who);
        }
        String target = token.getPostLogoutRedirectUri();
        if (target == null || target.isBlank()) {
            response.sendRedirect(request.getContextPath() + "/signin?signedout");
            return;
        }
        UriComponentsBuilder uri = UriComponentsBuilder.fromUriString(target);
        if (token.getState() != null && !token.getState().isBlank()) {
            uri.queryParam("state", token.getState());
        }
        response.sendRedirect(uri.encode().build().toUriString());
    }

    /**
     * The provider's schedule, on one daemon thread each minute: reloads signing keys (another node
     * may have rotated them), rotates those past {@code SIGNET_OIDC_KEY_ROTATION_DAYS}, and sweeps
     * expired grants, revoked token ids and client assertions. Every node runs it; the conditional
     * writes make concurrent passes harmless.
     */
    static final class Maintenance implements AutoCloseable {
        private final TokenKeys keys;
        private final DbAuthorizationService authorizations;
        private final ClientAssertions assertions;
        private final AtomicBoolean started = new AtomicBoolean();
        private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("signet-oidc-maintenance").factory());

        Maintenance(TokenKeys keys, DbAuthorizationService authorizations, ClientAssertions assertions) {
            this.keys = keys;
            this.authorizations = authorizations;
            this.assertions = assertions;
        }

        void start() {
            long every = TokenKeys.RELOAD_EVERY.toMillis();
            if (started.compareAndSet(false, true)) {
                executor.scheduleWithFixedDelay(this::runOnce, every, every, TimeUnit.MILLISECONDS);
            }
        }

        void runOnce() {
            try {
                keys.maintain();
                authorizations.sweep();
                assertions.sweep();
            } catch (RuntimeException e) {
                log.warn("OIDC maintenance pass failed: {}", e.toString());
            }
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
