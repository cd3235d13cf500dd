package dev.signet.server.web;

import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.oidc.OidcFormAction;
import dev.signet.server.oidc.OidcLogout;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.signin.ClientInfo;
import dev.signet.server.signin.SignInService;
import dev.signet.server.signin.SignetAuthentication;
import dev.signet.server.token.Scopes;
import dev.signet.server.token.TokenService;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.header.HeaderWriter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;

/**
 * Who may reach what. The chains:
 *
 * <ul>
 *   <li>{@code /api/**}: stateless, API tokens only ({@code Authorization: Bearer}), no cookies and so
 *       no CSRF; each route needs a scope (for signing, {@code sign:KEYNAME}, checked by the signing
 *       service); errors are problem+json.
 *   <li>{@code /ca/**} and {@code /tsa}: public, stateless: CRLs, OCSP, CA certificates, timestamps.
 *   <li>everything else: the console, with form sign-in through {@link SignInService}, database
 *       sessions, CSRF tokens on every form, and a strict Content-Security-Policy.
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    /**
     * The console's policy for one page: {@link #CSP}, whose {@code form-action} also names the
     * origin of an application's redirect URI while an authorization request waits on this page's
     * forms ({@link OidcFormAction}): browsers check {@code form-action} on every redirect after a
     * submission, up to the last one, to the application.
     */
    static HeaderWriter contentSecurityPolicy(OidcFormAction formAction) {
        return (request, response) -> {
            if (response.containsHeader("Content-Security-Policy")) {
                return;
            }
            List<String> more = formAction.sources(request);
            response.setHeader("Content-Security-Policy", more.isEmpty() ? CSP : CSP + " " + String.join(" ", more));
        };
    }

    /**
     * No Micrometer observations of Spring Security's own work (each filter, each authorization):
     * measured at 12 to 15 % of a validation request's CPU, for data nobody reads. Request metrics
     * ({@code http.server.requests}) and Signet's own counters stay.
     */
    @Bean
    static SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    FilterRegistrationBean<InputLimitFilter> inputLimitFilter() {
        FilterRegistrationBean<InputLimitFilter> registration = new FilterRegistrationBean<>(new InputLimitFilter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, TokenService tokens) throws Exception {
        http.securityMatcher("/api/**")
                .authorizeHttpRequests(auth -> auth.requestMatchers(HttpMethod.GET, "/api/v1/users", "/api/v1/users/**")
                        .hasAuthority("SCOPE_" + Scopes.USERS_READ)
                        .requestMatchers("/api/v1/users", "/api/v1/users/**")
                        .hasAuthority("SCOPE_" + Scopes.USERS_WRITE)
                        .requestMatchers("/api/v1/audit/**", "/api/v1/sign-ins", "/api/v1/sign-ins/**")
                        .hasAuthority("SCOPE_" + Scopes.AUDIT_READ)
                        .requestMatchers("/api/v1/tokens", "/api/v1/tokens/**")
                        .hasAuthority("SCOPE_" + Scopes.TOKENS_WRITE)
                        .requestMatchers("/api/v1/sessions", "/api/v1/sessions/**")
                        .hasAuthority("SCOPE_" + Scopes.SESSIONS_WRITE)
                        .requestMatchers(
                                HttpMethod.GET,
                                "/api/v1/ca",
                                "/api/v1/ca/**",
                                "/api/v1/certificates",
                                "/api/v1/certificates/**")
                        .hasAnyAuthority("SCOPE_" + Scopes.CA_ISSUE, "SCOPE_" + Scopes.CA_ADMIN)
                        .requestMatchers(HttpMethod.POST, "/api/v1/ca/*/issue", "/api/v1/ca/*/generate")
                        .hasAuthority("SCOPE_" + Scopes.CA_ISSUE)
                        .requestMatchers("/api/v1/ca", "/api/v1/ca/**", "/api/v1/certificates/**")
                        .hasAuthority("SCOPE_" + Scopes.CA_ADMIN)
                        .requestMatchers(HttpMethod.POST, "/api/v1/validate")
                        .hasAuthority("SCOPE_" + Scopes.VALIDATE)
                        // Signing keys: reading one needs keys:admin or sign:NAME, which the signing
                        // service checks (the scope depends on the key); managing them needs keys:admin.
                        .requestMatchers(HttpMethod.GET, "/api/v1/keys/*/grants")
                        .hasAuthority("SCOPE_" + Scopes.KEYS_ADMIN)
                        .requestMatchers(HttpMethod.GET, "/api/v1/keys", "/api/v1/keys/*")
                        .authenticated()
                        .requestMatchers("/api/v1/keys", "/api/v1/keys/**")
                        .hasAuthority("SCOPE_" + Scopes.KEYS_ADMIN)
                        // sign:KEYNAME and the key's grants are checked by the signing service.
                        .requestMatchers(HttpMethod.POST, "/api/v1/sign")
                        .authenticated()
                        .requestMatchers("/api/v1/clients", "/api/v1/clients/**", "/api/v1/oidc/**")
                        .hasAuthority("SCOPE_" + Scopes.CLIENTS_ADMIN)
                        .requestMatchers("/api/v1/me")
                        .authenticated()
                        .anyRequest()
                        .denyAll())
                .addFilterBefore(new ApiTokenFilter(tokens), AnonymousAuthenticationFilter.class)
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .securityContext(c -> c.securityContextRepository(new RequestAttributeSecurityContextRepository()))
                .requestCache(cache -> cache.disable())
                .formLogin(form -> form.disable())
                .httpBasic(basic -> basic.disable())
                .logout(logout -> logout.disable())
                .anonymous(anonymous -> anonymous.principal("anonymous"))
                .exceptionHandling(e -> e.authenticationEntryPoint((request, response, ex) -> {
                            response.setHeader(
                                    "WWW-Authenticate",
                                    request.getAttribute(ApiTokenFilter.BAD_TOKEN) != null
                                            ? "Bearer error=\"invalid_token\""
                                            : "Bearer");
                            boolean bad = request.getAttribute(ApiTokenFilter.BAD_TOKEN) != null;
                            Problems.write(
                                    response,
                                    HttpStatus.UNAUTHORIZED,
                                    bad ? "auth.token_invalid" : "auth.token_required",
                                    bad
                                            ? "the API token is not valid (unknown, revoked, expired, or its owner is disabled)"
                                            : "this API needs an API token: Authorization: Bearer sgt_...");
                        })
                        .accessDeniedHandler((request, response, ex) -> {
                            response.setHeader("WWW-Authenticate", "Bearer error=\"insufficient_scope\"");
                            Problems.write(
                                    response,
                                    HttpStatus.FORBIDDEN,
                                    "auth.insufficient_scope",
                                    "the API token does not have the scope this request needs");
                        }))
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'none'"))
                        .frameOptions(frame -> frame.deny()));
        return http.build();
    }

    /**
     * What relying parties fetch without credentials, at the URLs every certificate names: CRLs,
     * OCSP (RFC 6960, POST and GET) and CA certificates under {@code /ca/**}. Stateless, no CSRF (an
     * OCSP POST carries no cookie and changes nothing).
     */
    @Bean
    @Order(2)
    SecurityFilterChain publication(HttpSecurity http) throws Exception {
        http.securityMatcher("/ca/**")
                .authorizeHttpRequests(auth -> auth.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .securityContext(c -> c.securityContextRepository(new RequestAttributeSecurityContextRepository()))
                .requestCache(cache -> cache.disable())
                .formLogin(form -> form.disable())
                .httpBasic(basic -> basic.disable())
                .logout(logout -> logout.disable())
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'none'"))
                        .frameOptions(frame -> frame.deny()));
        return http.build();
    }

    /**
     * The timestamp authority (RFC 3161 §3.4): {@code POST /tsa} and {@code GET /tsa/chain}, public and
     * stateless like the CA's publication URLs (a time-stamp request carries no cookie and changes
     * nothing a caller owns).
     */
    @Bean
    @Order(2)
    SecurityFilterChain timestamps(HttpSecurity http) throws Exception {
        http.securityMatcher("/tsa", "/tsa/**")
                .authorizeHttpRequests(auth -> auth.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .securityContext(c -> c.securityContextRepository(new RequestAttributeSecurityContextRepository()))
                .requestCache(cache -> cache.disable())
                .formLogin(form -> form.disable())
                .httpBasic(basic -> basic.disable())
                .logout(logout -> logout.disable())
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'none'"))
                        .frameOptions(frame -> frame.deny()));
        return http.build();
    }

    @Bean
    @Order(3)
    SecurityFilterChain web(
            HttpSecurity http,
            SignInService signIn,
            AuditLog audit,
            Clock clock,
            OidcLogout oidcLogout,
            OidcFormAction formAction)
            throws Exception {
        AuthenticationManager manager = new ProviderManager(new PasswordSignInProvider(signIn, clock));
        http.authenticationManager(manager)
                .authorizeHttpRequests(auth -> auth.requestMatchers(
                                "/healthz",
                                "/readyz",
                                "/metrics",
                                "/signin",
                                "/setup",
                                "/reset",
                                "/reset/**",
                                "/register",
                                "/signin/passkey",
                                "/signin/passkey/**",
                                "/device",
                                "/css/**",
                                "/js/**",
                                "/img/**",
                                "/favicon.ico",
                                "/error")
                        .permitAll()
                        .requestMatchers("/signin/factor", "/signin/factor/**")
                        .hasAuthority(SignetAuthentication.SECOND_FACTOR_PENDING)
                        .requestMatchers(
                                "/account/factors",
                                "/account/factors/**",
                                "/account/passkeys",
                                "/account/passkeys/**",
                                "/account/step-up")
                        .hasAnyAuthority(SignetAuthentication.SIGNED_IN, SignetAuthentication.ENROL_PENDING)
                        .requestMatchers("/signout")
                        .authenticated()
                        .requestMatchers("/admin", "/admin/**")
                        .hasRole("ADMIN")
                        .anyRequest()
                        .hasAuthority(SignetAuthentication.SIGNED_IN))
                .exceptionHandling(e -> e.accessDeniedHandler((request, response, ex) -> {
                    // A sign-in that is not complete is led to its next step, not shown a 403.
                    String next = SignInFlow.current()
                            .filter(a -> a.stage() != SignetAuthentication.Stage.COMPLETE)
                            .map(a -> SignInFlow.landing(a.stage()))
                            .orElse(null);
                    if (next != null) {
                        response.sendRedirect(request.getContextPath() + next);
                    } else {
                        new AccessDeniedHandlerImpl().handle(request, response, ex);
                    }
                }))
                .formLogin(form -> form.loginPage("/signin")
                        .loginProcessingUrl("/signin")
                        .usernameParameter("username")
                        .passwordParameter("password")
                        .authenticationDetailsSource(ClientInfo::of)
                        .successHandler((request, response, authentication) -> {
                            request.getSession()
                                    .setAttribute(DbSessionRepository.CLIENT_ATTRIBUTE, ClientInfo.of(request));
                            SignetAuthentication.Stage stage = authentication instanceof SignetAuthentication s
                                    ? s.stage()
                                    : SignetAuthentication.Stage.COMPLETE;
                            response.sendRedirect(request.getContextPath() + SignInFlow.next(request, stage, clock));
                        })
                        .failureHandler((request, response, exception) -> {
                            if (exception instanceof PasswordSignInProvider.ThrottledException t) {
                                long seconds = Math.max(1, t.retryAfter().toSeconds());
                                response.sendRedirect(request.getContextPath() + "/signin?throttled=" + seconds);
                            } else {
                                response.sendRedirect(request.getContextPath() + "/signin?error");
                            }
                        }))
                .logout(logout -> logout.logoutUrl("/signout")
                        // the single sign-on session ends: its applications are told (back-channel logout)
                        .addLogoutHandler((request, response, authentication) ->
                                oidcLogout.sessionEnding(request, authentication))
                        .logoutSuccessHandler((request, response, authentication) -> {
                            if (authentication != null) {
                                audit.append(client(AuditEvent.of("auth.sign_out", AuditEvent.SUCCESS), request)
                                        .actor(authentication.getName())
                                        .subject(authentication.getName())
                                        .build());
                            }
                            response.sendRedirect(request.getContextPath() + "/signin?signedout");
                        }))
                .sessionManagement(session -> session.sessionFixation(fixation -> fixation.changeSessionId()))
                .headers(headers -> headers.addHeaderWriter(contentSecurityPolicy(formAction))
                        .referrerPolicy(ref -> ref.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER))
                        .frameOptions(frame -> frame.deny()));
        return http.build();
    }

    static AuditEvent.Builder client(AuditEvent.Builder event, HttpServletRequest request) {
        return event.client(request.getRemoteAddr(), request.getHeader("User-Agent"));
    }
}
