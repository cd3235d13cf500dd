package dev.signet.server.signing;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One principal allowed to sign with a key.
 *
 * @param kind a user, an API token or an OAuth client
 * @param principalId the user's id, the token's id or the client id
 * @param to how the API writes it: {@code user:USERNAME}, {@code token:TOKEN_ID}, {@code client:CLIENT_ID}
 *     (a user deleted since is {@code user:#ID})
 * @param label a name for people: the username, the token's name and owner, the client id
 * @param createdAt when it was granted
 * @param createdBy who granted it
 */
public record Grant(Kind kind, String principalId, String to, String label, Instant createdAt, String createdBy) {
    /** What a grant is to. */
    public enum Kind {
        USER,
        TOKEN,
        CLIENT;

        /** The prefix in {@code to}: {@code user}, {@code token}, {@code client}. */
        public String prefix() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Grant {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(principalId, "principalId");
    }
}
