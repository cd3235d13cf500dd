package dev.signet.server.account;

import dev.signet.core.crypto.Secure;
import dev.signet.core.password.Argon2id;
import dev.signet.core.password.PasswordPolicy;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * First run: there is no default password anywhere. While no administrator exists, the server
 * issues a one-time setup link (single use, valid one hour, stored only as its SHA-256), and the
 * person holding it creates the first administrator. The shell command {@code signet admin
 * create-admin} does the same for headless installs.
 *
 * <p>Single use holds under concurrency because consuming the token is one conditional {@code
 * UPDATE ... WHERE used_at IS NULL AND expires_at > now} in the same transaction that creates the
 * account: exactly one request sees one row updated.
 */
public final class SetupService {
    public static final Duration LINK_TTL = Duration.ofHours(1);

    /** What a setup token is worth right now. */
    public enum TokenState {
        VALID,
        EXPIRED,
        USED,
        UNKNOWN,
        /** An administrator exists: setup is over. */
        DONE
    }

    private final Store store;
    private final UserRepository users;
    private final AuditLog audit;
    private final PasswordHasher hasher;
    private final PasswordPolicy policy;
    private final Clock clock;

    /** With the default single-factor policy (the shell, before settings reach it). */
    public SetupService(Store store, UserRepository users, AuditLog audit, Argon2id argon2id, Clock clock) {
        this(
                store,
                users,
                audit,
                new PasswordHasher(argon2id),
                new PasswordPolicy(PasswordPolicy.Rules.SINGLE_FACTOR),
                clock);
    }

    public SetupService(
            Store store,
            UserRepository users,
            AuditLog audit,
            PasswordHasher hasher,
            PasswordPolicy policy,
            Clock clock) {
        this.policy = policy;
        this.store = store;
        this.users = users;
        this.audit = audit;
        this.hasher = hasher;
        this.clock = clock;
    }

    public boolean setupNeeded() {
        return users.countAdmins() == 0;
    }

    /**
     * Issues a new setup token, voiding any earlier unused one; empty when an administrator already
     * exists. The token is returned once and stored only hashed.
     */
    public Optional<String> issueToken() {
        if (!setupNeeded()) {
            return Optional.empty();
        }
        String token = Secure.randomToken(32);
        Instant now = clock.instant();
        store.inTransaction(() -> {
            store.jdbc()
                    .sql("UPDATE setup_token SET expires_at = ? WHERE used_at IS NULL AND expires_at > ?")
                    .params(now.toEpochMilli(), now.toEpochMilli())
                    .update();
            store.jdbc()
                    .sql("INSERT INTO setup_token (id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)")
                    .params(
                            UUID.randomUUID().toString(),
                            Secure.sha256Hex(token),
                            now.toEpochMilli(),
                            now.plus(LINK_TTL).toEpochMilli())
                    .update();
        });
        audit.append(AuditEvent.of("setup.link_issued", AuditEvent.SUCCESS)
                .actor("system")
                .detail("expires_at", now.plus(LINK_TTL).toString())
                .build());
        return Optional.of(token);
    }

    public TokenState check(String token) {
        if (token == null || token.isEmpty() || token.length() > 128) {
            return TokenState.UNKNOWN;
        }
        Optional<TokenState> known = store.jdbc()
                .sql("SELECT expires_at, used_at FROM setup_token WHERE token_hash = ?")
                .param(Secure.sha256Hex(token))
                .query((rs, n) -> {
                    rs.getLong("used_at");
                    if (!rs.wasNull()) {
                        return TokenState.USED;
                    }
                    return rs.getLong("expires_at") <= clock.millis() ? TokenState.EXPIRED : TokenState.VALID;
                })
                .optional();
        // A used link says "used" (its holder most likely created the admin); any other link, once an
        // administrator exists, says setup is over.
        if (known.orElse(null) == TokenState.USED) {
            return TokenState.USED;
        }
        if (!setupNeeded()) {
            return TokenState.DONE;
        }
        return known.orElse(TokenState.UNKNOWN);
    }

