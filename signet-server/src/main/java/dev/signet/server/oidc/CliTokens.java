package dev.signet.server.oidc;

import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.signin.SignetAuthentication;
import dev.signet.server.token.Scopes;
import dev.signet.server.token.TokenService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenGenerator;

/**
 * The access token of Signet's own CLI ({@link CliClient#ID}): instead of a JWT, an ordinary API
 * token ({@code sgt_...}, {@link TokenService}) of the person who approved the device code, so that
 * {@code signet login --device} stores the same kind of credential as {@code signet login
 * --token-stdin}, listed and revocable on the person's API tokens page. Its scopes are those granted
 * that the person's role allows ({@link Scopes#allows}); it lives {@link #LIFETIME}. For every other
 * client, and every other token type, this generator answers {@code null} and the next one (the JWT
 * generator) issues the token.
 */
final class CliTokens implements OAuth2TokenGenerator<OAuth2AccessToken> {
    /** How long a CLI login lasts (the default of a token made on the API tokens page). */
    static final Duration LIFETIME = Duration.ofDays(90);
    /** The token's name on the API tokens page. */
    static final String TOKEN_NAME = "signet login --device";

    private final TokenService tokens;
    private final UserRepository users;
    private final Clock clock;

    CliTokens(TokenService tokens, UserRepository users, Clock clock) {
        this.tokens = tokens;
        this.users = users;
        this.clock = clock;
    }

    @Override
    public OAuth2AccessToken generate(OAuth2TokenContext context) {
        if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())
                || context.getRegisteredClient() == null
                || !CliClient.ID.equals(context.getRegisteredClient().getClientId())) {
            return null;
        }
        if (!(context.getPrincipal() instanceof SignetAuthentication person)) {
            throw refused(OAuth2ErrorCodes.INVALID_GRANT, "the CLI signs in a person");
        }
        User user = users.byId(person.getPrincipal().userId())
                .filter(User::active)
                .orElseThrow(() -> refused(OAuth2ErrorCodes.INVALID_GRANT, "the account is not active"));
        Set<String> scopes = new LinkedHashSet<>();
        for (String scope : context.getAuthorizedScopes()) {
            if (Scopes.allows(scope, user.role())) {
                scopes.add(scope);
            }
        }
        if (scopes.isEmpty()) {
            throw refused(OAuth2ErrorCodes.INVALID_SCOPE, "none of the scopes asked for is open to this account");
        }
        Instant now = clock.instant();
        Instant expires = now.plus(LIFETIME);
        TokenService.Created created = tokens.create(user, TOKEN_NAME, scopes, Optional.of(expires), user.username());
        return new OAuth2AccessToken(
                OAuth2AccessToken.TokenType.BEARER,
                created.secret(),
                now,
                expires,
                created.token().scopes());
    }

    private static OAuth2AuthenticationException refused(String code, String description) {
        return new OAuth2AuthenticationException(new OAuth2Error(code, description, null));
    }
}
