package dev.signet.server.signing;

import dev.signet.server.token.Scopes;
import java.util.Objects;
import java.util.Set;

/**
 * Who asks to sign or to see keys, as the policy needs to know it. The web layer builds one from the
 * request: an API token ({@link Token}), a console session ({@link Session}), or an OAuth service
 * client ({@link Client}).
 */
public sealed interface SigningCaller {
    /** The audit trail's actor. */
    String actor();

    /** How the caller authenticated, for the audit trail: {@code token:ID}, {@code session}, {@code client:ID}. */
    String via();

    /** The scopes in effect (empty for a session, which has none). */
    Set<String> scopes();

    /** Whether the caller may manage keys ({@code keys:admin}). */
    default boolean keysAdmin() {
        return scopes().contains(Scopes.KEYS_ADMIN);
    }

    /** Whether the caller's scopes name the key ({@code sign:NAME}). */
    default boolean scopedTo(String keyName) {
        return scopes().contains(Scopes.sign(keyName));
    }

    /**
     * A request with an API token: it signs with a key when it carries {@code sign:NAME} and it or its
     * owner is granted on the key.
     */
    record Token(String userId, String username, String tokenId, Set<String> scopes) implements SigningCaller {
        public Token {
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(tokenId, "tokenId");
            scopes = Set.copyOf(scopes);
        }

        @Override
        public String actor() {
            return username;
        }

        @Override
        public String via() {
            return "token:" + tokenId;
        }
    }

    /**
     * A signed-in console user: signs with a key the user is granted on; a key with step-up also
     * needs {@code secondFactorFresh}.
     *
     * @param secondFactorFresh whether a second factor (not the password) was used within the step-up window
     */
    record Session(String userId, String username, boolean secondFactorFresh) implements SigningCaller {
        public Session {
            Objects.requireNonNull(userId, "userId");
        }

        @Override
        public String actor() {
            return username;
        }

        @Override
        public String via() {
            return "session";
        }

        @Override
        public Set<String> scopes() {
            return Set.of();
        }
    }

    /** An OAuth service client (client credentials): {@code sign:NAME} in its token, and the client granted. */
    record Client(String clientId, Set<String> scopes) implements SigningCaller {
        public Client {
            Objects.requireNonNull(clientId, "clientId");
            scopes = Set.copyOf(scopes);
        }

        @Override
        public String actor() {
            return "client:" + clientId;
        }

        @Override
        public String via() {
            return "client:" + clientId;
        }
    }
}
