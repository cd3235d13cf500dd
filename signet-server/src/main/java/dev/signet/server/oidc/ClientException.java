package dev.signet.server.oidc;

import dev.signet.core.SignetException;

/**
 * A change to the client registry that {@link ClientService} refuses, with a stable code. Nothing is
 * stored when one is thrown. The HTTP status comes from {@code web.Problems}: 404 for {@code
 * client.not_found}, 409 for {@code client.taken}, 400 for the rest.
 */
public final class ClientException extends SignetException {
    /** No client has that id (404). */
    public static final String NOT_FOUND = "client.not_found";
    /** Another client has that name, compared case-insensitively (409). */
    public static final String TAKEN = "client.taken";
    /** The name is empty, longer than 100 characters or has control characters (400). */
    public static final String NAME_INVALID = "client.name_invalid";
    /** The type is not {@code confidential} or {@code public} (400). */
    public static final String TYPE_UNKNOWN = "client.type_unknown";
    /** The authentication method is not one of {@link ClientAuth}'s (400). */
    public static final String AUTH_UNKNOWN = "client.auth_unknown";
    /**
     * The authentication method does not fit the type: a public client with a secret or a key, or a
     * confidential client with {@code none} (400).
     */
    public static final String AUTH_INVALID = "client.auth_invalid";
    /**
     * The JWK Set is missing (with {@code private_key_jwt}), not a JWK Set, holds a private or
     * symmetric key, a key not for signing, or a key too weak (400).
     */
    public static final String JWKS_INVALID = "client.jwks_invalid";
    /** A JWK Set was given for a client that does not authenticate with {@code private_key_jwt} (400). */
    public static final String JWKS_UNEXPECTED = "client.jwks_unexpected";
    /** A grant type is not one Signet offers (implicit and password are not offered) (400). */
    public static final String GRANT_UNKNOWN = "client.grant_unknown";
    /** The client has no grant type (400). */
    public static final String GRANT_MISSING = "client.grant_missing";
    /**
     * The grants do not fit the client: client credentials for a public client, the device grant
     * with a shared secret, a refresh token without a grant that signs a person in (400).
     */
    public static final String GRANT_NOT_ALLOWED = "client.grant_not_allowed";
    /**
     * A redirect URI is not an absolute {@code https} URI (or {@code http} on a loopback address, or
     * a private-use scheme for native apps), has a fragment or a wildcard, or is too long (400).
     */
    public static final String REDIRECT_URI_INVALID = "client.redirect_uri_invalid";
    /** The authorization code grant needs at least one redirect URI (400). */
    public static final String REDIRECT_URI_MISSING = "client.redirect_uri_missing";
    /** Redirect URIs were given, but no grant uses them (400). */
    public static final String REDIRECT_URI_UNEXPECTED = "client.redirect_uri_unexpected";
    /** The back-channel logout URI is not an absolute https (or loopback http) URI without fragment (400). */
    public static final String LOGOUT_URI_INVALID = "client.logout_uri_invalid";
    /** A scope is not an RFC 6749 §3.3 scope token, or there are too many (400). */
    public static final String SCOPE_INVALID = "client.scope_invalid";
    /** A token lifetime is out of range (400). */
    public static final String TTL_INVALID = "client.ttl_invalid";
    /** The ID token algorithm is not ES256, RS256 or EdDSA (400). */
    public static final String ALGORITHM_UNKNOWN = "client.algorithm_unknown";
    /** The client does not authenticate with a secret, so it has none to rotate (400). */
    public static final String NO_SECRET = "client.no_secret";

    public ClientException(String code, String message) {
        super(code, message);
    }

    public ClientException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
