package dev.signet.server.audit;

import dev.signet.core.crypto.Secure;
import dev.signet.core.ledger.ChainEntry;
import dev.signet.core.ledger.ChainVerdict;
import dev.signet.core.ledger.ChainVerifier;
import dev.signet.core.ledger.HashChain;
import dev.signet.core.ledger.StoredEntry;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The append-only audit trail. Each event is a row that commits to the previous row's hash and
 * carries a MAC under a key only the server holds (see {@link HashChain}); {@link #verify()} walks the
 * chain and names the first changed, deleted, reordered or forged row.
 *
 * <p>Appends are ordered by the {@code audit_head} row: the first statement of every append updates
 * it, which takes PostgreSQL's row lock (SQLite's write lock is already held, transactions begin
 * IMMEDIATE), so concurrent appends from any number of nodes form one chain. The append commits
 * before {@link #append} returns: an event whose request was answered is on disk.
 */
public final class AuditLog {
    private static final String MAC_KEY_NAME = "audit-mac";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Store store;
    private final Clock clock;
    private final byte[] macKey;
    private final Consumer<AuditEvent> listener;
    private final JdbcTemplate batch;

    public AuditLog(Store store, KeyRing keyRing, Clock clock, Consumer<AuditEvent> listener) {
        this.store = store;
        this.clock = clock;
        this.listener = listener;
        this.batch = new JdbcTemplate(store.dataSource());
        this.macKey = loadOrCreateMacKey(store, keyRing, clock);
    }

    public AuditLog(Store store, KeyRing keyRing, Clock clock) {
        this(store, keyRing, clock, e -> {});
    }

    /** Appends {@code event} in its own transaction, or joins the caller's; returns its position. */
    public long append(AuditEvent event) {
        ChainEntry entry = new ChainEntry(
                clock.millis(),
                cut(event.type(), 64),
                cut(event.actor(), 200),
                cut(event.subject(), 200),
                cut(event.ip(), 64),
                cut(event.userAgent(), 512),
                cut(event.outcome(), 16),
                cut(event.reason(), 64),
                event.details().isEmpty() ? null : JSON.writeValueAsString(event.details()));
        long seq = store.inTransaction(() -> {
            store.jdbc().sql("UPDATE audit_head SET seq = seq + 1 WHERE id = 1").update();
            Map<String, Object> head = store.jdbc()
                    .sql("SELECT seq, hash FROM audit_head WHERE id = 1")
                    .query()
                    .singleRow();
            long next = ((Number) head.get("seq")).longValue();
            String prev = (String) head.get("hash");
            String hash = HashChain.hash(prev, entry);
            store.jdbc()
                    .sql("INSERT INTO audit_event (seq, occurred_at, type, actor, subject, ip, user_agent, outcome,"
                            + " reason, details, prev_hash, hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(
                            next,
                            entry.occurredAtMillis(),
                            entry.type(),
                            entry.actor(),
                            entry.subject(),
                            entry.ip(),
                            entry.userAgent(),
                            entry.outcome(),
                            entry.reason(),
                            entry.details(),
                            prev,
                            hash,
                            HashChain.mac(macKey, hash))
                    .update();
            store.jdbc()
                    .sql("UPDATE audit_head SET hash = ? WHERE id = 1")
                    .param(hash)
                    .update();
            return next;
        });
        listener.accept(event);
        return seq;
    }

    /**
     * Appends {@code events}, in order, in one transaction (or the caller's): the head moves once, the
     * rows go in as one JDBC batch. The chain is the same as {@link #append} one by one would make;
     * this only saves round trips (a signed batch records one event per signature).
     *
     * @return the position of the last event, or the current head for none
     */
    public long appendAll(List<AuditEvent> events) {
        if (events.isEmpty()) {
            return size();
        }
        List<ChainEntry> entries = new ArrayList<>(events.size());
        long now = clock.millis();
        for (AuditEvent event : events) {
            entries.add(new ChainEntry(
                    now,
                    cut(event.type(), 64),
                    cut(event.actor(), 200),
                    cut(event.subject(), 200),
                    cut(event.ip(), 64),
                    cut(event.userAgent(), 512),
                    cut(event.outcome(), 16),
                    cut(event.reason(), 64),
                    event.details().isEmpty() ? null : JSON.writeValueAsString(event.details())));
        }
        long last = store.inTransaction(() -> {
            store.jdbc()
                    .sql("UPDATE audit_head SET seq = seq + ? WHERE id = 1")
                    .param(entries.size())
                    .update();
            Map<String, Object> head = store.jdbc()
                    .sql("SELECT seq, hash FROM audit_head WHERE id = 1")
                    .query()
                    .singleRow();
            long end = ((Number) head.get("seq")).longValue();
            long seq = end - entries.size();
            String prev = (String) head.get("hash");
            List<Object[]> rows = new ArrayList<>(entries.size());
            for (ChainEntry entry : entries) {
                seq++;
                String hash = HashChain.hash(prev, entry);
                rows.add(new Object[] {
                    seq,
                    entry.occurredAtMillis(),
                    entry.type(),
                    entry.actor(),
                    entry.subject(),
                    entry.ip(),
                    entry.userAgent(),
                    entry.outcome(),
                    entry.reason(),
                    entry.details(),
                    prev,
                    hash,
                    HashChain.mac(macKey, hash)
                });
                prev = hash;
            }
            batch.batchUpdate(
                    "INSERT INTO audit_event (seq, occurred_at, type, actor, subject, ip, user_agent, outcome,"
                            + " reason, details, prev_hash, hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows);
            store.jdbc()
                    .sql("UPDATE audit_head SET hash = ? WHERE id = 1")
                    .param(prev)
                    .update();
            return end;
        });
        events.forEach(listener);
        return last;
    }

    /** Walks the whole chain (in pages, so memory stays flat) and reports the first break. */
    public ChainVerdict verify() {
        Map<String, Object> head = store.jdbc()
                .sql("SELECT seq, hash FROM audit_head WHERE id = 1")
                .query()
                .singleRow();
        ChainVerifier verifier = new ChainVerifier(macKey, hash -> {
            List<Long> found = store.jdbc()
                    .sql("SELECT seq FROM audit_event WHERE hash = ? ORDER BY seq LIMIT 1")
                    .param(hash)
                    .query(Long.class)
                    .list();
            return found.isEmpty() ? OptionalLong.empty() : OptionalLong.of(found.getFirst());
        });
        return verifier.verify(new PagedRows(), ((Number) head.get("seq")).longValue(), (String) head.get("hash"));
    }

    /** Number of events of any type since {@code since}. */
    public long countSince(Instant since) {
        return store.jdbc()
                .sql("SELECT COUNT(*) FROM audit_event WHERE occurred_at >= ?")
                .param(since.toEpochMilli())
                .query(Long.class)
                .single();
    }

    public long countSince(Instant since, String type, String outcome) {
        return store.jdbc()
                .sql("SELECT COUNT(*) FROM audit_event WHERE occurred_at >= ? AND type = ? AND outcome = ?")
                .params(since.toEpochMilli(), type, outcome)
                .query(Long.class)
                .single();
    }

    /** Total number of events. */
    public long size() {
        return store.jdbc()
                .sql("SELECT seq FROM audit_head WHERE id = 1")
                .query(Long.class)
                .single();
    }

    /** The newest events first; {@code type} null for all types. */
    public List<AuditRecord> recent(int limit, String type) {
        String sql =
                "SELECT * FROM audit_event" + (type == null ? "" : " WHERE type = ?") + " ORDER BY seq DESC LIMIT ?";
        var spec = store.jdbc().sql(sql);
        if (type != null) {
            spec = spec.param(type);
        }
        return spec.param(limit).query(AuditLog::record).list();
    }

    private static ChainEntry entry(ResultSet rs) throws SQLException {
        return new ChainEntry(
                rs.getLong("occurred_at"),
                rs.getString("type"),
                rs.getString("actor"),
                rs.getString("subject"),
                rs.getString("ip"),
                rs.getString("user_agent"),
                rs.getString("outcome"),
                rs.getString("reason"),
                rs.getString("details"));
    }

    private static AuditRecord record(ResultSet rs, int row) throws SQLException {
        ChainEntry e = entry(rs);
        return new AuditRecord(
                rs.getLong("seq"),
                Instant.ofEpochMilli(e.occurredAtMillis()),
                e.type(),
                e.actor(),
                e.subject(),
                e.ip(),
                e.userAgent(),
                e.outcome(),
                e.reason(),
                e.details());
    }

    private static StoredEntry stored(ResultSet rs, int row) throws SQLException {
        return new StoredEntry(
                rs.getLong("seq"), entry(rs), rs.getString("prev_hash"), rs.getString("hash"), rs.getString("mac"));
    }

    /** Rows in seq order, fetched a page at a time by keyset pagination. */
    private final class PagedRows implements Iterator<StoredEntry> {
        private static final int PAGE = 2000;
        private List<StoredEntry> page = new ArrayList<>();
        private int index;
        private long after = Long.MIN_VALUE;
        private boolean exhausted;

        @Override
        public boolean hasNext() {
            if (index < page.size()) {
                return true;
            }
            if (exhausted) {
                return false;
            }
            page = store.jdbc()
                    .sql("SELECT * FROM audit_event WHERE seq > ? ORDER BY seq LIMIT ?")
                    .params(after, PAGE)
                    .query(AuditLog::stored)
                    .list();
            index = 0;
            exhausted = page.size() < PAGE;
            if (!page.isEmpty()) {
                after = page.getLast().seq();
            }
            return !page.isEmpty();
        }

        @Override
        public StoredEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return page.get(index++);
        }
    }

    private static byte[] loadOrCreateMacKey(Store store, KeyRing keyRing, Clock clock) {
        KeyRing.SecretRef ref = new KeyRing.SecretRef("app_secret", "sealed", MAC_KEY_NAME);
        String select = "SELECT sealed FROM app_secret WHERE name = ?";
        String sealed = store.jdbc()
                .sql(select)
                .param(MAC_KEY_NAME)
                .query(String.class)
                .optional()
                .orElseGet(() -> {
                    // First start: two nodes may race here; ON CONFLICT keeps the first key, and both read it back.
                    String fresh = keyRing.seal(ref, Secure.randomBytes(32));
                    store.jdbc()
                            .sql(
                                    "INSERT INTO app_secret (name, sealed, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING")
                            .params(MAC_KEY_NAME, fresh, clock.millis())
                            .update();
                    return store.jdbc()
                            .sql(select)
                            .param(MAC_KEY_NAME)
                            .query(String.class)
                            .single();
                });
        return keyRing.open(ref, sealed);
    }

    static String cut(String s, int max) {
        if (s == null) {
            return null;
        }
        String clean = ChainEntry.sanitize(s);
        if (clean.length() <= max) {
            return clean;
        }
        // never split a surrogate pair
        int end = Character.isHighSurrogate(clean.charAt(max - 1)) ? max - 1 : max;
        return clean.substring(0, end);
    }
}
