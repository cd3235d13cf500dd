package dev.signet.server.api;

import dev.signet.server.account.User;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.signin.SignInHistory;
import dev.signet.server.token.TokenService;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the API answers, as JSON-ready records: enum values in lower case, times as ISO-8601
 * strings, absent values as {@code null}. There is deliberately no field for a password hash, and a
 * token's secret appears only in {@link CreatedToken}.
 */
final class Views {
    private Views() {}

    record UserView(
            String id,
            String username,
            String email,
            String displayName,
            String role,
            String status,
            String kind,
            String createdAt,
            String lastSignInAt) {
        static UserView of(User u) {
            return new UserView(
                    u.id(),
                    u.username(),
                    u.email(),
                    u.displayName(),
                    lower(u.role()),
                    lower(u.status()),
                    lower(u.kind()),
                    iso(u.createdAt()),
                    iso(u.lastSignInAt()));
        }
    }

    record UserList(List<UserView> users, long total, int offset, int limit) {}

    record TokenView(
            String id,
            String name,
            String hint,
            List<String> scopes,
            String createdAt,
            String createdBy,
            String expiresAt,
            String lastUsedAt,
            String revokedAt,
            boolean active) {
        static TokenView of(TokenService.ApiToken t, Instant now) {
            return new TokenView(
                    t.id(),
                    t.name(),
                    "…" + t.hint(),
                    List.copyOf(t.scopes()),
                    iso(t.created()),
                    t.createdBy(),
                    iso(t.expires()),
                    iso(t.lastUsed()),
                    iso(t.revoked()),
                    t.activeAt(now));
        }
    }

    record TokenList(List<TokenView> tokens) {}

    /** A new token: its secret, shown this once, and what it is. */
    record CreatedToken(
            String token,
            String id,
            String name,
            String hint,
            List<String> scopes,
            String createdAt,
            String expiresAt) {
        static CreatedToken of(TokenService.Created c) {
            TokenService.ApiToken t = c.token();
            return new CreatedToken(
                    c.secret(),
                    t.id(),
                    t.name(),
                    "…" + t.hint(),
                    List.copyOf(t.scopes()),
                    iso(t.created()),
                    iso(t.expires()));
        }

        @Override
        public String toString() {
            return "CreatedToken[" + id + ", token=redacted]";
        }
    }

    record SessionView(String id, String createdAt, String lastSeenAt, String expiresAt, String ip, String userAgent) {
        static SessionView of(DbSessionRepository.View s) {
            return new SessionView(
                    s.id(), iso(s.created()), iso(s.lastSeen()), iso(s.expires()), s.ip(), s.userAgent());
        }
    }

    record SessionList(List<SessionView> sessions) {}

    record SignInView(
            String id,
            String at,
            String userId,
            String username,
            String ip,
            String userAgent,
            String outcome,
            String reason,
            String factors) {
        static SignInView of(SignInHistory.Attempt a) {
            return new SignInView(
                    a.id(),
                    iso(a.at()),
                    a.userId(),
                    a.username(),
                    a.ip(),
                    a.userAgent(),
                    a.outcome(),
                    a.reason(),
                    a.factors());
        }
    }

    record SignInList(List<SignInView> signIns, int offset, int limit) {}

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** Times as stored: the database keeps milliseconds, so an answer never shows more. */
    static String iso(Instant at) {
        return at.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    static String iso(Optional<Instant> at) {
        return at.map(Views::iso).orElse(null);
    }
}
