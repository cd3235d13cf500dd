package dev.signet.server.signin;

import dev.signet.core.otp.RecoveryCodes;
import dev.signet.server.account.PasswordHasher;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.account.Usernames;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings.MfaRequirement;
import dev.signet.server.factor.OtpService;
import dev.signet.server.factor.RecoveryCodeService;
import dev.signet.server.guard.SignInGuard;
import dev.signet.server.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Credential checks for systems that cannot speak OIDC (VPN, SSH, PAM and RADIUS bridges): a
 * username with a password, a one-time code (or a recovery code), or both. The same rules as the
 * sign-in page: the brute-force guard before any check, every failure counted, codes accepted once
 * (the database decides), the same history and audit trail. A caller that sends only a code has
 * checked the first factor itself (an SSH key, say).
 *
 * <p>Refusal reasons are stable and few, so they tell a caller what to do, never whether an account
 * exists: {@code invalid_credentials} (unknown user, wrong password, wrong or used code, disabled
 * account), {@code second_factor_required} (the password is right but the account needs a code),
 * {@code phishing_resistant_required} (the account accepts passkeys only, which a validation
 * cannot carry), {@code throttled}. The audit log has the precise reason.
 */
public final class ValidationService {
    public static final String INVALID_CREDENTIALS = "invalid_credentials";
    public static final String SECOND_FACTOR_REQUIRED = "second_factor_required";
    public static final String PHISHING_RESISTANT_REQUIRED = "phishing_resistant_required";
    public static final String THROTTLED = "throttled";

    /** The answer: accepted with the factors checked, or refused with a public reason. */
    public record Outcome(boolean accepted, String reason, List<Factor> factors, Optional<Duration> retryAfter) {
        static Outcome accept(List<Factor> factors) {
            return new Outcome(true, null, factors, Optional.empty());
        }

        static Outcome reject(String reason) {
            return new Outcome(false, reason, List.of(), Optional.empty());
        }
    }

    private final Store store;
    private final UserRepository users;
    private final PasswordHasher hasher;
    private final SignInGuard gate;
    private final OtpService otp;
    private final RecoveryCodeService recovery;
    private final FactorPolicy policy;
    private final SignInHistory history;
    private final AuditLog audit;
    private final Clock clock;

