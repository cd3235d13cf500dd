package dev.signet.server.web;

import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.token.Scopes;
import dev.signet.server.token.TokenService;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code /api/**} requests by an {@code Authorization: Bearer sgt_...} API token
 * (RFC 6750 section 2.1). A valid token gives the caller its owner's role and one {@code SCOPE_x}
 * authority per scope; a missing or bad token leaves the request anonymous, and the entry point
 * answers 401.
 */
final class ApiTokenFilter extends OncePerRequestFilter {
    static final String BAD_TOKEN = "signet.bad_token";

    private final TokenService tokens;

    ApiTokenFilter(TokenService tokens) {
        this.tokens = tokens;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            Optional<TokenService.Caller> caller =
                    tokens.authenticate(header.substring(7).strip());
            if (caller.isPresent()) {
                TokenService.Caller c = caller.get();
                List<GrantedAuthority> authorities = new ArrayList<>();
                authorities.add(
                        new SimpleGrantedAuthority("ROLE_" + c.user().role().name()));
                for (String scope : c.token().scopes()) {
                    if (Scopes.allows(scope, c.user().role())) {
                        authorities.add(new SimpleGrantedAuthority("SCOPE_" + scope));
                    }
                }
                SignetPrincipal principal = new SignetPrincipal(
                        c.user().id(),
                        c.user().username(),
                        c.user().role(),
                        c.token().id());
                var auth = UsernamePasswordAuthenticationToken.authenticated(principal, null, authorities);
                var context = SecurityContextHolder.createEmptyContext();
                context.setAuthentication(auth);
                SecurityContextHolder.setContext(context);
            } else {
                request.setAttribute(BAD_TOKEN, Boolean.TRUE);
            }
        }
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
