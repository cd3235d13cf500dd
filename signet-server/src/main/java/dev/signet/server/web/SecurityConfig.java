package dev.signet.server.web;

import dev.signet.core.password.Argon2id;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.UserDetailsPasswordService;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;

/**
 * Who may reach what, and the sign-in ceremony. Sign-in and sign-out are audited with the client's
 * address and user agent; a failed sign-in answers the same whether the user is unknown, disabled
 * or the password wrong (the audit log keeps the real reason). Unknown users still cost one Argon2id
 * verification: Spring's {@code DaoAuthenticationProvider} runs one against a dummy hash.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    @Bean
    SecurityFilterChain web(HttpSecurity http, AuditLog audit, UserRepository users, Clock clock) throws Exception {
        http.authorizeHttpRequests(auth -> auth.requestMatchers(
                                "/healthz",
                                "/readyz",
                                "/metrics",
                                "/signin",
                                "/setup",
                                "/css/**",
                                "/js/**",
                                "/img/**",
                                "/favicon.ico",
                                "/error")
                        .permitAll()
                        .requestMatchers("/")
                        .hasRole("ADMIN")
                        .anyRequest()
                        .authenticated())
                .formLogin(form -> form.loginPage("/signin")
                        .loginProcessingUrl("/signin")
                        .usernameParameter("username")
                        .passwordParameter("password")
                        .successHandler((request, response, authentication) -> {
                            users.byUsername(authentication.getName())
                                    .ifPresent(u -> users.recordSignIn(u.id(), clock.instant()));
                            audit.append(client(AuditEvent.of("auth.sign_in", AuditEvent.SUCCESS), request)
                                    .actor(authentication.getName())
                                    .subject(authentication.getName())
                                    .detail("factors", "pwd")
                                    .build());
                            response.sendRedirect(request.getContextPath() + "/");
                        })
                        .failureHandler((request, response, exception) -> {
                            String typed = request.getParameter("username");
                            audit.append(client(AuditEvent.of("auth.sign_in", AuditEvent.FAILURE), request)
                                    .subject(typed == null ? null : typed.strip())
                                    .reason(
                                            exception instanceof DisabledException
                                                    ? "account_disabled"
                                                    : "bad_credentials")
                                    .build());
                            response.sendRedirect(request.getContextPath() + "/signin?error");
                        }))
                .logout(logout -> logout.logoutUrl("/signout")
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
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(CSP))
                        .referrerPolicy(ref -> ref.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER))
                        .frameOptions(frame -> frame.deny()));
        return http.build();
    }

    static AuditEvent.Builder client(AuditEvent.Builder event, HttpServletRequest request) {
        return event.client(request.getRemoteAddr(), request.getHeader("User-Agent"));
    }

    @Bean
    UserDetailsService userDetailsService(UserRepository users) {
        return username -> {
            if (username == null || username.length() > 256) {
                throw new UsernameNotFoundException("unknown");
            }
            return users.credentials(username)
                    .map(c -> org.springframework.security.core.userdetails.User.withUsername(
                                    c.user().username())
                            .password(c.passwordHash() == null ? "" : c.passwordHash())
                            .roles(c.user().role().name())
                            .disabled(c.user().status() != User.Status.ACTIVE)
                            .build())
                    .orElseThrow(() -> new UsernameNotFoundException("unknown"));
        };
    }

    /** Re-hashes a password at sign-in when the stored hash used older Argon2id parameters. */
    @Bean
    UserDetailsPasswordService passwordUpgrade(UserRepository users) {
        return (user, newHash) -> {
            users.byUsername(user.getUsername()).ifPresent(u -> users.updatePasswordHash(u.id(), newHash));
            return org.springframework.security.core.userdetails.User.withUserDetails(user)
                    .password(newHash)
                    .build();
        };
    }

    @Bean
    PasswordEncoder passwordEncoder(Argon2id argon2id) {
        return new PasswordEncoder() {
            @Override
            public String encode(CharSequence rawPassword) {
                return argon2id.hash(rawPassword);
            }

            @Override
            public boolean matches(CharSequence rawPassword, String encodedPassword) {
                if (rawPassword == null || rawPassword.length() > 1024) {
                    return false;
                }
                return argon2id.verify(rawPassword, encodedPassword);
            }

            @Override
            public boolean upgradeEncoding(String encodedPassword) {
                return argon2id.needsRehash(encodedPassword);
            }
        };
    }
}
