package dev.signet.server.account;

import dev.signet.server.store.Store;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
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

    private final Store store;

    public UserRepository(Store store) {
        this.store = store;
    }

    /** Inserts a user; the username must already be validated. */
    public User create(String username, String email, User.Role role, String passwordHash, Instant now) {
        String id = UUID.randomUUID().toString();
        try {
            store.jdbc()
                    .sql("INSERT INTO app_user (id, username, username_key, email, display_name, password_hash, role,"
                            + " status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(
                            id,
                            username,
                            Usernames.key(username),
                            email,
                            username,
                            passwordHash,
                            role.name(),
                            User.Status.ACTIVE.name(),
                            now.toEpochMilli())
                    .update();
        } catch (DataAccessException e) {
            if (isUniqueViolation(e)) {
                throw new AccountException("username.taken", "that username is already taken");
            }
            throw e;
        }
        return new User(id, username, email, username, role, User.Status.ACTIVE, now, Optional.empty());
    }

    /** PostgreSQL reports SQLState 23505; sqlite-jdbc reports error code 19 (SQLITE_CONSTRAINT) without a state. */
    static boolean isUniqueViolation(DataAccessException e) {
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

    public Optional<User> byUsername(String username) {
        return credentials(username).map(Credentials::user);
    }

    public void recordSignIn(String userId, Instant at) {
        store.jdbc()
                .sql("UPDATE app_user SET last_sign_in_at = ? WHERE id = ?")
                .params(at.toEpochMilli(), userId)
                .update();
    }

    public void updatePasswordHash(String userId, String passwordHash) {
        store.jdbc()
                .sql("UPDATE app_user SET password_hash = ? WHERE id = ?")
                .params(passwordHash, userId)
                .update();
    }

    public long count() {
        return store.jdbc()
                .sql("SELECT COUNT(*) FROM app_user")
                .query(Long.class)
                .single();
    }

    public long countAdmins() {
        return store.jdbc()
                .sql("SELECT COUNT(*) FROM app_user WHERE role = 'ADMIN' AND status = 'ACTIVE'")
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
                Instant.ofEpochMilli(rs.getLong("created_at")),
                hasLast ? Optional.of(Instant.ofEpochMilli(last)) : Optional.empty());
    }
}
