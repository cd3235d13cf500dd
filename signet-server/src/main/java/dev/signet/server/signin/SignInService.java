package dev.signet.server.signin;

import dev.signet.server.account.PasswordHasher;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.account.Usernames;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.guard.SignInGuard;
import dev.signet.server.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Password sign-in, in this order: refuse over-long input without hashing; ask the {@link
 * SignInGuard} (database-backed brute-force protection) before any hashing; look the account up;
 * verify the password, or a dummy hash when there is no usable account, so unknown, disabled and
 * service accounts cost the same work and get the same answer as a wrong password; record the
 * attempt in the user's history and the audit log; re-hash when the stored hash is imported or uses
 * older Argon2id parameters.
 */
public final class SignInService {
    /** The longest username considered; longer input is refused before anything else. */
    public static final int MAX_USERNAME = 256;

    /** The outcome. A refusal's {@code reason} is for the audit log and history, never for the client. */
    public sealed interface Result {}

    public record Success(User user) implements Result {}

    public record Refused(String reason, Optional<Duration> retryAfter) implements Result {
        public boolean throttled() {
            return retryAfter.isPresent();
        }
    }

    private final Store store;
    private final UserRepository users;
    private final PasswordHasher hasher;
    private final SignInGuard gate;
    private final SignInHistory history;
    private final AuditLog audit;
    private final Clock clock;

    public SignInService(
            Store store,
            UserRepository users,
            PasswordHasher hasher,
            SignInGuard gate,
            SignInHistory history,
            AuditLog audit,
            Clock clock) {
        this.store = store;
        this.users = users;
        this.hasher = hasher;
        this.gate = gate;
        this.history = history;
        this.audit = audit;
        this.clock = clock;
    }

    public Result signIn(String typed, String password, ClientInfo client) {
        if (typed == null || password == null || typed.isBlank() || password.isEmpty()) {
            return refuse(null, typed, client, "missing_input", Optional.empty());
        }
        if (typed.length() > MAX_USERNAME || password.length() > PasswordHasher.MAX_LENGTH * 2) {
            return refuse(null, typed, client, "input_too_long", Optional.empty());
        }
        String key = Usernames.key(typed);
        SignInGuard.Verdict verdict = gate.check(key, client.ip());
        Optional<UserRepository.Credentials> found = users.credentials(typed);
        String userId = found.map(c -> c.user().id()).orElse(null);
        if (!verdict.isAllowed()) {
            return refuse(userId, typed, client, "throttled_" + verdict.scope(), Optional.of(verdict.retryAfter()));
        }
        String reason;
        if (found.isEmpty()) {
            hasher.dummyVerify(password);
            reason = "unknown_user";
        } else {
            UserRepository.Credentials c = found.get();
            if (c.passwordHash() == null || c.user().kind() != User.Kind.PERSON) {
                hasher.dummyVerify(password);
                reason = "no_password";
            } else if (!hasher.verify(password, c.passwordHash())) {
                reason = "bad_password";
            } else if (!c.user().active()) {
                reason = "account_disabled";
            } else {
                return succeed(c, typed, password, client);
            }
        }
        String failure = reason;
        // One transaction (one commit, one fsync) for the throttle bookkeeping, history and audit.
        return store.inTransaction(() -> {
            gate.failed(key, client.ip(), password);
            return refuse(userId, typed, client, failure, Optional.empty());
        });
    }

    private Result succeed(UserRepository.Credentials c, String typed, String password, ClientInfo client) {
        User user = c.user();
        // Hashing happens before the transaction: the write lock is not held while Argon2id runs.
        String rehash = hasher.needsRehash(c.passwordHash()) ? hasher.hash(password) : null;
        Instant now = clock.instant();
        // One transaction (one commit, one fsync) for everything a successful sign-in writes.
        store.inTransaction(() -> {
            gate.succeeded(Usernames.key(typed), client.ip());
            if (rehash != null) {
                users.updatePasswordHash(user.id(), rehash);
                audit.append(AuditEvent.of("account.password_rehashed", AuditEvent.SUCCESS)
                        .actor(user.username())
                        .subject(user.username())
                        .detail("from", scheme(c.passwordHash()))
                        .build());
            }
            users.recordSignIn(user.id(), now);
            history.record(now, user.id(), typed, client, AuditEvent.SUCCESS, null, "pwd");
            audit.append(AuditEvent.of("auth.sign_in", AuditEvent.SUCCESS)
                    .actor(user.username())
                    .subject(user.username())
                    .client(client.ip(), client.userAgent())
                    .detail("factors", "pwd")
                    .build());
        });
        return new Success(user);
    }

    private Result refuse(
            String userId, String typed, ClientInfo client, String reason, Optional<Duration> retryAfter) {
        Instant now = clock.instant();
        store.inTransaction(() -> {
            history.record(now, userId, typed, client, AuditEvent.FAILURE, reason, "pwd");
            String subject = typed == null ? null : typed.strip();
            if (subject != null && subject.length() > 128) {
                subject = subject.substring(0, 128);
            }
            audit.append(AuditEvent.of("auth.sign_in", AuditEvent.FAILURE)
                    .subject(subject)
                    .client(client.ip(), client.userAgent())
                    .reason(reason)
                    .build());
        });
        return new Refused(reason, retryAfter);
    }

    private static String scheme(String hash) {
        if (hash.startsWith("$argon2id$")) {
            return "argon2id-old-params";
        }
        if (hash.startsWith("$2")) {
            return "bcrypt";
        }
        return "pbkdf2-sha256";
    }
}
