package dev.signet.server.web;

import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.signing.SigningCaller;
import dev.signet.server.signing.SigningKeyService;
import dev.signet.server.token.Scopes;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * The {@code sign:KEYNAME} scopes the token page offers: one per signing key the user is granted on
 * (a token may carry the scope of any key, but only these would let it sign). Only computed for the
 * token pages.
 */
@ControllerAdvice(assignableTypes = AccountController.class)
class SigningScopesAdvice {
    /** A {@code sign:} scope offered on the token page. */
    public record SigningScope(String name, String key) {}

    private final SigningKeyService keys;

    SigningScopesAdvice(SigningKeyService keys) {
        this.keys = keys;
    }

    @ModelAttribute("signingScopes")
    List<SigningScope> signingScopes(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (!path.startsWith("/account/tokens")
                || auth == null
                || !(auth.getPrincipal() instanceof SignetPrincipal me)) {
            return List.of();
        }
        return keys.usableBy(new SigningCaller.Session(me.userId(), me.username(), false)).stream()
                .map(k -> new SigningScope(Scopes.sign(k.name()), k.name()))
                .toList();
    }
}
