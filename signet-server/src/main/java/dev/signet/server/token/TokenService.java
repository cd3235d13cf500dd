package dev.signet.server.token;

import dev.signet.core.crypto.Secure;
import dev.signet.server.account.AccountException;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.store.Store;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Personal and service API tokens. A token is {@code sgt_} followed by 32 random bytes in base64url;
 * it is shown once, at creation, and stored only as its SHA-256 (a 256-bit random secret needs no
 * slow hash) with its last four characters as a hint. A token works while it is not revoked, not
 * expired, and its owner is active; disabling or deleting the owner revokes all of them.
 */
public final class TokenService {
    public static final String PREFIX = "sgt_";
    /** The most a token may live; a token without expiry is allowed but must be asked for. */
    public static final Duration MAX_LIFETIME = Duration.ofDays(2 * 366);

    private static final Pattern FORMAT = Pattern.compile("sgt_[A-Za-z0-9_-]{43}");

    /** A token as listed: never the secret. */
    public record ApiToken(
            String id,
            String userId,
            String name,
            String hint,
            Set<String> scopes,
            Instant created,
            String createdBy,
            Optional<Instant> expires,
            Optional<Instant> lastUsed,
            Optional<Instant> revoked) {
        public boolean activeAt(Instant now) {
            return revoked.isEmpty() && expires.map(now::isBefore).orElse(true);
        }
    }

    /** A newly created token, with its secret: show it once, keep nothing. */
    public record Created(ApiToken token, String secret) {
        @Override
        public String toString() {
            return "Created[" + token.id() + ", secret=redacted]";
        }
    }

    /** A caller authenticated by a token. */
    public record Caller(User user, ApiToken token) {}

    private final Store store;
    private final UserRepository users;
    private final AuditLog audit;
    private final Clock clock;

    public TokenService(Store store, UserRepository users, AuditLog audit, Clock clock) {
        this.store = store;
        this.users = users;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Creates a token for {@code owner}.
     *
     * @param expires when it stops working; empty for never
     * @throws AccountException {@code token.name_invalid}, {@code token.expiry_invalid}, or a scope
     *     refusal from {@link Scopes#check}
     */
    public Created create(User owner, String name, Set<String> scopes, Optional<Instant> expires, String actor) {
        String n = name == null ? "" : name.strip();
        if (n.isEmpty() || n.length() > 100 || n.codePoints().anyMatch(Character::isISOControl)) {
            throw new AccountException("token.name_invalid", "a token needs a name of 1 to 100 characters");
        }
        if (!owner.active()) {
            throw new AccountException("user.disabled", "the account is disabled");
        }
        Set<String> checked = Scopes.check(scopes, owner.role());
        Instant now = clock.instant();
        if (expires.isPresent() && (!expires.get().isAfter(now) || expires.get().isAfter(now.plus(MAX_LIFETIME)))) {
            throw new AccountException(
                    "token.expiry_invalid", "a token's expiry must be in the future and at most two years away");
        }
        String secret = PREFIX + Secure.randomToken(32);
        String id = UUID.randomUUID().toString();
        String hint = secret.substring(secret.length() - 4);
        store.inTransaction(() -> {
            store.jdbc()
                    .sql("INSERT INTO api_token (id, user_id, name, token_hash, hint, scopes, created_at, created_by,"
                            + " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(
                            id,
                            owner.id(),
                            n,
                            Secure.sha256Hex(secret),
                            hint,
                            String.join(" ", checked),
                            now.toEpochMilli(),
                            actor,
                            expires.map(Instant::toEpochMilli).orElse(null))
                    .update();
            audit.append(AuditEvent.of("token.created", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(owner.username())
                    .detail("token", id)
                    .detail("scopes", String.join(" ", checked))
                    .detail("expires", expires.map(Instant::toString).orElse("never"))
                    .build());
        });
        return new Created(
                new ApiToken(id, owner.id(), n, hint, checked, now, actor, expires, Optional.empty(), Optional.empty()),
                secret);
    }

    /** The caller a bearer token belongs to, if the token is well-formed, known, live and its owner active. */
    public Optional<Caller> authenticate(String secret) {
        if (secret == null || !FORMAT.matcher(secret).matches()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Optional<ApiToken> token = store.jdbc()
                .sql("SELECT * FROM api_token WHERE token_hash = ?")
                .param(Secure.sha256Hex(secret))
                .query(TokenService::token)
                .optional()
                .filter(t -> t.activeAt(now));
        if (token.isEmpty()) {
            return Optional.empty();
        }
        Optional<User> owner = users.byId(token.get().userId()).filter(User::active);
        if (owner.isEmpty()) {
            return Optional.empty();
        }
        ApiToken t = token.get();
        if (t.lastUsed().map(u -> u.plus(Duration.ofMinutes(1)).isBefore(now)).orElse(true)) {
            store.jdbc()
                    .sql("UPDATE api_token SET last_used_at = ? WHERE id = ?")
                    .params(now.toEpochMilli(), t.id())
                    .update();
        }
        return Optional.of(new Caller(owner.get(), t));
    }

    public List<ApiToken> forUser(String userId) {
        return store.jdbc()
                .sql("SELECT * FROM api_token WHERE user_id = ? ORDER BY created_at DESC, id")
                .param(userId)
                .query(TokenService::token)
                .list();
    }

    public Optional<ApiToken> byId(String id) {
        return store.jdbc()
                .sql("SELECT * FROM api_token WHERE id = ?")
                .param(id)
                .query(TokenService::token)
                .optional();
    }

    /** Revokes one of {@code owner}'s tokens; false when it is not theirs or already revoked. */
    public boolean revoke(User owner, String tokenId, String actor) {
        Instant now = clock.instant();
        return store.inTransaction(() -> {
            int n = store.jdbc()
                    .sql("UPDATE api_token SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL")
                    .params(now.toEpochMilli(), tokenId, owner.id())
                    .update();
            if (n == 1) {
                audit.append(AuditEvent.of("token.revoked", AuditEvent.SUCCESS)
                        .actor(actor)
                        .subject(owner.username())
                        .detail("token", tokenId)
                        .build());
            }
            return n == 1;
        });
    }

    /** Revokes every live token of a user (disable, delete); returns how many. */
    public int revokeAll(String userId) {
        return store.jdbc()
                .sql("UPDATE api_token SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
                .params(clock.millis(), userId)
                .update();
    }

    private static ApiToken token(ResultSet rs, int n) throws SQLException {
        return new ApiToken(
                rs.getString("id"),
                rs.getString("user_id"),
                rs.getString("name"),
                rs.getString("hint"),
                new TreeSet<>(Arrays.asList(rs.getString("scopes").split(" "))),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                rs.getString("created_by"),
                optionalInstant(rs, "expires_at"),
                optionalInstant(rs, "last_used_at"),
                optionalInstant(rs, "revoked_at"));
    }

    private static Optional<Instant> optionalInstant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
    }
}
