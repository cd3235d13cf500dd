package dev.signet.server.session;

import dev.signet.core.crypto.Secure;
import dev.signet.server.signin.ClientInfo;
import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.session.SessionRepository;

/**
 * Browser sessions in the database, so that every node sees them and they can be listed and ended.
 *
 * <p>The cookie's session id (32 random bytes) never reaches the database: rows are found by its
 * SHA-256. Attributes (the security context, the CSRF token, the saved request) are serialised and
 * sealed with the key ring (AES-256-GCM, bound to the row), and read back through an allow-list
 * {@link ObjectInputFilter}. A session ends after {@code idle} without use or {@code absolute} after
 * it started, whichever comes first; expired rows are removed as new sessions are made.
 */
public final class DbSessionRepository implements SessionRepository<DbSession> {
    /** Session attribute holding the {@link ClientInfo} of the sign-in that made the session. */
    public static final String CLIENT_ATTRIBUTE = "signet.client";

    private static final Logger log = LoggerFactory.getLogger(DbSessionRepository.class);
    private static final ObjectInputFilter FILTER = ObjectInputFilter.Config.createFilter(
            "maxdepth=20;maxrefs=10000;maxbytes=262144;java.**;jakarta.servlet.**;org.springframework.**;"
                    + "dev.signet.**;!*");
    private static final int CLEANUP_EVERY = 200;

    /** One session as "your sessions" shows it. */
    public record View(
            String id,
            String userId,
            String username,
            Instant created,
            Instant lastSeen,
            Instant expires,
            String ip,
            String userAgent) {}

    private final Store store;
    private final KeyRing keyRing;
    private final Clock clock;
    private final Duration idle;
    private final Duration absolute;
    private final AtomicLong creations = new AtomicLong();
    private final List<SessionsEnded> listeners = new CopyOnWriteArrayList<>();

    public DbSessionRepository(Store store, KeyRing keyRing, Clock clock, Duration idle, Duration absolute) {
        this.store = store;
        this.keyRing = keyRing;
        this.clock = clock;
        this.idle = idle;
        this.absolute = absolute;
    }

    static String newSessionId() {
        return Secure.randomToken(32);
    }

    @Override
    public DbSession createSession() {
        Instant now = clock.instant();
        return new DbSession(
                clock, UUID.randomUUID().toString(), newSessionId(), null, now, now, idle, absolute, Map.of());
    }

    @Override
    public void save(DbSession session) {
        Instant now = clock.instant();
        String idHash = Secure.sha256Hex(session.getId());
        if (session.isNew()) {
            if (creations.incrementAndGet() % CLEANUP_EVERY == 0) {
                deleteExpired();
            }
            Principal p = principal(session);
            ClientInfo client = client(session);
            store.jdbc()
                    .sql("INSERT INTO web_session (id, id_hash, user_id, principal, created_at, last_access_at,"
                            + " idle_seconds, expires_at, ip, user_agent, attributes)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(
                            session.rowId(),
                            idHash,
                            p.userId(),
                            p.name(),
                            session.getCreationTime().toEpochMilli(),
                            session.getLastAccessedTime().toEpochMilli(),
                            session.getMaxInactiveInterval().toSeconds(),
                            session.expiresAt().toEpochMilli(),
                            client.ip(),
                            client.userAgent(),
                            seal(session))
                    .update();
            session.markSaved(idHash);
            return;
        }
        boolean idChanged = session.idChanged();
        if (session.attributesChanged() || idChanged) {
            Principal p = principal(session);
            ClientInfo client = client(session);
            // Matched on the row id and the hash it was loaded with: a session ended meanwhile stays ended.
            store.jdbc()
                    .sql("UPDATE web_session SET id_hash = ?, user_id = ?, principal = ?, last_access_at = ?,"
                            + " idle_seconds = ?, expires_at = ?, ip = COALESCE(?, ip),"
                            + " user_agent = COALESCE(?, user_agent), attributes = ? WHERE id = ? AND id_hash = ?")
                    .params(
                            idHash,
                            p.userId(),
                            p.name(),
                            session.getLastAccessedTime().toEpochMilli(),
                            session.getMaxInactiveInterval().toSeconds(),
                            session.expiresAt().toEpochMilli(),
                            client.ip(),
                            client.userAgent(),
                            seal(session),
                            session.rowId(),
                            session.loadedIdHash())
                    .update();
            session.markSaved(idHash);
        } else if (session.touchDue() && now.isBefore(session.expiresAt())) {
            store.jdbc()
                    .sql("UPDATE web_session SET last_access_at = ?, expires_at = ? WHERE id = ? AND id_hash = ?")
                    .params(
                            session.getLastAccessedTime().toEpochMilli(),
                            session.expiresAt().toEpochMilli(),
                            session.rowId(),
                            session.loadedIdHash())
                    .update();
            session.markSaved(idHash);
        }
    }

