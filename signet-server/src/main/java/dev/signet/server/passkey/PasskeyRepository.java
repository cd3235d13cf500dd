package dev.signet.server.passkey;

import dev.signet.core.crypto.Secure;
import dev.signet.server.store.Store;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Storage of passkeys ({@code passkey}) and of the accounts' WebAuthn user handles ({@code
 * app_user.webauthn_handle}). Never returns null.
 */
final class PasskeyRepository {
    /** A passkey with what verifying an assertion needs: the serialised attested credential data. */
    record Stored(Passkey passkey, String attestedData) {}

    private final Store store;

    PasskeyRepository(Store store) {
        this.store = store;
    }

    List<Passkey> forUser(String userId) {
        return store.jdbc()
                .sql("SELECT * FROM passkey WHERE user_id = ? ORDER BY created_at, id")
                .param(userId)
                .query(PasskeyRepository::passkey)
                .list();
    }

    int count(String userId) {
        return store.jdbc()
                .sql("SELECT COUNT(*) FROM passkey WHERE user_id = ?")
                .param(userId)
                .query(Integer.class)
                .single();
    }

    Optional<Passkey> byId(String userId, String id) {
        return store.jdbc()
                .sql("SELECT * FROM passkey WHERE id = ? AND user_id = ?")
                .params(id, userId)
                .query(PasskeyRepository::passkey)
                .optional();
    }

    Optional<Stored> byCredentialId(String credentialId) {
        return store.jdbc()
                .sql("SELECT * FROM passkey WHERE credential_id = ?")
                .param(credentialId)
                .query((rs, n) -> new Stored(passkey(rs, n), rs.getString("attested_data")))
                .optional();
    }

    boolean credentialExists(String credentialId) {
        return store.jdbc()
                        .sql("SELECT COUNT(*) FROM passkey WHERE credential_id = ?")
                        .param(credentialId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    void insert(Passkey p, String attestedData) {
        store.jdbc()
                .sql("INSERT INTO passkey (id, user_id, credential_id, name, attested_data, attestation_format, aaguid,"
                        + " transports, sign_count, backup_eligible, backed_up, created_at, last_used_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(
                        p.id(),
                        p.userId(),
                        p.credentialId(),
                        p.name(),
                        attestedData,
                        p.attestationFormat(),
                        p.aaguid().orElse(null),
                        p.transports().isEmpty() ? null : String.join(",", p.transports()),
                        p.signCount(),
                        p.backupEligible() ? 1 : 0,
                        p.backedUp() ? 1 : 0,
                        p.createdAt().toEpochMilli(),
                        p.lastUsedAt().map(Instant::toEpochMilli).orElse(null))
                .update();
    }

    /**
     * Records a successful assertion, only if the counter is still {@code expectedCount}: of two
     * assertions verified at once against the same stored counter, one updates and the other finds it
     * moved.
     */
    boolean recordUse(String id, long expectedCount, long newCount, boolean backedUp, Instant at) {
        return store.jdbc()
                        .sql("UPDATE passkey SET sign_count = ?, backed_up = ?, last_used_at = ?"
                                + " WHERE id = ? AND sign_count = ?")
                        .params(newCount, backedUp ? 1 : 0, at.toEpochMilli(), id, expectedCount)
                        .update()
                == 1;
    }

    boolean rename(String userId, String id, String name) {
        return store.jdbc()
                        .sql("UPDATE passkey SET name = ? WHERE id = ? AND user_id = ?")
                        .params(name, id, userId)
                        .update()
                == 1;
    }

    boolean delete(String userId, String id) {
        return store.jdbc()
                        .sql("DELETE FROM passkey WHERE id = ? AND user_id = ?")
                        .params(id, userId)
                        .update()
                == 1;
    }

    Optional<String> userHandle(String userId) {
        return store.jdbc()
                .sql("SELECT webauthn_handle FROM app_user WHERE id = ?")
                .param(userId)
                .query((rs, n) -> Optional.ofNullable(rs.getString(1)))
                .optional()
                .flatMap(h -> h);
    }

    /**
     * The account's WebAuthn user handle, made on first use: 32 random bytes in base64url, never
     * derived from the id or the username. Concurrent first uses agree on one handle.
     */
    String ensureUserHandle(String userId) {
        Optional<String> existing = userHandle(userId);
        if (existing.isPresent()) {
            return existing.get();
        }
        store.jdbc()
                .sql("UPDATE app_user SET webauthn_handle = ? WHERE id = ? AND webauthn_handle IS NULL")
                .params(Secure.randomToken(32), userId)
                .update();
        return userHandle(userId)
                .orElseThrow(() -> new PasskeyException(PasskeyException.NOT_FOUND, "no such account"));
    }

    private static Passkey passkey(ResultSet rs, int n) throws SQLException {
        long lastUsed = rs.getLong("last_used_at");
        boolean hasLastUsed = !rs.wasNull();
        String transports = rs.getString("transports");
        return new Passkey(
                rs.getString("id"),
                rs.getString("user_id"),
                rs.getString("name"),
                rs.getString("credential_id"),
                rs.getString("attestation_format"),
                Optional.ofNullable(rs.getString("aaguid")),
                transports == null || transports.isEmpty() ? List.of() : Arrays.asList(transports.split(",")),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                hasLastUsed ? Optional.of(Instant.ofEpochMilli(lastUsed)) : Optional.empty(),
                rs.getInt("backup_eligible") != 0,
                rs.getInt("backed_up") != 0,
                rs.getLong("sign_count"));
    }
}
