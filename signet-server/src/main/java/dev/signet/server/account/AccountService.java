package dev.signet.server.account;

import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.store.Store;
import dev.signet.server.token.TokenService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What can be done to accounts, by administrators (REST API, admin pages, shell) and by users to
 * themselves: create, change, disable, enable, delete, change and reset passwords. Disabling or
 * deleting an account ends its sessions and revokes its tokens in the same transaction; a password
 * change voids open reset links and (by default) ends the other sessions. The last active
 * administrator cannot be disabled, demoted or deleted.
 */
public final class AccountService {
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}");

    /** What an administrator may set on a new account. Exactly one of password / passwordHash, or neither. */
    public record NewAccount(
            String username,
            String email,
            String displayName,
            User.Role role,
            User.Kind kind,
            String password,
            String passwordHash) {
        @Override
        public String toString() {
            return "NewAccount[" + username + "]";
        }
    }

    /** Changes to an account; null fields stay as they are. */
    public record Changes(String email, String displayName, User.Role role) {}

    private final Store store;
    private final UserRepository users;
    private final PasswordHasher hasher;
    private final PasswordCheck policy;
    private final DbSessionRepository sessions;
    private final TokenService tokens;
    private final AuditLog audit;
    private final Clock clock;

    /** The password policy as the account service needs it. */
    @FunctionalInterface
    public interface PasswordCheck {
        /** @throws dev.signet.core.SignetException with the reason, when refused */
        void check(String password, List<String> personal);
    }

    public AccountService(
            Store store,
            UserRepository users,
            PasswordHasher hasher,
            PasswordCheck policy,
            DbSessionRepository sessions,
            TokenService tokens,
            AuditLog audit,
            Clock clock) {
        this.store = store;
        this.users = users;
        this.hasher = hasher;
        this.policy = policy;
        this.sessions = sessions;
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
    }

    public void checkPassword(String password, String username, String email, String displayName) {
        List<String> personal = new ArrayList<>();
        for (String s : new String[] {username, email, displayName}) {
            if (s != null && !s.isBlank()) {
                personal.add(s);
            }
        }
        try {
            policy.check(password, personal);
        } catch (AccountException e) {
            throw e;
        } catch (dev.signet.core.SignetException e) {
            throw new AccountException(e.code(), e.getMessage());
        }
    }

    public User create(NewAccount n, String actor) {
        String username = Usernames.validate(n.username());
        String email = email(n.email());
        String displayName = displayName(n.displayName());
        User.Kind kind = n.kind() == null ? User.Kind.PERSON : n.kind();
        User.Role role = n.role() == null ? User.Role.USER : n.role();
        String hash = null;
        if (n.password() != null && n.passwordHash() != null) {
            throw new AccountException("password.ambiguous", "give either a password or a password hash, not both");
        }
        if (kind == User.Kind.SERVICE && (n.password() != null || n.passwordHash() != null)) {
            throw new AccountException("password.not_allowed", "a service account has no password; it uses API tokens");
        }
        if (n.password() != null) {
            checkPassword(n.password(), username, email, displayName);
            hash = hasher.hash(n.password());
        } else if (n.passwordHash() != null) {
            hash = PasswordHasher.validateImported(n.passwordHash());
        }
        Instant now = clock.instant();
        String stored = hash;
        return store.inTransaction(() -> {
            User user = users.create(new UserRepository.NewUser(username, email, displayName, role, kind, stored), now);
            audit.append(AuditEvent.of("user.created", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(user.username())
                    .detail("role", role.name().toLowerCase(Locale.ROOT))
                    .detail("kind", kind.name().toLowerCase(Locale.ROOT))
                    .detail("password", stored == null ? "none" : n.passwordHash() != null ? "imported" : "set")
                    .build());
            return user;
        });
    }

    public User get(String id) {
        return users.byId(id).orElseThrow(AccountService::notFound);
    }

    public User update(String id, Changes changes, String actor) {
        User user = get(id);
        String email = changes.email() == null ? user.email() : email(changes.email());
        String displayName = changes.displayName() == null ? user.displayName() : displayName(changes.displayName());
        User.Role role = changes.role() == null ? user.role() : changes.role();
        return store.inTransaction(() -> {
            if (user.admin() && role != User.Role.ADMIN && user.active()) {
                requireAnotherAdmin();
            }
            users.update(id, email, displayName, role, clock.instant());
            audit.append(AuditEvent.of("user.updated", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(user.username())
                    .detail("role", role.name().toLowerCase(Locale.ROOT))
                    .build());
            if (role != user.role()) {
                // A demoted administrator's sessions and tokens carry old powers: end them.
                sessions.endAll(id, null);
                tokens.revokeAll(id);
            }
            return get(id);
        });
    }

    /** Disables an account and, in the same transaction, ends all its sessions and revokes its tokens. */
    public User disable(String id, String actor) {
        User user = get(id);
        return store.inTransaction(() -> {
            if (user.admin() && user.active()) {
                requireAnotherAdmin();
            }
            users.setStatus(id, User.Status.DISABLED, clock.instant());
            int ended = sessions.endAll(id, null);
            int revoked = tokens.revokeAll(id);
            audit.append(AuditEvent.of("user.disabled", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(user.username())
                    .detail("sessions_ended", Integer.toString(ended))
                    .detail("tokens_revoked", Integer.toString(revoked))
                    .build());
            return get(id);
        });
    }

    public User enable(String id, String actor) {
        User user = get(id);
        return store.inTransaction(() -> {
            users.setStatus(id, User.Status.ACTIVE, clock.instant());
            audit.append(AuditEvent.of("user.enabled", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(user.username())
                    .build());
            return get(id);
        });
    }

    /** Deletes an account with its sessions, tokens and reset links; its sign-in history and audit trail stay. */
    public void delete(String id, String actor) {
        User user = get(id);
        store.inTransaction(() -> {
            if (user.admin() && user.active()) {
                requireAnotherAdmin();
            }
            int ended = sessions.endAll(id, null);
            tokens.revokeAll(id);
            store.jdbc()
                    .sql("DELETE FROM api_token WHERE user_id = ?")
                    .param(id)
                    .update();
            store.jdbc()
                    .sql("DELETE FROM password_reset WHERE user_id = ?")
                    .param(id)
                    .update();
            // second factors: nothing of them outlives the account
            users.deleteFactors(id);
            users.delete(id);
            audit.append(AuditEvent.of("user.deleted", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(user.username())
                    .detail("sessions_ended", Integer.toString(ended))
                    .build());
        });
    }

    /**
     * A signed-in user changes their own password; the current one must be right.
     *
     * @param keepSessionRowId the session to keep when ending the others (the one making the change)
     * @return how many other sessions were ended
     */
    public int changePassword(
            String userId, String current, String next, boolean endOtherSessions, String keepSessionRowId) {
        UserRepository.Credentials c = users.credentialsById(userId).orElseThrow(AccountService::notFound);
        if (current == null
                || current.length() > PasswordHasher.MAX_LENGTH * 2
                || c.passwordHash() == null
                || !hasher.verify(current, c.passwordHash())) {
            audit.append(AuditEvent.of("account.password_changed", AuditEvent.FAILURE)
                    .actor(c.user().username())
                    .subject(c.user().username())
                    .reason("wrong_current_password")
                    .build());
            throw new AccountException("password.current_wrong", "the current password is not right");
        }
        return setPassword(c.user(), next, endOtherSessions ? keepSessionRowId : null, !endOtherSessions, "change");
    }

    /** A new password that passed the policy, already hashed: hashing stays outside any transaction. */
    public record NewPassword(User user, String hash) {
        @Override
        public String toString() {
            return "NewPassword[" + user.username() + ", hash=redacted]";
        }
    }

    /** Checks {@code next} against the policy and hashes it (tens of milliseconds; hold no lock). */
    public NewPassword prepare(User user, String next) {
        checkPassword(next, user.username(), user.email(), user.displayName());
        return new NewPassword(user, hasher.hash(next));
    }

    /** Sets a new password after a reset link was consumed: ends all sessions. */
    public void resetPassword(String userId, String next) {
        store(prepare(get(userId), next), null, false, "reset");
    }

    /** Sets a prepared password after a reset link was consumed (joins the caller's transaction). */
    public void resetPassword(NewPassword prepared) {
        store(prepared, null, false, "reset");
    }

    /** An administrator sets a user's password (ends all of the user's sessions). */
    public void setPasswordByAdmin(String userId, String next, String actor) {
        User user = get(userId);
        if (user.kind() != User.Kind.PERSON) {
            throw new AccountException("password.not_allowed", "a service account has no password; it uses API tokens");
        }
        setPassword(user, next, null, false, "admin:" + actor);
    }

    private int setPassword(User user, String next, String keepRowId, boolean keepAll, String via) {
        return store(prepare(user, next), keepRowId, keepAll, via);
    }

    private int store(NewPassword prepared, String keepRowId, boolean keepAll, String via) {
        User user = prepared.user();
        String hash = prepared.hash();
        Instant now = clock.instant();
        return store.inTransaction(() -> {
            users.changePasswordHash(user.id(), hash, now);
            store.jdbc()
                    .sql("DELETE FROM password_reset WHERE user_id = ?")
                    .param(user.id())
                    .update();
            int ended = keepAll ? 0 : sessions.endAll(user.id(), keepRowId);
            audit.append(AuditEvent.of("account.password_changed", AuditEvent.SUCCESS)
                    .actor(via.startsWith("admin:") ? via.substring(6) : user.username())
                    .subject(user.username())
                    .detail("via", via.startsWith("admin:") ? "admin" : via)
                    .detail("sessions_ended", Integer.toString(ended))
                    .build());
            return ended;
        });
    }

    private void requireAnotherAdmin() {
        if (users.countAdmins() <= 1) {
            throw new AccountException(
                    "user.last_admin", "this is the last active administrator; make another one first");
        }
    }

    static AccountException notFound() {
        return new AccountException("user.not_found", "no such user");
    }

    static String email(String email) {
        if (email == null || email.isBlank()) {
            return null;
        }
        String e = email.strip();
        if (e.length() > 320 || !EMAIL.matcher(e).matches()) {
            throw new AccountException("email.invalid", "that is not an email address");
        }
        return e;
    }

    static String displayName(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        String n = name.strip();
        if (n.length() > 200 || n.codePoints().anyMatch(Character::isISOControl)) {
            throw new AccountException("display_name.invalid", "a display name has 1 to 200 printable characters");
        }
        return n;
    }

    public Optional<User> byUsername(String username) {
        return users.byUsername(username);
    }
}