    /**
     * Creates the first administrator with a setup token.
     *
     * @throws AccountException {@code setup.link_expired}, {@code setup.link_used}, {@code
     *     setup.link_unknown}, {@code setup.done}, or a username/password rule
     */
    public User createFirstAdmin(
            String token,
            String username,
            String email,
            String password,
            String confirmation,
            String ip,
            String userAgent) {
        String name = Usernames.validate(username);
        checkPassword(name, email, password, confirmation);
        TokenState before = check(token);
        if (before != TokenState.VALID) {
            throw failure(before, name, ip, userAgent);
        }
        // Hash outside the transaction: the write lock is not held for the ~tens of ms Argon2id takes.
        String hash = hasher.hash(password);
        Instant now = clock.instant();
        Optional<User> created = store.inTransaction(() -> {
            int consumed = store.jdbc()
                    .sql(
                            "UPDATE setup_token SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?")
                    .params(now.toEpochMilli(), Secure.sha256Hex(token), now.toEpochMilli())
                    .update();
            if (consumed != 1 || users.countAdmins() > 0) {
                return Optional.<User>empty();
            }
            User user = users.create(name, blankToNull(email), User.Role.ADMIN, hash, now);
            store.jdbc()
                    .sql("UPDATE setup_token SET used_by = ? WHERE token_hash = ?")
                    .params(user.id(), Secure.sha256Hex(token))
                    .update();
            audit.append(AuditEvent.of("setup.admin_created", AuditEvent.SUCCESS)
                    .actor(user.username())
                    .subject(user.username())
                    .client(ip, userAgent)
                    .detail("via", "setup_link")
                    .build());
            return Optional.of(user);
        });
        return created.orElseThrow(
                () -> failure(check(token) == TokenState.VALID ? TokenState.USED : check(token), name, ip, userAgent));
    }

    /** The shell's way in: creates an administrator directly and voids any open setup link. */
    public User createAdminFromShell(String username, String email, String password) {
        String name = Usernames.validate(username);
        checkPassword(name, email, password, null);
        String hash = hasher.hash(password);
        Instant now = clock.instant();
        return store.inTransaction(() -> {
            User user = users.create(name, blankToNull(email), User.Role.ADMIN, hash, now);
            store.jdbc()
                    .sql("UPDATE setup_token SET expires_at = ? WHERE used_at IS NULL AND expires_at > ?")
                    .params(now.toEpochMilli(), now.toEpochMilli())
                    .update();
            audit.append(AuditEvent.of("admin.created", AuditEvent.SUCCESS)
                    .actor("shell")
                    .subject(user.username())
                    .detail("via", "signet admin create-admin")
                    .build());
            return user;
        });
    }

    private void checkPassword(String username, String email, String password, String confirmation) {
        try {
            policy.check(password, java.util.Arrays.asList(username, email));
        } catch (dev.signet.core.SignetException e) {
            throw new AccountException(e.code(), e.getMessage());
        }
        if (confirmation != null && !confirmation.equals(password)) {
            throw new AccountException("password.mismatch", "the two passwords differ");
        }
    }

    private AccountException failure(TokenState state, String username, String ip, String userAgent) {
        String reason = switch (state) {
            case EXPIRED -> "link_expired";
            case USED -> "link_used";
            case DONE -> "done";
            default -> "link_unknown";
        };
        audit.append(AuditEvent.of("setup.admin_created", AuditEvent.FAILURE)
                .subject(username)
                .client(ip, userAgent)
                .reason(reason)
                .build());
        return new AccountException("setup." + reason, MESSAGES.get(reason));
    }

    private static final Map<String, String> MESSAGES = Map.of(
            "link_expired",
                    "This setup link has expired. Restart the server, or run `signet admin setup-link`, for a new one.",
            "link_used", "This setup link has already been used. Sign in instead.",
            "done", "Setup is complete: an administrator exists. Sign in instead.",
            "link_unknown", "This setup link is not valid. Use the link the server printed at start.");

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
