package dev.signet.server.account;

import dev.signet.server.store.Store;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;

/** Storage of user accounts. Never returns null. */
public final class UserRepository {
    /** What sign-in needs: the account and its password hash. */
    public record Credentials(User user, String passwordHash) {
        @Override
        public String toString() {
            return "Credentials[user=" + user.username() + ", passwordHash=redacted]";
        }
    }

    /** A new account; the username must already be validated. */
    public record NewUser(
            String username, String email, String displayName, User.Role role, User.Kind kind, String passwordHash) {
        @Override
        public String toString() {
            return "NewUser[" + username + "]";
        }
    }

    /** One page of a listing, with the total number of matches. */
    public record Page(List<User> users, long total, int offset, int limit) {}

    private final Store store;

    public UserRepository(Store store) {
        this.store = store;
    }

    /** Inserts a person with the given role (the first administrator, shell-created users). */
    public User create(String username, String email, User.Role role, String passwordHash, Instant now) {
        return create(new NewUser(username, email, username, role, User.Kind.PERSON, passwordHash), now);
    }

    public User create(NewUser n, Instant now) {
        String id = UUID.randomUUID().toString();
        String displayName = n.displayName() == null || n.displayName().isBlank() ? n.username() : n.displayName();
        try {
            store.jdbc()
                    .sql("INSERT INTO app_user (id, username, username_key, email, email_key, display_name,"
                            + " password_hash, role, status, kind, created_at, updated_at, password_changed_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(
                            id,
                            n.username(),
                            Usernames.key(n.username()),
                            n.email(),
                            emailKey(n.email()),
                            displayName,
                            n.passwordHash(),
                            n.role().name(),
                            User.Status.ACTIVE.name(),
                            n.kind().name(),
                            now.toEpochMilli(),
                            now.toEpochMilli(),
                            n.passwordHash() == null ? null : now.toEpochMilli())
                    .update();
        } catch (DataAccessException e) {
            if (isUniqueViolation(e)) {
                throw new AccountException("username.taken", "that username is already taken");
            }
            throw e;
        }
        return new User(
                id,
                n.username(),
                n.email(),
                displayName,
                n.role(),
                User.Status.ACTIVE,
                n.kind(),
                now,
                Optional.empty());
    }

    static String emailKey(String email) {
        return email == null ? null : email.strip().toLowerCase(Locale.ROOT);
    }

    /** PostgreSQL reports SQLState 23505; sqlite-jdbc reports error code 19 (SQLITE_CONSTRAINT) without a state. */
    public static boolean isUniqueViolation(DataAccessException e) {
        if (e instanceof DuplicateKeyException) {
            return true;
        }
        return e.getMostSpecificCause() instanceof SQLException sql
                && ("23505".equals(sql.getSQLState())
                        || (sql.getErrorCode() == 19
                                && String.valueOf(sql.getMessage()).contains("UNIQUE")));
    }

    public Optional<Credentials> credentials(String username) {
        return store.jdbc()
                .sql("SELECT * FROM app_user WHERE username_key = ?")
                .param(Usernames.key(username))
                .query((rs, n) -> new Credentials(user(rs, n), rs.getString("password_hash")))
                .optional();
    }

    public Optional<Credentials> credentialsById(String id) {
        return store.jdbc()
                .sql("SELECT * FROM app_user WHERE id = ?")
                .param(id)
                .query((rs, n) -> new Credentials(user(rs, n), rs.getString("password_hash")))
                .optional();
    }

    public Optional<User> byUsername(String username) {
        return credentials(username).map(Credentials::user);
    }

    public Optional<User> byId(String id) {
        return store.jdbc()
                .sql("SELECT * FROM app_user WHERE id = ?")
                .param(id)
                .query(UserRepository::user)
                .optional();
    }

    /** Active people with this email address (case-insensitive); usually zero or one. */
    public List<User> activeByEmail(String email) {
        return store.jdbc()
                .sql("SELECT * FROM app_user WHERE email_key = ? AND status = 'ACTIVE' AND kind = 'PERSON'")
                .param(emailKey(email))
                .query(UserRepository::user)
                .list();
    }

