package dev.signet.server.session;

import dev.signet.core.crypto.Secure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.session.Session;

/**
 * A browser session as {@link DbSessionRepository} keeps it. It remembers what changed since it was
 * loaded, so a request that only reads its session writes nothing, and one that only touches it
 * writes its last-seen time at most once a minute.
 *
 * <p>Times come from the server's {@link Clock}: {@link #setLastAccessedTime} takes the clock's
 * time, not its argument (Spring Session passes {@code Instant.now()}).
 */
public final class DbSession implements Session {
    private final Clock clock;
    private final String rowId;
    private final Instant created;
    private final Duration absolute;
    private final Map<String, Object> attributes;
    private String id;
    private String loadedIdHash;
    private Instant lastAccessed;
    private Instant storedLastAccessed;
    private Duration idle;
    private boolean attributesChanged;
    private boolean idleChanged;

    DbSession(
            Clock clock,
            String rowId,
            String id,
            String loadedIdHash,
            Instant created,
            Instant lastAccessed,
            Duration idle,
            Duration absolute,
            Map<String, Object> attributes) {
        this.clock = clock;
        this.rowId = rowId;
        this.id = id;
        this.loadedIdHash = loadedIdHash;
        this.created = created;
        this.lastAccessed = lastAccessed;
        this.storedLastAccessed = loadedIdHash == null ? null : lastAccessed;
        this.idle = idle;
        this.absolute = absolute;
        this.attributes = new HashMap<>(attributes);
    }

    /** The stable, non-secret handle of this session's row (shown in "your sessions"). */
    public String rowId() {
        return rowId;
    }

    boolean isNew() {
        return loadedIdHash == null;
    }

    String loadedIdHash() {
        return loadedIdHash;
    }

    boolean idChanged() {
        return loadedIdHash != null && !loadedIdHash.equals(Secure.sha256Hex(id));
    }

    boolean attributesChanged() {
        return attributesChanged || idleChanged;
    }

    /** After a write: what is stored now is this session as it is. */
    void markSaved(String idHash) {
        loadedIdHash = idHash;
        storedLastAccessed = lastAccessed;
        attributesChanged = false;
        idleChanged = false;
    }

    /** True when the stored last-seen time is a minute or more behind. */
    boolean touchDue() {
        return storedLastAccessed == null
                || Duration.between(storedLastAccessed, lastAccessed).compareTo(Duration.ofMinutes(1)) >= 0;
    }

    Map<String, Object> attributes() {
        return attributes;
    }

    /** When the session ends if unused: idle timeout from last use, never past the absolute limit. */
    Instant expiresAt() {
        Instant idleEnd = lastAccessed.plus(idle);
        Instant absoluteEnd = created.plus(absolute);
        return idleEnd.isBefore(absoluteEnd) ? idleEnd : absoluteEnd;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public String changeSessionId() {
        id = DbSessionRepository.newSessionId();
        return id;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getAttribute(String name) {
        return (T) attributes.get(name);
    }

    @Override
    public Set<String> getAttributeNames() {
        return Set.copyOf(attributes.keySet());
    }

    @Override
    public void setAttribute(String name, Object value) {
        if (value == null) {
            removeAttribute(name);
            return;
        }
        attributes.put(name, value);
        attributesChanged = true;
    }

    @Override
    public void removeAttribute(String name) {
        if (attributes.remove(name) != null) {
            attributesChanged = true;
        }
    }

    @Override
    public Instant getCreationTime() {
        return created;
    }

    @Override
    public void setLastAccessedTime(Instant ignored) {
        Instant now = clock.instant();
        if (now.isAfter(lastAccessed)) {
            lastAccessed = now;
        }
    }

    @Override
    public Instant getLastAccessedTime() {
        return lastAccessed;
    }

    @Override
    public void setMaxInactiveInterval(Duration interval) {
        if (!interval.equals(idle)) {
            idle = interval;
            idleChanged = true;
        }
    }

    @Override
    public Duration getMaxInactiveInterval() {
        return idle;
    }

    @Override
    public boolean isExpired() {
        return !clock.instant().isBefore(expiresAt());
    }
}
