package dev.signet.server.oidc;

import dev.signet.core.crypto.Secure;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.signin.SignetAuthentication;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * What Signet's tokens say. Times come from the server's {@link Clock}.
 *
 * <p>Access tokens (JWT, <a href="https://www.rfc-editor.org/rfc/rfc9068">RFC 9068</a>): ES256,
 * {@code typ} {@code at+jwt}; {@code iss}, {@code sub} (the user's id, or the client id for a
 * client-credentials token), {@code aud} and {@code client_id} (the client), {@code scope} (a
 * space-separated string), {@code iat}, {@code exp}, {@code jti}; for a person also
 * {@code auth_time}, {@code acr} and {@code amr} (RFC 9068 section 2.2.1). The {@code jti} of a
 * token issued from a grant starts with the grant's id, so revoking the grant reaches it.
 *
 * <p>ID tokens (<a href="https://openid.net/specs/openid-connect-core-1_0.html#IDToken">OpenID
 * Connect Core 1.0 section 2</a>): signed with the client's algorithm (ES256 by default, RS256 or
 * EdDSA); {@code sub}, {@code auth_time} (when the user last proved who they are in the session),
 * {@code amr} (RFC 8176 values of the factors used), {@code acr} ({@link Assurance}), {@code sid}
 * (the session, for logout), {@code nonce}, {@code azp}; {@code preferred_username}, {@code name}
 * with the {@code profile} scope, {@code email} with {@code email}.
 */
final class TokenClaims implements OAuth2TokenCustomizer<JwtEncodingContext> {
    private static final OAuth2TokenType ID_TOKEN = new OAuth2TokenType(OidcParameterNames.ID_TOKEN);

    private final SignetClients clients;
    private final UserRepository users;
    private final Clock clock;

    TokenClaims(SignetClients clients, UserRepository users, Clock clock) {
        this.clients = clients;
        this.users = users;
        this.clock = clock;
    }

    @Override
    public void customize(JwtEncodingContext context) {
        Instant now = clock.instant();
        String clientId = context.getRegisteredClient().getClientId();
        Duration accessTtl = context.getRegisteredClient().getTokenSettings().getAccessTokenTimeToLive();
        JwtClaimsSet.Builder claims = context.getClaims();
        claims.issuedAt(now);
        Optional<SignetAuthentication> person =
                context.getPrincipal() instanceof SignetAuthentication s ? Optional.of(s) : Optional.empty();
        OAuth2Authorization authorization = context.getAuthorization();
        if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
            context.getJwsHeader().algorithm(SignatureAlgorithm.ES256).type("at+jwt");
            // No nbf: it adds nothing to iat, and a node whose clock is a little behind the issuer's
            // would take a fresh token for one not valid yet.
            claims.claims(c -> c.remove("nbf"));
            claims.expiresAt(now.plus(accessTtl));
            claims.claim("client_id", clientId);
            Set<String> scopes = context.getAuthorizedScopes();
            claims.claims(c -> c.remove("scope"));
            if (scopes != null && !scopes.isEmpty()) {
                claims.claim("scope", String.join(" ", scopes));
            }
            boolean fromGrant = authorization != null
                    && !AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType());
            claims.id(fromGrant ? authorization.getId() + "." + Secure.randomToken(12) : Secure.randomToken(16));
            person.ifPresent(p -> personClaims(claims, p));
            if (person.isEmpty() && !fromGrant) {
                claims.subject(clientId);
            }
        } else if (ID_TOKEN.equals(context.getTokenType())) {
            OidcClient client = clients.client(clientId).orElse(null);
            String algorithm = client == null ? "ES256" : client.idTokenAlgorithm();
            context.getJwsHeader()
                    .algorithm(
                            switch (TokenKeys.Algorithm.named(algorithm)) {
                                case ES256 -> SignatureAlgorithm.ES256;
                                case RS256 -> SignatureAlgorithm.RS256;
                                case EdDSA -> SignetJwtEncoder.EDDSA;
                            });
            claims.expiresAt(now.plus(accessTtl));
            person.ifPresent(p -> {
                personClaims(claims, p);
                Set<String> scopes = context.getAuthorizedScopes();
                boolean profile = scopes.contains(OidcScopes.PROFILE);
                boolean email = scopes.contains(OidcScopes.EMAIL);
                if (profile || email) {
                    users.byId(p.getPrincipal().userId())
                            .ifPresent(
                                    user -> profileClaims(user, profile, email).forEach(claims::claim));
                }
            });
            if (authorization != null && authorization.getAttribute(DbAuthorizationService.SID) instanceof String sid) {
                claims.claim("sid", sid);
            } else {
                claims.claims(c -> c.remove("sid"));
            }
        }
    }

    /** Who and how: the user's id as subject, and the assurance of the sign-in. */
    private static void personClaims(JwtClaimsSet.Builder claims, SignetAuthentication person) {
        claims.subject(person.getPrincipal().userId());
        // a Date, as Spring's own generator keeps it (it copies auth_time into refreshed ID tokens)
        claims.claim("auth_time", java.util.Date.from(person.lastAuthenticatedAt()));
        claims.claim("amr", List.copyOf(person.amr()));
        claims.claim("acr", Assurance.of(person).uri());
    }

    /** Standard claims (OpenID Connect Core 1.0 section 5.1) for the profile and email scopes. */
    static Map<String, Object> profileClaims(User user, boolean profile, boolean email) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (profile) {
            out.put("preferred_username", user.username());
            if (user.displayName() != null && !user.displayName().isBlank()) {
                out.put("name", user.displayName());
            }
        }
        if (email && user.email() != null && !user.email().isBlank()) {
            out.put("email", user.email());
            // Signet does not verify addresses by mail; an administrator or the user set it.
            out.put("email_verified", false);
        }
        return out;
    }
}
