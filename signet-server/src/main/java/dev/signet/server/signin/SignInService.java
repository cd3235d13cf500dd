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
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

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

    /** The password is right; {@code stage} says whether the sign-in is complete or needs a factor. */
    public record Success(User user, SignetAuthentication.Stage stage) implements Result {}

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
    private final FactorPolicy policy;
    private final Clock clock;

    public SignInService(
            Store store,
            UserRepository users,
            PasswordHasher hasher,
            SignInGuard gate,
            SignInHistory history,
            AuditLog audit,
            FactorPolicy policy,
            Clock clock) {
        this.store = store;
        this.users = users;
        this.hasher = hasher;
        this.gate = gate;
        this.history = history;
        this.audit = audit;
        this.policy = policy;
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
        SignetAuthentication.Stage stage = policy.afterFirstFactor(user, Factor.PWD);
        Instant now = clock.instant();
        // One transaction (one commit, one fsync) for everything a successful sign-in writes.
        store.inTransaction(() -> {
            if (rehash != null) {
                users.updatePasswordHash(user.id(), rehash);
                audit.append(AuditEvent.of("account.password_rehashed", AuditEvent.SUCCESS)
                        .actor(user.username())
                        .subject(user.username())
                        .detail("from", scheme(c.passwordHash()))
                        .build());
            }
            if (stage == SignetAuthentication.Stage.SECOND_FACTOR) {
                // Not signed in yet. The account's failure streak is kept: a right password must not
                // reset the throttle on guessing the second factor.
                audit.append(AuditEvent.of("auth.password_verified", AuditEvent.SUCCESS)
                        .actor(user.username())
                        .subject(user.username())
                        .client(client.ip(), client.userAgent())
                        .detail("next", "second_factor")
                        .build());
            } else {
                recordSuccess(user, client, List.of(Factor.PWD), now);
            }
        });
        return new Success(user, stage);
    }

    /**
     * A signed-in user typing their password again (step-up): the same throttle, the same hashing, the
     * failures counted. True when the password is right.
     */
    public boolean reauthenticate(User user, String password, ClientInfo client) {
        if (password == null || password.isEmpty() || password.length() > PasswordHasher.MAX_LENGTH * 2) {
            return false;
        }
        if (secondFactorThrottled(user, client).isPresent()) {
            return false;
        }
        Optional<UserRepository.Credentials> c = users.credentialsById(user.id());
        boolean ok = c.isPresent()
                && c.get().passwordHash() != null
                && c.get().user().active()
                && hasher.verify(password, c.get().passwordHash());
        if (!ok) {
            factorFailed(user, Factor.PWD, client, "bad_password");
        }
        return ok;
    }

    /**
     * Before checking a second factor: the same brute-force throttle as passwords, for this account
     * and client. Empty when the attempt may go ahead.
     */
    public Optional<Duration> secondFactorThrottled(User user, ClientInfo client) {
        SignInGuard.Verdict verdict = gate.check(Usernames.key(user.username()), client.ip());
        return verdict.isAllowed() ? Optional.empty() : Optional.of(verdict.retryAfter());
    }

    /**
     * A sign-in completed by {@code factors} (the last one just verified): ends the account's failure
     * streak, records the sign-in in the history and the audit log.
     */
    public void completed(User user, List<Factor> factors, ClientInfo client) {
        Instant now = clock.instant();
        store.inTransaction(() -> recordSuccess(user, client, factors, now));
    }

    /**
     * A second factor (or a passkey) refused: counts towards the account's and the client's throttle
     * like a wrong password (but not towards password spraying), and is recorded.
     */
    public void factorFailed(User user, Factor factor, ClientInfo client, String reason) {
        Instant now = clock.instant();
        store.inTransaction(() -> {
            if (user != null) {
                gate.failed(Usernames.key(user.username()), client.ip(), null);
            }
            history.record(
                    now,
                    user == null ? null : user.id(),
                    user == null ? null : user.username(),
                    client,
                    AuditEvent.FAILURE,
                    reason,
                    factor.amr());
            audit.append(AuditEvent.of("auth.sign_in", AuditEvent.FAILURE)
                    .subject(user == null ? null : user.username())
                    .client(client.ip(), client.userAgent())
                    .reason(reason)
                    .detail("factor", factor.amr())
                    .build());
        });
    }

    private void recordSuccess(User user, ClientInfo client, List<Factor> factors, Instant now) {
        String used = factors.stream().map(Factor::amr).distinct().collect(Collectors.joining("+"));
        gate.succeeded(Usernames.key(user.username()), client.ip());
        users.recordSignIn(user.id(), now);
        history.record(now, user.id(), user.username(), client, AuditEvent.SUCCESS, null, used);
        audit.append(AuditEvent.of("auth.sign_in", AuditEvent.SUCCESS)
                .actor(user.username())
                .subject(user.username())
                .client(client.ip(), client.userAgent())
                .detail("factors", used)
                .build());
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
