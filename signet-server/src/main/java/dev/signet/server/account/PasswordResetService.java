package dev.signet.server.account;

import dev.signet.core.crypto.Secure;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.mail.Mailer;
import dev.signet.server.signin.ClientInfo;
import dev.signet.server.store.Store;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Password reset by an emailed one-time link.
 *
 * <ul>
 *   <li><b>No enumeration.</b> {@link #request} only validates the shape of the address and hands
 *       the rest (lookup, throttle, storing the link, sending the mail) to a small background pool,
 *       so the answer, and the time it takes, is the same whether or not an account has the address.
 *   <li><b>Stored hashed.</b> A link carries 32 random bytes; only their SHA-256 is stored.
 *   <li><b>30 minutes, single use.</b> {@link #complete} consumes the link with a conditional UPDATE
 *       ({@code used_at IS NULL AND expires_at > now}) in the same transaction as the password change
 *       ({@link AccountService#resetPassword} joins it: {@link Store#inTransaction} propagates), so of
 *       two racing requests exactly one changes the password; a refused password consumes nothing.
 *   <li><b>Void after any password change.</b> Every password change deletes the user's links.
 *   <li><b>Throttle.</b> At most {@value #MAX_LINKS_PER_WINDOW} links per account per 30 minutes,
 *       counted in the database (so it holds across nodes and restarts). Earlier unused links stay
 *       valid until used, expired, or voided by a password change: a slow mail does not kill the
 *       link a person is about to click.
 * </ul>
 *
 * <p>Mail failures are logged (without the link) and audited, never shown to the requester.
 */
public final class PasswordResetService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PasswordResetService.class);

    public static final Duration LINK_TTL = Duration.ofMinutes(30);
    public static final int MAX_LINKS_PER_WINDOW = 3;
    /** Expired links are kept this long, so an old link says "expired" rather than "unknown". */
    static final Duration KEEP_EXPIRED = Duration.ofDays(1);

    private static final int WORKERS = 4;
    private static final int QUEUE = 1000;

    /** What a link is worth right now. */
    public enum TokenState {
        VALID,
        EXPIRED,
        USED,
        UNKNOWN
    }

    /** The result of looking a link up; {@code user} is present when the state is VALID. */
    public record Check(TokenState state, Optional<User> user) {}

    private final Store store;
    private final UserRepository users;
    private final AccountService accounts;
    private final AuditLog audit;
    private final Mailer mailer;
    private final Clock clock;
    private final Supplier<URI> baseUrl;
    private final ExecutorService background;

    public PasswordResetService(
            Store store,
            UserRepository users,
            AccountService accounts,
            AuditLog audit,
            Mailer mailer,
            Clock clock,
            Supplier<URI> baseUrl) {
        this.store = store;
        this.users = users;
        this.accounts = accounts;
        this.audit = audit;
        this.mailer = mailer;
        this.clock = clock;
        this.baseUrl = baseUrl;
        this.background = new ThreadPoolExecutor(
                WORKERS,
                WORKERS,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE),
                Thread.ofVirtual().name("signet-reset-", 0).factory(),
                (task, pool) -> {
                    throw new RejectedExecutionException("password reset queue full");
                });
    }

    /** True when links can be sent (an SMTP host is configured). */
    public boolean enabled() {
        return mailer.enabled();
    }

    /**
     * Asks for a reset link for {@code email}. Returns at once and says nothing about whether an
     * account has the address; the work happens in the background.
     *
     * @throws AccountException {@code email.invalid} when the input is not an email address at all
     */
    public void request(String email, ClientInfo client) {
        if (email == null || email.isBlank()) {
            throw new AccountException("email.invalid", "enter the email address of your account");
        }
        String address = AccountService.email(email);
        if (!mailer.enabled()) {
            throw new AccountException("reset.unavailable", "password reset is not available on this server");
        }
        try {
            background.execute(() -> {
                try {
                    process(address, client);
                } catch (RuntimeException e) {
                    log.warn("password reset request failed: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            // Same answer to the requester; the operator sees the overload.
            log.warn("password reset request dropped: {} requests are waiting", QUEUE);
        }
    }

    /** The background half of {@link #request}: find the accounts, issue links, send them. */
    void process(String email, ClientInfo client) {
        List<User> found = users.activeByEmail(email);
        if (found.isEmpty()) {
            // Nothing that identifies the typed address goes into the audit trail.
            audit.append(AuditEvent.of("account.password_reset_requested", AuditEvent.FAILURE)
                    .client(client.ip(), client.userAgent())
                    .reason("unknown")
                    .build());
            return;
        }
        for (User user : found) {
            String token = Secure.randomToken(32);
            Instant now = clock.instant();
            Instant expires = now.plus(LINK_TTL);
            boolean issued = store.inTransaction(() -> {
                if (store.dialect() == Store.Dialect.POSTGRES) {
                    // Serialise requests for one account, so the throttle's count cannot be raced.
                    store.jdbc()
                            .sql("SELECT id FROM app_user WHERE id = ? FOR UPDATE")
                            .param(user.id())
                            .query(String.class)
                            .optional();
                }
                store.jdbc()
                        .sql("DELETE FROM password_reset WHERE user_id = ? AND expires_at < ?")
                        .params(user.id(), now.minus(KEEP_EXPIRED).toEpochMilli())
                        .update();
                long recent = store.jdbc()
                        .sql("SELECT COUNT(*) FROM password_reset WHERE user_id = ? AND created_at > ?")
                        .params(user.id(), now.minus(LINK_TTL).toEpochMilli())
                        .query(Long.class)
                        .single();
                if (recent >= MAX_LINKS_PER_WINDOW) {
                    return false;
                }
                store.jdbc()
                        .sql("INSERT INTO password_reset (id, user_id, token_hash, created_at, expires_at, ip)"
                                + " VALUES (?, ?, ?, ?, ?, ?)")
                        .params(
                                UUID.randomUUID().toString(),
                                user.id(),
                                Secure.sha256Hex(token),
                                now.toEpochMilli(),
                                expires.toEpochMilli(),
                                client.ip())
                        .update();
                audit.append(AuditEvent.of("account.password_reset_requested", AuditEvent.SUCCESS)
                        .subject(user.username())
                        .client(client.ip(), client.userAgent())
                        .detail("expires_at", expires.toString())
                        .build());
                return true;
            });
            if (!issued) {
                audit.append(AuditEvent.of("account.password_reset_requested", AuditEvent.FAILURE)
                        .subject(user.username())
                        .client(client.ip(), client.userAgent())
                        .reason("throttled")
                        .build());
                continue;
            }
            sendLink(user, token);
        }
    }

    private void sendLink(User user, String token) {
        String link = baseUrl.get() + "/reset/confirm?token=" + token;
        String name = user.displayName() == null ? user.username() : user.displayName();
        String text = "Hello " + name + ",\n\n"
                + "someone, hopefully you, asked to reset the password of the Signet account \"" + user.username()
                + "\".\nTo choose a new password, open this link within " + LINK_TTL.toMinutes() + " minutes:\n\n"
                + link + "\n\n"
                + "The link works once. If you did not ask for this, ignore this message: your password stays"
                + " as it is.\n";
        try {
            mailer.send(user.email(), "Reset your Signet password", text);
        } catch (RuntimeException e) {
            // Never the link or the body: only who and why.
            log.warn(
                    "password reset mail for user {} was not sent: {}",
                    user.username(),
                    e.getClass().getSimpleName());
            audit.append(AuditEvent.of("account.password_reset_mail", AuditEvent.FAILURE)
                    .actor("system")
                    .subject(user.username())
                    .reason("mail_failed")
                    .detail("error", e.getClass().getSimpleName())
                    .build());
        }
    }

    private record Row(String userId, long expiresAt, boolean used) {}

    /** Looks a link up without using it. */
    public Check check(String token) {
        if (token == null || token.isEmpty() || token.length() > 128) {
            return new Check(TokenState.UNKNOWN, Optional.empty());
        }
        Optional<Row> row = store.jdbc()
                .sql("SELECT user_id, expires_at, used_at FROM password_reset WHERE token_hash = ?")
                .param(Secure.sha256Hex(token))
                .query((rs, n) -> {
                    String userId = rs.getString("user_id");
                    long expiresAt = rs.getLong("expires_at");
                    rs.getLong("used_at");
                    return new Row(userId, expiresAt, !rs.wasNull());
                })
                .optional();
        if (row.isEmpty()) {
            return new Check(TokenState.UNKNOWN, Optional.empty());
        }
        if (row.get().used()) {
            return new Check(TokenState.USED, Optional.empty());
        }
        if (row.get().expiresAt() <= clock.millis()) {
            return new Check(TokenState.EXPIRED, Optional.empty());
        }
        Optional<User> user = users.byId(row.get().userId()).filter(u -> u.active() && u.kind() == User.Kind.PERSON);
        return user.isEmpty() ? new Check(TokenState.UNKNOWN, Optional.empty()) : new Check(TokenState.VALID, user);
    }

    /**
     * Sets a new password with a link, and uses the link up.
     *
     * @throws AccountException {@code reset.link_unknown}, {@code reset.link_expired}, {@code
     *     reset.link_used}; {@code password.mismatch}
     * @throws dev.signet.core.SignetException when the password policy refuses the new password (the
     *     link stays usable)
     */
    public User complete(String token, String password, String confirmation, ClientInfo client) {
        Check before = check(token);
        if (before.state() != TokenState.VALID) {
            throw refused(before.state(), client);
        }
        User user = before.user().orElseThrow();
        if (password == null || confirmation == null || !password.equals(confirmation)) {
            throw new AccountException("password.mismatch", "the two passwords differ");
        }
        // The policy and the hashing first, outside the transaction: a refusal leaves the link as it
        // was, and the write lock is not held while Argon2id runs.
        AccountService.NewPassword prepared = accounts.prepare(user, password);
        String hash = Secure.sha256Hex(token);
        boolean changed = store.inTransaction(() -> {
            long now = clock.millis();
            int consumed = store.jdbc()
                    .sql("UPDATE password_reset SET used_at = ? WHERE token_hash = ? AND user_id = ?"
                            + " AND used_at IS NULL AND expires_at > ?")
                    .params(now, hash, user.id(), now)
                    .update();
            if (consumed != 1) {
                return false;
            }
            // Joins this transaction: the new hash, the deleted links and the ended sessions commit
            // together with the consumed link, or none of them does.
            accounts.resetPassword(prepared);
            audit.append(AuditEvent.of("account.password_reset", AuditEvent.SUCCESS)
                    .actor(user.username())
                    .subject(user.username())
                    .client(client.ip(), client.userAgent())
                    .build());
            return true;
        });
        if (!changed) {
            TokenState after = check(token).state();
            throw refused(after == TokenState.EXPIRED ? TokenState.EXPIRED : TokenState.USED, client);
        }
        return user;
    }

    private AccountException refused(TokenState state, ClientInfo client) {
        String reason = switch (state) {
            case EXPIRED -> "link_expired";
            case USED -> "link_used";
            default -> "link_unknown";
        };
        audit.append(AuditEvent.of("account.password_reset", AuditEvent.FAILURE)
                .client(client.ip(), client.userAgent())
                .reason(reason)
                .build());
        return new AccountException(
                "reset." + reason,
                switch (state) {
                    case EXPIRED -> "this reset link has expired; ask for a new one";
                    case USED -> "this reset link has already been used; ask for a new one";
                    default -> "this reset link is not valid; ask for a new one";
                });
    }

    /** Lets queued requests finish (each mail gives up after its timeouts), then stops the pool. */
    @Override
    public void close() {
        background.shutdown();
        try {
            if (!background.awaitTermination(15, TimeUnit.SECONDS)) {
                background.shutdownNow();
            }
        } catch (InterruptedException e) {
            background.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
