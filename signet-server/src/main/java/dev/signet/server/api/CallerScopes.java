package dev.signet.server.api;

import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The scopes in effect for the current request: those of the calling token that its owner's role
 * still allows ({@code web.ApiTokenFilter} grants them as {@code SCOPE_x} authorities).
 */
final class CallerScopes {
    private static final String PREFIX = "SCOPE_";

    private CallerScopes() {}

    static List<String> current() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null) {
            return List.of();
        }
        return auth.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority)
                .filter(a -> a != null && a.startsWith(PREFIX))
                .map(a -> a.substring(PREFIX.length()))
                .sorted()
                .toList();
    }
}
