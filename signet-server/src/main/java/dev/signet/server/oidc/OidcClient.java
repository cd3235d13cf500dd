package dev.signet.server.oidc;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A registered client as stored: what it is, how it authenticates, where it may send people back,
 * what it may ask for, and how long its tokens live. Immutable; {@link ClientService} makes and
 * checks them.
 *
 * @param clientId {@code sgc_} and 22 base64url characters
 * @param name what people see on consent and account pages; unique case-insensitively
 * @param secretHash base64url SHA-256 of the secret; {@code null} when the client has none. Compare
 *     with {@link ClientService#secretMatches}, never directly
 * @param jwks the client's public keys as a JSON JWK Set, for {@link ClientAuth#PRIVATE_KEY_JWT}; else
 *     {@code null}
 * @param redirectUris exact redirect URIs (RFC 6749 §3.1.2; compared as whole strings)
 * @param postLogoutRedirectUris exact URIs for RP-initiated logout (OpenID Connect RP-Initiated Logout
 *     1.0 §2)
 * @param grantTypes a subset of {@link #GRANT_TYPES}, in that order (iteration order is kept)
 * @param scopes what the client may request, e.g. {@code openid profile email offline_access}
 *     (iteration order is kept)
 * @param idTokenAlgorithm {@code ES256} (the default), {@code RS256} or {@code EdDSA}
 * @param consent whether people are asked to approve the client's scopes
 * @param requireMfa whether every sign-in to this client needs a second factor
 * @param backchannelLogoutUri where Signet posts logout tokens (OpenID Connect Back-Channel Logout
 *     1.0 §2.2); {@code null} when none
 * @param enabled a disabled client gets no tokens
 */
public record OidcClient(
        String clientId,
        String name,
        ClientType type,
        ClientAuth auth,
        String secretHash,
        String jwks,
        List<String> redirectUris,
        List<String> postLogoutRedirectUris,
        Set<String> grantTypes,
        Set<String> scopes,
        Duration accessTokenTtl,
        Duration refreshTokenTtl,
        String idTokenAlgorithm,
        boolean consent,
        boolean requireMfa,
        String backchannelLogoutUri,
        boolean enabled,
        Instant createdAt,
        Instant updatedAt) {

    /** RFC 6749 §4.1. */
    public static final String AUTHORIZATION_CODE = "authorization_code";
    /** RFC 6749 §6. */
    public static final String REFRESH_TOKEN = "refresh_token";
    /** RFC 6749 §4.4. */
    public static final String CLIENT_CREDENTIALS = "client_credentials";
    /** RFC 8628 §3.4. */
    public static final String DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";
    /** The grant types Signet offers, in this order; implicit and password are not among them. */
    public static final List<String> GRANT_TYPES =
            List.of(AUTHORIZATION_CODE, REFRESH_TOKEN, CLIENT_CREDENTIALS, DEVICE_CODE);

    /** ID token signature algorithms a client may choose; the first is the default. */
    public static final List<String> ID_TOKEN_ALGORITHMS = List.of("ES256", "RS256", "EdDSA");

    public OidcClient {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(auth, "auth");
        redirectUris = List.copyOf(redirectUris);
        postLogoutRedirectUris = List.copyOf(postLogoutRedirectUris);
        grantTypes = Collections.unmodifiableSet(new LinkedHashSet<>(grantTypes));
        scopes = Collections.unmodifiableSet(new LinkedHashSet<>(scopes));
    }

    /** Whether a secret is stored for this client (it authenticates with one, and one was issued). */
    public boolean hasSecret() {
        return secretHash != null;
    }

    public boolean allows(String grantType) {
        return grantTypes.contains(grantType);
    }

    @Override
    public String toString() {
        return "OidcClient[" + clientId + ", " + name + ", " + type + ", " + auth + "]";
    }
}
