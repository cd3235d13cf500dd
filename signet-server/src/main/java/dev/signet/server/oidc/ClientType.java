package dev.signet.server.oidc;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether a client can keep a credential (RFC 6749 §2.1): a confidential client runs on a server and
 * authenticates at the token endpoint; a public client (a single-page or native app, or the CLI on a
 * person's machine) cannot, so it uses PKCE instead and authenticates with {@link ClientAuth#NONE}.
 */
public enum ClientType {
    CONFIDENTIAL,
    PUBLIC;

    /** The lower-case name used by the API, the console and the CLI. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type with that id, case-insensitively. */
    public static Optional<ClientType> byId(String id) {
        if (id != null) {
            for (ClientType t : values()) {
                if (t.id().equalsIgnoreCase(id.strip())) {
                    return Optional.of(t);
                }
            }
        }
        return Optional.empty();
    }
}
