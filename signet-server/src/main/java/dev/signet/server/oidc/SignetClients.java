package dev.signet.server.oidc;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * Signet's client registry ({@link ClientService}) as Spring's authorization server sees it. The
 * registered id is the client id. A disabled or deleted client is unknown here: it gets no code and
 * no token. Conversions are cached per client version ({@link OidcClient#updatedAt()}) on top of the
 * service's own cache, so the token endpoint does no work for a client it already knows.
 *
 * <p>What the mapping decides: exact redirect URIs (RFC 6749 section 3.1.2.3: compared as whole
 * strings); PKCE (RFC 7636) required for public clients, with S256 only (Spring refuses {@code
 * plain}); refresh tokens rotated on every use (never reused); access tokens self-contained JWTs; a
 * client secret is its SHA-256 ({@link #secretEncoder()}); a private_key_jwt client's keys come from
 * its registered JWK Set ({@link ClientAssertions}).
 */
public final class SignetClients implements RegisteredClientRepository {
    /** Authorization codes live this long (RFC 6749 section 4.1.2: "a maximum ... of 10 minutes"). */
    static final Duration CODE_TTL = Duration.ofMinutes(5);
    /** Device codes (RFC 8628) live this long. */
    static final Duration DEVICE_CODE_TTL = Duration.ofMinutes(10);

    private record Converted(OidcClient client, RegisteredClient registered) {}

    private final ClientService clients;
    private final Map<String, Converted> cache = new ConcurrentHashMap<>();

    SignetClients(ClientService clients) {
        this.clients = clients;
    }

    /** Not supported: clients are registered through {@link ClientService}. */
    @Override
    public void save(RegisteredClient registeredClient) {
        throw new UnsupportedOperationException("clients are registered through /api/v1/clients");
    }

    @Override
    public RegisteredClient findById(String id) {
        return findByClientId(id);
    }

    @Override
    public RegisteredClient findByClientId(String clientId) {
        return client(clientId)
                .map(c -> {
                    Converted known = cache.get(clientId);
                    if (known != null && known.client().equals(c)) {
                        return known.registered();
                    }
                    RegisteredClient registered = convert(c);
                    cache.put(clientId, new Converted(c, registered));
                    return registered;
                })
                .orElse(null);
    }

    /** The client, if it exists and is enabled. */
    Optional<OidcClient> client(String clientId) {
        if (clientId == null || clientId.isEmpty() || clientId.length() > 64) {
            return Optional.empty();
        }
        return clients.find(clientId).filter(OidcClient::enabled);
    }

    /** The client even when disabled (for listing grants). */
    Optional<OidcClient> anyClient(String clientId) {
        return clientId == null ? Optional.empty() : clients.find(clientId);
    }

    static RegisteredClient convert(OidcClient c) {
        return RegisteredClient.withId(c.clientId())
                .clientId(c.clientId())
                .clientName(c.name())
                .clientIdIssuedAt(c.createdAt())
                .clientSecret(c.secretHash())
                .clientAuthenticationMethod(method(c.auth()))
                .authorizationGrantTypes(types -> c.grantTypes().forEach(g -> types.add(new AuthorizationGrantType(g))))
                .redirectUris(uris -> uris.addAll(c.redirectUris()))
                .postLogoutRedirectUris(uris -> uris.addAll(c.postLogoutRedirectUris()))
                .scopes(scopes -> scopes.addAll(c.scopes()))
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(c.type() == ClientType.PUBLIC)
                        .requireAuthorizationConsent(c.consent())
                        .build())
                .tokenSettings(TokenSettings.builder()
                        .authorizationCodeTimeToLive(CODE_TTL)
                        .deviceCodeTimeToLive(DEVICE_CODE_TTL)
                        .accessTokenTimeToLive(c.accessTokenTtl())
                        .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                        .refreshTokenTimeToLive(c.refreshTokenTtl())
                        .reuseRefreshTokens(false)
                        .build())
                .build();
    }

    private static ClientAuthenticationMethod method(ClientAuth auth) {
        return switch (auth) {
            case CLIENT_SECRET_BASIC -> ClientAuthenticationMethod.CLIENT_SECRET_BASIC;
            case CLIENT_SECRET_POST -> ClientAuthenticationMethod.CLIENT_SECRET_POST;
            case PRIVATE_KEY_JWT -> ClientAuthenticationMethod.PRIVATE_KEY_JWT;
            case NONE -> ClientAuthenticationMethod.NONE;
        };
    }

    /**
     * Checks a presented client secret against the stored form (base64url SHA-256, as {@link
     * ClientService#secretMatches} does), in constant time. Secrets are 256-bit random values, so a
     * fast hash is enough and keeps the token endpoint fast.
     */
    static org.springframework.security.crypto.password.PasswordEncoder secretEncoder() {
        return new org.springframework.security.crypto.password.PasswordEncoder() {
            @Override
            public String encode(CharSequence raw) {
                return ClientService.hash(raw.toString());
            }

            @Override
            public boolean matches(CharSequence raw, String encoded) {
                if (raw == null || encoded == null || raw.length() > 512) {
                    return false;
                }
                return dev.signet.core.crypto.Secure.constantTimeEquals(
                        ClientService.hash(raw.toString()).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        encoded.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }

            @Override
            public boolean upgradeEncoding(String encoded) {
                return false;
            }
        };
    }
}