    @Override
    public DbSession findById(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return null;
        }
        String idHash = Secure.sha256Hex(id);
        Instant now = clock.instant();
        List<DbSession> found = store.jdbc()
                .sql("SELECT id, created_at, last_access_at, idle_seconds, expires_at, attributes FROM web_session"
                        + " WHERE id_hash = ?")
                .param(idHash)
                .query((rs, n) -> {
                    if (rs.getLong("expires_at") <= now.toEpochMilli()) {
                        return null;
                    }
                    String rowId = rs.getString("id");
                    Map<String, Object> attributes = open(rowId, rs.getString("attributes"));
                    if (attributes == null) {
                        return null;
                    }
                    return new DbSession(
                            clock,
                            rowId,
                            id,
                            idHash,
                            Instant.ofEpochMilli(rs.getLong("created_at")),
                            Instant.ofEpochMilli(rs.getLong("last_access_at")),
                            Duration.ofSeconds(rs.getLong("idle_seconds")),
                            absolute,
                            attributes);
                })
                .list();
        DbSession session = found.isEmpty() ? null : found.get(0);
        if (session == null) {
            return null;
        }
        if (session.isExpired()) {
            deleteById(id);
            return null;
        }
        return session;
    }

    @Override
    public void deleteById(String id) {
        store.jdbc()
                .sql("DELETE FROM web_session WHERE id_hash = ?")
                .param(Secure.sha256Hex(id))
                .update();
    }

    /** The row id of the session a browser holds, if it is a live one. */
    public Optional<String> rowIdOf(String sessionId) {
        if (sessionId == null) {
            return Optional.empty();
        }
        return store.jdbc()
                .sql("SELECT id FROM web_session WHERE id_hash = ? AND expires_at > ?")
                .params(Secure.sha256Hex(sessionId), clock.millis())
                .query(String.class)
                .optional();
    }

    /** A user's live sessions, most recently used first. */
    public List<View> forUser(String userId) {
        return store.jdbc()
                .sql("SELECT * FROM web_session WHERE user_id = ? AND expires_at > ? ORDER BY last_access_at DESC")
                .params(userId, clock.millis())
                .query((rs, n) -> new View(
                        rs.getString("id"),
                        rs.getString("user_id"),
                        rs.getString("principal"),
                        Instant.ofEpochMilli(rs.getLong("created_at")),
                        Instant.ofEpochMilli(rs.getLong("last_access_at")),
                        Instant.ofEpochMilli(rs.getLong("expires_at")),
                        rs.getString("ip"),
                        rs.getString("user_agent")))
                .list();
    }

    /** Whoever is told of sessions ended from elsewhere (the OpenID Connect provider: its grants in them). */
    public void onEnd(SessionsEnded listener) {
        listeners.add(listener);
    }

    /** Ends one of {@code userId}'s sessions by its row id; false when there is no such session of theirs. */
    public boolean end(String userId, String rowId) {
        return ended("DELETE FROM web_session WHERE id = ? AND user_id = ?", rowId, userId) == 1;
    }

    /** Ends all of a user's sessions except {@code keepRowId} (may be null); returns how many ended. */
    public int endAll(String userId, String keepRowId) {
        if (keepRowId == null) {
            return ended("DELETE FROM web_session WHERE user_id = ?", userId);
        }
        return ended("DELETE FROM web_session WHERE user_id = ? AND id <> ?", userId, keepRowId);
    }

    /**
     * Deletes the rows {@code delete} names and tells the {@link SessionsEnded} listeners which ended
     * (the rows as the delete removed them: {@code RETURNING}, so a session is told of exactly once).
     */
    private int ended(String delete, Object... params) {
        return store.inTransaction(() -> {
            List<SessionsEnded.Ended> gone = store.jdbc()
                    .sql(delete + " RETURNING id, user_id, attributes")
                    .params(params)
                    .query((rs, n) -> {
                        String rowId = rs.getString("id");
                        Map<String, Object> attributes = open(rowId, rs.getString("attributes"));
                        return new SessionsEnded.Ended(
                                rowId, rs.getString("user_id"), attributes == null ? Map.of() : attributes);
                    })
                    .list();
            if (!gone.isEmpty()) {
                for (SessionsEnded listener : listeners) {
                    listener.ended(gone);
                }
            }
            return gone.size();
        });
    }

    public int deleteExpired() {
        return store.jdbc()
                .sql("DELETE FROM web_session WHERE expires_at <= ?")
                .param(clock.millis())
                .update();
    }

    private record Principal(String userId, String name) {}

    private static Principal principal(DbSession session) {
        Object context = session.getAttribute(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY);
        if (context instanceof SecurityContext sc) {
            Authentication auth = sc.getAuthentication();
            if (auth != null && auth.getPrincipal() instanceof SignetPrincipal p) {
                return new Principal(p.userId(), p.username());
            }
        }
        return new Principal(null, null);
    }

    private static ClientInfo client(DbSession session) {
        return session.getAttribute(CLIENT_ATTRIBUTE) instanceof ClientInfo c ? c : new ClientInfo(null, null);
    }

    private String seal(DbSession session) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new HashMap<>(session.attributes()));
        } catch (IOException e) {
            throw new UncheckedIOException("a session attribute is not serialisable", e);
        }
        return keyRing.seal(new KeyRing.SecretRef("web_session", "attributes", session.rowId()), bytes.toByteArray());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> open(String rowId, String sealed) {
        if (sealed == null) {
            return Map.of();
        }
        try {
            byte[] plain = keyRing.open(new KeyRing.SecretRef("web_session", "attributes", rowId), sealed);
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(plain))) {
                in.setObjectInputFilter(FILTER);
                return (Map<String, Object>) in.readObject();
            }
        } catch (RuntimeException | IOException | ClassNotFoundException e) {
            // A session that cannot be read (tampered row, class changed by an upgrade) is no session.
            log.warn(
                    "session {} could not be read and is ignored: {}",
                    rowId,
                    e.getClass().getSimpleName());
            return null;
        }
    }
}
