package dev.signet.server.oidc;

import java.util.Locale;
import java.util.Optional;

/**
 * How a client authenticates at the token endpoint, by its {@code token_endpoint_auth_method} name
 * (RFC 7591 §2; OpenID Connect Core 1.0 §9).
 *
 * <ul>
 *   <li>{@link #CLIENT_SECRET_BASIC}, {@link #CLIENT_SECRET_POST}: a secret that Signet generates and
 *       stores only hashed (RFC 6749 §2.3.1);
 *   <li>{@link #PRIVATE_KEY_JWT}: a JWT signed with a key whose public half is registered as a JWK
 *       Set (RFC 7523 §2.2); no shared secret crosses the wire;
 *   <li>{@link #NONE}: no authentication, for {@link ClientType#PUBLIC} clients only.
 * </ul>
 */
public enum ClientAuth {
    CLIENT_SECRET_BASIC,
    CLIENT_SECRET_POST,
    PRIVATE_KEY_JWT,
    NONE;

    /** The RFC 7591 name, e.g. {@code client_secret_basic}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this method authenticates with a secret Signet issued. */
    public boolean usesSecret() {
        return this == CLIENT_SECRET_BASIC || this == CLIENT_SECRET_POST;
    }

    /** The method with that RFC 7591 name, case-insensitively. */
    public static Optional<ClientAuth> byId(String id) {
        if (id != null) {
            for (ClientAuth a : values()) {
                if (a.id().equalsIgnoreCase(id.strip())) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }
}
