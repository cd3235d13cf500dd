package dev.signet.server.signin;

import dev.signet.server.store.Store;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Every sign-in attempt: time, client, outcome, reason and the factors used, kept per user (the
 * user id is empty when the typed username matches no account). Users see their own last 50;
 * administrators see all, filtered.
 */
public final class SignInHistory {
    /** One attempt. {@code username} is what was typed, cut to 128 characters. */
    public record Attempt(
            String id,
            Instant at,
            String userId,
            String username,
            String ip,
            String userAgent,
            String outcome,
            String reason,
            String factors) {}

    /** Filters for the administrator's view; null fields do not filter. */
    public record Filter(String username, String ip, String outcome, Instant since, Instant until) {
        public static Filter none() {
            return new Filter(null, null, null, null, null);
        }
    }

    private final Store store;

    public SignInHistory(Store store) {
        this.store = store;
    }

    public void record(
            Instant at,
            String userId,
            String username,
            ClientInfo client,
            String outcome,
            String reason,
            String factors) {
        String typed = username == null ? null : username.length() <= 128 ? username : username.substring(0, 128);
        store.jdbc()
                .sql("INSERT INTO sign_in_attempt (id, occurred_at, user_id, username, ip, user_agent, outcome, reason,"
                        + " factors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(
                        UUID.randomUUID().toString(),
                        at.toEpochMilli(),
                        userId,
                        typed,
                        client.ip(),
                        client.userAgent(),
                        outcome,
                        reason,
                        factors)
                .update();
    }

    /** A user's most recent attempts, newest first. */
    public List<Attempt> forUser(String userId, int limit) {
        return store.jdbc()
                .sql("SELECT * FROM sign_in_attempt WHERE user_id = ? ORDER BY occurred_at DESC, id LIMIT ?")
                .params(userId, limit)
                .query(SignInHistory::attempt)
                .list();
    }

    /** All attempts matching {@code filter}, newest first. */
    public List<Attempt> search(Filter filter, int offset, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM sign_in_attempt WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (filter.username() != null && !filter.username().isBlank()) {
            sql.append(" AND LOWER(username) = ?");
            params.add(dev.signet.server.account.Usernames.key(filter.username()));
        }
        if (filter.ip() != null && !filter.ip().isBlank()) {
            sql.append(" AND ip = ?");
            params.add(filter.ip().strip());
        }
        if (filter.outcome() != null && !filter.outcome().isBlank()) {
            sql.append(" AND outcome = ?");
            params.add(filter.outcome().strip());
        }
        if (filter.since() != null) {
            sql.append(" AND occurred_at >= ?");
            params.add(filter.since().toEpochMilli());
        }
        if (filter.until() != null) {
            sql.append(" AND occurred_at < ?");
            params.add(filter.until().toEpochMilli());
        }
        sql.append(" ORDER BY occurred_at DESC, id LIMIT ? OFFSET ?");
        params.add(limit);
        params.add(offset);
        return store.jdbc()
                .sql(sql.toString())
                .params(params)
                .query(SignInHistory::attempt)
                .list();
    }

    private static Attempt attempt(ResultSet rs, int n) throws SQLException {
        return new Attempt(
                rs.getString("id"),
                Instant.ofEpochMilli(rs.getLong("occurred_at")),
                rs.getString("user_id"),
                rs.getString("username"),
                rs.getString("ip"),
                rs.getString("user_agent"),
                rs.getString("outcome"),
                rs.getString("reason"),
                rs.getString("factors"));
    }
}
