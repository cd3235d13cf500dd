package dev.signet.server.oidc;

import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import java.util.Optional;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2RefreshTokenAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2RefreshTokenAuthenticationToken;

/**
 * The refresh grant (RFC 6749 section 6) with rotation's reuse detection (<a
 * href="https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2">RFC 9700 section 4.14.2</a>): every
 * refresh issues a new refresh token and retires the one presented; a retired refresh token presented
 * again means two parties hold it, so the whole family (every token from the grant) is revoked and
 * the request refused with {@code invalid_grant}. A grant whose user is disabled or deleted refreshes
 * no more either (and is revoked).
 */
final class RefreshReuse implements AuthenticationProvider {
    private final OAuth2RefreshTokenAuthenticationProvider delegate;
    private final DbAuthorizationService authorizations;
    private final UserRepository users;

    RefreshReuse(
            OAuth2RefreshTokenAuthenticationProvider delegate,
            DbAuthorizationService authorizations,
            UserRepository users) {
        this.delegate = delegate;
        this.authorizations = authorizations;
        this.users = users;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        OAuth2RefreshTokenAuthenticationToken request = (OAuth2RefreshTokenAuthenticationToken) authentication;
        Optional<String> reused = authorizations.usedRefreshFamily(request.getRefreshToken());
        if (reused.isPresent()) {
            OAuth2Authorization family = authorizations.findById(reused.get());
            String caller = request.getPrincipal() instanceof OAuth2ClientAuthenticationToken client
                            && client.getRegisteredClient() != null
                    ? client.getRegisteredClient().getClientId()
                    : null;
            if (family == null || !family.getRegisteredClientId().equals(caller)) {
                // another client's token: not this client's to revoke
                throw invalidGrant("the refresh token is not valid");
            }
            authorizations.revokeFamily(
                    reused.get(),
                    "reuse",
                    family == null ? null : family.getRegisteredClientId(),
                    family == null ? null : family.getPrincipalName());
            throw invalidGrant("the refresh token was used before; every token of its grant is revoked");
        }
        OAuth2Authorization authorization =
                authorizations.findByToken(request.getRefreshToken(), OAuth2TokenType.REFRESH_TOKEN);
        if (authorization != null) {
            Optional<String> userId = DbAuthorizationService.person(authorization)
                    .map(p -> p.getPrincipal().userId());
            boolean gone = userId.isPresent()
                    && users.byId(userId.get()).map(User::active).orElse(false) == false;
            if (gone) {
                authorizations.revokeFamily(
                        authorization.getId(),
                        "user_inactive",
                        authorization.getRegisteredClientId(),
                        authorization.getPrincipalName());
                throw invalidGrant("the user is disabled or deleted");
            }
        }
        return delegate.authenticate(authentication);
    }

    private static OAuth2AuthenticationException invalidGrant(String description) {
        return new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT, description, null));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }
}
