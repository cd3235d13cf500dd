package dev.signet.server.account;

import dev.signet.core.SignetException;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.signin.ClientInfo;
import dev.signet.server.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Self-registration: anyone may create a person account with the USER role, when the operator
 * turned it on ({@code SIGNET_SELF_REGISTRATION}, off by default). The password policy applies as
 * everywhere else.
 *
 * <p>Throttled per client IP, counted in the audit trail (so across nodes and restarts): at most
 * {@value #MAX_ACCOUNTS_PER_HOUR} accounts and {@value #MAX_ATTEMPTS_PER_HOUR} attempts (which bounds
 * probing for taken usernames) per hour.
 */
public final class RegistrationService {
    public static final String ACTOR = "self-registration";
    public static final String EVENT = "account.registered";
    public static final int MAX_ACCOUNTS_PER_HOUR = 10;
    public static final int MAX_ATTEMPTS_PER_HOUR = 50;

    /** What the registration form sends. */
    public record Form(String username, String email, String displayName, String password, String confirmation) {
        @Override
        public String toString() {
            return "Form[" + username + "]";
        }
    }

    private final boolean open;
    private final Store store;
    private final AccountService accounts;
    private final AuditLog audit;
    private final Clock clock;

    public RegistrationService(boolean open, Store store, AccountService accounts, AuditLog audit, Clock clock) {
        this.open = open;
        this.store = store;
        this.accounts = accounts;
        this.audit = audit;
        this.clock = clock;
    }

    public boolean open() {
        return open;
    }

    /**
     * Creates the account.
     *
     * @throws AccountException {@code registration.closed}, {@code registration.throttled}, {@code
     *     email.missing}, {@code password.mismatch}, or any rule of {@link AccountService#create}
     *     (username taken or invalid, email invalid, password refused)
     */
    public User register(Form form, ClientInfo client) {
        if (!open) {
            throw new AccountException("registration.closed", "self-registration is off on this server");
        }
        Map<String, Object> counts = store.jdbc()
                .sql("SELECT COUNT(*) AS attempts, COALESCE(SUM(CASE WHEN outcome = 'success' THEN 1 ELSE 0 END), 0)"
                        + " AS created FROM audit_event WHERE type = ? AND occurred_at >= ? AND ip = ?")
                .params(EVENT, clock.instant().minus(Duration.ofHours(1)).toEpochMilli(), client.ip())
                .query()
                .singleRow();
        long attempts = ((Number) counts.get("attempts")).longValue();
        long created = ((Number) counts.get("created")).longValue();
        if (created >= MAX_ACCOUNTS_PER_HOUR || attempts >= MAX_ATTEMPTS_PER_HOUR) {
            throw failed(
                    new AccountException(
                            "registration.throttled",
                            "too many accounts were created from your network in the last hour; try again later"),
                    null,
                    client);
        }
        try {
            if (form.email() == null || form.email().isBlank()) {
                throw new AccountException(
                        "email.missing", "an email address is required: it is how you reset a forgotten password");
            }
            if (form.password() == null || !form.password().equals(form.confirmation())) {
                throw new AccountException("password.mismatch", "the two passwords differ");
            }
            User user = accounts.create(
                    new AccountService.NewAccount(
                            form.username(),
                            form.email(),
                            form.displayName(),
                            User.Role.USER,
                            User.Kind.PERSON,
                            form.password(),
                            null),
                    ACTOR);
            audit.append(AuditEvent.of(EVENT, AuditEvent.SUCCESS)
                    .actor(ACTOR)
                    .subject(user.username())
                    .client(client.ip(), client.userAgent())
                    .build());
            return user;
        } catch (SignetException e) {
            // A taken username names an existing account; anything else typed stays out of the trail.
            throw failed(e, "username.taken".equals(e.code()) ? form.username() : null, client);
        }
    }

    private <E extends SignetException> E failed(E e, String subject, ClientInfo client) {
        audit.append(AuditEvent.of(EVENT, AuditEvent.FAILURE)
                .actor(ACTOR)
                .subject(subject)
                .client(client.ip(), client.userAgent())
                .reason(e.code())
                .build());
        return e;
    }
}