    /**
     * Users whose username, email or display name contains {@code query} (case-insensitive), in
     * username order.
     */
    public Page search(String query, User.Status status, int offset, int limit) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (query != null && !query.isBlank()) {
            String like = "%" + escapeLike(Usernames.key(query)) + "%";
            where.append(" AND (username_key LIKE ? ESCAPE '\\' OR email_key LIKE ? ESCAPE '\\'"
                    + " OR LOWER(display_name) LIKE ? ESCAPE '\\')");
            params.add(like);
            params.add(like);
            params.add(like);
        }
        if (status != null) {
            where.append(" AND status = ?");
            params.add(status.name());
        }
        long total = store.jdbc()
                .sql("SELECT COUNT(*) FROM app_user" + where)
                .params(params)
                .query(Long.class)
                .single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(limit);
        pageParams.add(offset);
        List<User> users = store.jdbc()
                .sql("SELECT * FROM app_user" + where + " ORDER BY username_key LIMIT ? OFFSET ?")
                .params(pageParams)
                .query(UserRepository::user)
                .list();
        return new Page(users, total, offset, limit);
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    public void update(String id, String email, String displayName, User.Role role, Instant now) {
        store.jdbc()
                .sql("UPDATE app_user SET email = ?, email_key = ?, display_name = ?, role = ?, updated_at = ?"
                        + " WHERE id = ?")
                .params(email, emailKey(email), displayName, role.name(), now.toEpochMilli(), id)
                .update();
    }

    public void setStatus(String id, User.Status status, Instant now) {
        store.jdbc()
                .sql("UPDATE app_user SET status = ?, updated_at = ? WHERE id = ?")
                .params(status.name(), now.toEpochMilli(), id)
                .update();
    }

    /**
     * Deletes every second factor of the user (authenticators, passkeys, recovery codes and pending
     * WebAuthn challenges). Returns how many authenticators and passkeys were removed.
     */
    public int deleteFactors(String id) {
        int factors = 0;
        for (String table : new String[] {"otp_device", "passkey"}) {
            factors += store.jdbc()
                    .sql("DELETE FROM " + table + " WHERE user_id = ?")
                    .param(id)
                    .update();
        }
        for (String table : new String[] {"recovery_code", "webauthn_challenge"}) {
            store.jdbc()
                    .sql("DELETE FROM " + table + " WHERE user_id = ?")
                    .param(id)
                    .update();
        }
        return factors;
    }

    public boolean delete(String id) {
        return store.jdbc().sql("DELETE FROM app_user WHERE id = ?").param(id).update() == 1;
    }

    public void recordSignIn(String userId, Instant at) {
        store.jdbc()
                .sql("UPDATE app_user SET last_sign_in_at = ? WHERE id = ?")
                .params(at.toEpochMilli(), userId)
                .update();
    }

    /** Replaces a hash by an equivalent one (a re-hash at sign-in); not a password change. */
    public void updatePasswordHash(String userId, String passwordHash) {
        store.jdbc()
                .sql("UPDATE app_user SET password_hash = ? WHERE id = ?")
                .params(passwordHash, userId)
                .update();
    }

    /** A new password: stores the hash and the time of the change. */
    public void changePasswordHash(String userId, String passwordHash, Instant now) {
        store.jdbc()
                .sql("UPDATE app_user SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?")
                .params(passwordHash, now.toEpochMilli(), now.toEpochMilli(), userId)
                .update();
    }

    public long count() {
        return store.jdbc()
                .sql("SELECT COUNT(*) FROM app_user")
                .query(Long.class)
                .single();
    }

    /** Active administrators who are people (a service account cannot sign in to the console). */
    public long countAdmins() {
        return store.jdbc()
                .sql("SELECT COUNT(*) FROM app_user WHERE role = 'ADMIN' AND status = 'ACTIVE' AND kind = 'PERSON'")
                .query(Long.class)
                .single();
    }

    /** Users who signed in most recently, newest first. */
    public List<User> lastSignedIn(int limit) {
        return store.jdbc()
                .sql("SELECT * FROM app_user WHERE last_sign_in_at IS NOT NULL ORDER BY last_sign_in_at DESC LIMIT ?")
                .param(limit)
                .query(UserRepository::user)
                .list();
    }

    private static User user(ResultSet rs, int n) throws SQLException {
        long last = rs.getLong("last_sign_in_at");
        boolean hasLast = !rs.wasNull();
        return new User(
                rs.getString("id"),
                rs.getString("username"),
                rs.getString("email"),
                rs.getString("display_name"),
                User.Role.valueOf(rs.getString("role")),
                User.Status.valueOf(rs.getString("status")),
                User.Kind.valueOf(rs.getString("kind")),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                hasLast ? Optional.of(Instant.ofEpochMilli(last)) : Optional.empty());
    }
}