    public ValidationService(
            Store store,
            UserRepository users,
            PasswordHasher hasher,
            SignInGuard gate,
            OtpService otp,
            RecoveryCodeService recovery,
            FactorPolicy policy,
            SignInHistory history,
            AuditLog audit,
            Clock clock) {
        this.store = store;
        this.users = users;
        this.hasher = hasher;
        this.gate = gate;
        this.otp = otp;
        this.recovery = recovery;
        this.policy = policy;
        this.history = history;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Checks the credentials given ({@code password} and/or {@code code}; at least one) for {@code
     * username}. {@code caller} names the API token's owner, for the audit log.
     */
    public Outcome validate(String username, String password, String code, ClientInfo client, String caller) {
        if (password == null) {
            // No password hashing, so the whole check is short: one transaction, one commit, the
            // throttle's bookkeeping included. The code is matched before (reading, unsealing the
            // seed, HMACs), so the write lock is held only for the throttle and the deciding update.
            Optional<UserRepository.Credentials> found =
                    users.byUsername(username).map(u -> new UserRepository.Credentials(u, null));
            Optional<OtpService.Match> matched = looksLikeRecoveryCode(code)
                    ? Optional.empty()
                    : found.map(c -> otp.match(c.user().id(), code));
            return store.inTransaction(() -> check(username, found, null, code, client, caller, matched));
        }
        // Argon2id must not run while holding the write lock: the throttle check commits first.
        return check(username, users.credentials(username), password, code, client, caller, Optional.empty());
    }

    private static boolean looksLikeRecoveryCode(String code) {
        return code != null
                && code.length() > 8
                && RecoveryCodes.normalize(code).isPresent();
    }

    private Outcome check(
            String username,
            Optional<UserRepository.Credentials> found,
            String password,
            String code,
            ClientInfo client,
            String caller,
            Optional<OtpService.Match> matched) {
        String key = Usernames.key(username);
        SignInGuard.Verdict verdict = gate.check(key, client.ip());
        User user = found.map(UserRepository.Credentials::user)
                .filter(u -> u.kind() == User.Kind.PERSON)
                .orElse(null);
        if (!verdict.isAllowed()) {
            refuse(user, username, client, caller, "throttled_" + verdict.scope(), null, false);
            return new Outcome(false, THROTTLED, List.of(), Optional.of(verdict.retryAfter()));
        }
        List<Factor> used = new ArrayList<>();
        if (password != null) {
            String hash = found.map(UserRepository.Credentials::passwordHash).orElse(null);
            if (user == null || hash == null) {
                hasher.dummyVerify(password);
                return refuse(
                        user, username, client, caller, user == null ? "unknown_user" : "no_password", password, true);
            }
            if (!hasher.verify(password, hash)) {
                return refuse(user, username, client, caller, "bad_password", password, true);
            }
            used.add(Factor.PWD);
        }
        if (user == null) {
            return refuse(null, username, client, caller, "unknown_user", null, true);
        }
        if (!user.active()) {
            return refuse(user, username, client, caller, "account_disabled", password, true);
        }
        // The code check and all bookkeeping in one transaction: one commit per validation, and the
        // code's conditional update commits together with the audit row that records it.
        return store.inTransaction(() -> checkCodeAndRecord(user, username, code, client, caller, key, used, matched));
    }

    private Outcome checkCodeAndRecord(
            User user,
            String username,
            String code,
            ClientInfo client,
            String caller,
            String key,
            List<Factor> used,
            Optional<OtpService.Match> matched) {
        MfaRequirement requirement = policy.requirement(user.id());
        if (code != null) {
            if (looksLikeRecoveryCode(code)) {
                RecoveryCodeService.Check check = recovery.use(user, code);
                if (check != RecoveryCodeService.Check.ACCEPTED) {
                    return refuse(
                            user,
                            username,
                            client,
                            caller,
                            "recovery_" + check.name().toLowerCase(java.util.Locale.ROOT),
                            null,
                            true);
                }
                used.add(Factor.RECOVERY_CODE);
            } else {
                // matched (for this same user) before the transaction when no password came with it
                OtpService.Result result = matched.map(otp::accept).orElseGet(() -> otp.verify(user.id(), code));
                if (result.check() != OtpService.Check.ACCEPTED) {
                    return refuse(
                            user,
                            username,
                            client,
                            caller,
                            "otp_" + result.check().name().toLowerCase(java.util.Locale.ROOT),
                            null,
                            true);
                }
                used.add(Factor.OTP);
            }
            if (requirement == MfaRequirement.PHISHING_RESISTANT) {
                return refuse(
                        user,
                        username,
                        client,
                        caller,
                        "phishing_resistant_required",
                        null,
                        false,
                        PHISHING_RESISTANT_REQUIRED);
            }
        } else if (requirement != MfaRequirement.OFF
                || policy.enrolled(user.id()).any()) {
            return refuse(
                    user,
                    username,
                    client,
                    caller,
                    "second_factor_required",
                    null,
                    false,
                    requirement == MfaRequirement.PHISHING_RESISTANT
                            ? PHISHING_RESISTANT_REQUIRED
                            : SECOND_FACTOR_REQUIRED);
        }
        Instant now = clock.instant();
        String factors = used.stream().map(Factor::amr).distinct().collect(Collectors.joining("+"));
        gate.succeeded(key, client.ip());
        users.recordSignIn(user.id(), now);
        history.record(now, user.id(), user.username(), client, AuditEvent.SUCCESS, null, factors);
        audit.append(AuditEvent.of("auth.validate", AuditEvent.SUCCESS)
                .actor(caller)
                .subject(user.username())
                .client(client.ip(), client.userAgent())
                .detail("factors", factors)
                .build());
        return Outcome.accept(List.copyOf(used));
    }

    private Outcome refuse(
            User user, String typed, ClientInfo client, String caller, String reason, String password, boolean count) {
        return refuse(user, typed, client, caller, reason, password, count, publicReason(reason));
    }

    private Outcome refuse(
            User user,
            String typed,
            ClientInfo client,
            String caller,
            String reason,
            String password,
            boolean count,
            String publicReason) {
        Instant now = clock.instant();
        String subject = typed.strip();
        String cut = subject.length() > 128 ? subject.substring(0, 128) : subject;
        store.inTransaction(() -> {
            if (count) {
                gate.failed(Usernames.key(typed), client.ip(), password);
            }
            history.record(now, user == null ? null : user.id(), cut, client, AuditEvent.FAILURE, reason, "validate");
            audit.append(AuditEvent.of("auth.validate", AuditEvent.FAILURE)
                    .actor(caller)
                    .subject(cut)
                    .client(client.ip(), client.userAgent())
                    .reason(reason)
                    .build());
        });
        return Outcome.reject(publicReason);
    }

    private static String publicReason(String reason) {
        return reason.startsWith("throttled") ? THROTTLED : INVALID_CREDENTIALS;
    }
}
