package dev.signet.server.store;

import dev.signet.core.crypto.DataKey;
import dev.signet.core.crypto.Envelope;
import dev.signet.core.crypto.MasterKey;
import dev.signet.core.crypto.Secure;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Envelope encryption for every secret at rest: secrets are sealed by AES-256-GCM data keys, which
 * are stored wrapped by the master key (see {@link dev.signet.core.crypto.Envelope} for the format).
 *
 * <p>Callers name where a secret lives with a {@link SecretRef}; it is bound in as associated data,
 * so a sealed value copied to another row or column does not open. Unwrapped data keys are cached in
 * memory only.
 */
public final class KeyRing {
    /** Where a secret is stored: table, column and the row's identity. */
    public record SecretRef(String table, String column, String rowId) {
        String context() {
            return table + "." + column + "/" + rowId;
        }
    }

    private final Store store;
    private final MasterKey masterKey;
    private final Clock clock;
    private final Map<String, DataKey> cache = new ConcurrentHashMap<>();
    private volatile DataKey active;

    KeyRing(Store store, MasterKey masterKey, Clock clock) {
        this.store = store;
        this.masterKey = masterKey;
        this.clock = clock;
    }

    /** Seals {@code plaintext} for storage at {@code ref}. */
    public String seal(SecretRef ref, byte[] plaintext) {
        return Envelope.seal(activeKey(), ref.context(), plaintext);
    }

    /** Opens a sealed value read from {@code ref}; throws {@code CryptoException} if it is not intact. */
    public byte[] open(SecretRef ref, String sealed) {
        return Envelope.open(sealed, ref.context(), this::dataKey);
    }

    /**
     * A 32-byte server secret (an HMAC key, say) named {@code name}: made from {@code SecureRandom} at
     * first use and kept sealed in {@code app_secret}. Two nodes racing on first use agree on one.
     */
    public byte[] serverSecret(String name) {
        SecretRef ref = new SecretRef("app_secret", "sealed", name);
        String select = "SELECT sealed FROM app_secret WHERE name = ?";
        String sealed = store.jdbc()
                .sql(select)
                .param(name)
                .query(String.class)
                .optional()
                .orElseGet(() -> {
                    // ON CONFLICT keeps the first node's secret, and every node reads that one back.
                    String fresh = seal(ref, Secure.randomBytes(32));
                    store.jdbc()
                            .sql("INSERT INTO app_secret (name, sealed, created_at) VALUES (?, ?, ?)"
                                    + " ON CONFLICT (name) DO NOTHING")
                            .params(name, fresh, clock.millis())
                            .update();
                    return store.jdbc()
                            .sql(select)
                            .param(name)
                            .query(String.class)
                            .single();
                });
        return open(ref, sealed);
    }

    /** The master key's check value, as stored in {@code keyring}. */
    public String masterCheckValue() {
        return masterKey.checkValue();
    }

    private DataKey activeKey() {
        DataKey key = active;
        if (key == null) {
            synchronized (this) {
                key = active;
                if (key == null) {
                    key = loadOrCreateActive();
                    active = key;
                }
            }
        }
        return key;
    }

    private DataKey loadOrCreateActive() {
        return store.inTransaction(() -> {
            Optional<String> newest = store.jdbc()
                    .sql("SELECT id FROM data_key ORDER BY created_at DESC, id DESC LIMIT 1")
                    .query(String.class)
                    .optional();
            if (newest.isPresent()) {
                return dataKey(newest.get()).orElseThrow();
            }
            // Guard: never wrap a new data key under a master key the database no longer trusts
            // (a rotation by another process since this one started).
            String stored = store.jdbc()
                    .sql("SELECT check_value FROM keyring WHERE name = 'master'")
                    .query(String.class)
                    .single();
            if (!masterKey.matches(stored)) {
                throw new StoreException(
                        StoreException.MASTER_KEY,
                        "the master key was rotated by another process; restart this server");
            }
            DataKey created = DataKey.generate(UUID.randomUUID().toString());
            store.jdbc()
                    .sql("INSERT INTO data_key (id, wrapped, created_at) VALUES (?, ?, ?)")
                    .params(
                            created.id(),
                            Base64.getEncoder().encodeToString(masterKey.wrap(created.id(), created.material())),
                            clock.millis())
                    .update();
            cache.put(created.id(), created);
            return created;
        });
    }

    private Optional<DataKey> dataKey(String id) {
        DataKey cached = cache.get(id);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<String> wrapped = store.jdbc()
                .sql("SELECT wrapped FROM data_key WHERE id = ?")
                .param(id)
                .query(String.class)
                .optional();
        return wrapped.map(w -> {
            DataKey key =
                    new DataKey(id, masterKey.unwrap(id, Base64.getDecoder().decode(w)));
            cache.put(id, key);
            return key;
        });
    }

    /**
     * Re-wraps every data key under {@code next} and records its check value, in one transaction: on
     * failure nothing changes. Secrets themselves are untouched (they are sealed by data keys).
     *
     * @return the number of data keys re-wrapped
     */
    int rewrapAll(MasterKey next) {
        return store.inTransaction(() -> {
            List<Map<String, Object>> rows =
                    store.jdbc().sql("SELECT id, wrapped FROM data_key").query().listOfRows();
            for (Map<String, Object> row : rows) {
                String id = (String) row.get("id");
                byte[] material = masterKey.unwrap(id, Base64.getDecoder().decode((String) row.get("wrapped")));
                store.jdbc()
                        .sql("UPDATE data_key SET wrapped = ? WHERE id = ?")
                        .params(Base64.getEncoder().encodeToString(next.wrap(id, material)), id)
                        .update();
                java.util.Arrays.fill(material, (byte) 0);
            }
            int updated = store.jdbc()
                    .sql("UPDATE keyring SET check_value = ?, updated_at = ? WHERE name = 'master'")
                    .params(next.checkValue(), clock.millis())
                    .update();
            if (updated != 1) {
                throw new StoreException(StoreException.MASTER_KEY, "the keyring row is missing");
            }
            return rows.size();
        });
    }
}
