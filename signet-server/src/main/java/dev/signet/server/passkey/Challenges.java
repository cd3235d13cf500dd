package dev.signet.server.passkey;

import dev.signet.core.crypto.Secure;
import dev.signet.server.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Single-use WebAuthn challenges in {@code webauthn_challenge}: 32 random bytes, of which only the
 * SHA-256 is stored, with the purpose, the user it was issued for (none for a discoverable sign-in)
 * and an expiry.
 *
 * <p>Consuming is a DELETE, and only the request whose DELETE removed the row goes on: of two
 * requests racing with the same challenge, exactly one wins, on SQLite (one writer at a time) and on
 * PostgreSQL (the second DELETE waits for the first's row lock, then finds nothing). The row is read
 * first so an expired challenge is told apart from one never issued or already used.
 */
final class Challenges {
    static final String REGISTER = "register";
    static final String AUTHENTICATE = "authenticate";

    /** Expired rows are kept this much longer, so a late answer is told "expired" rather than "unknown". */
    private static final Duration SWEEP_GRACE = Duration.ofMinutes(15);

    /** What a consumed challenge was issued for. */
    record Issued(String purpose, Optional<String> userId) {}

    private final Store store;
    private final Clock clock;
    private final Duration lifetime;

    Challenges(Store store, Clock clock, Duration lifetime) {
        this.store = store;
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** A new challenge for {@code purpose}; sweeps long-expired rows on the way. */
    byte[] issue(String purpose, Optional<String> userId) {
        long now = clock.millis();
        store.jdbc()
                .sql("DELETE FROM webauthn_challenge WHERE expires_at < ?")
                .param(now - SWEEP_GRACE.toMillis())
                .update();
        byte[] challenge = Secure.randomBytes(32);
        store.jdbc()
                .sql("INSERT INTO webauthn_challenge (challenge_hash, purpose, user_id, created_at, expires_at)"
                        + " VALUES (?, ?, ?, ?, ?)")
                .params(hash(challenge), purpose, userId.orElse(null), now, now + lifetime.toMillis())
                .update();
        return challenge;
    }

    /**
     * Uses up {@code challenge} for {@code purpose}.
     *
     * @throws PasskeyException {@code passkey.challenge_unknown} (never issued, issued for another
     *     purpose, or already used, including by a request that won a race), {@code
     *     passkey.challenge_expired} (issued, but too long ago; it is used up all the same)
     */
    Issued consume(byte[] challenge, String purpose) {
        String hash = hash(challenge);
        record Row(String purpose, String userId, long expiresAt) {}
        Optional<Row> row = store.jdbc()
                .sql("SELECT purpose, user_id, expires_at FROM webauthn_challenge WHERE challenge_hash = ?")
                .param(hash)
                .query((rs, n) -> new Row(rs.getString("purpose"), rs.getString("user_id"), rs.getLong("expires_at")))
                .optional();
        if (row.isEmpty() || !row.get().purpose().equals(purpose)) {
            throw unknown();
        }
        int deleted = store.jdbc()
                .sql("DELETE FROM webauthn_challenge WHERE challenge_hash = ? AND purpose = ?")
                .params(hash, purpose)
                .update();
        if (deleted != 1) {
            throw unknown();
        }
        if (row.get().expiresAt() <= clock.millis()) {
            throw new PasskeyException(
                    PasskeyException.CHALLENGE_EXPIRED, "the passkey request took too long; start again");
        }
        return new Issued(purpose, Optional.ofNullable(row.get().userId()));
    }

    private static PasskeyException unknown() {
        return new PasskeyException(
                PasskeyException.CHALLENGE_UNKNOWN,
                "this passkey request is not known or was already used; start again");
    }

    static String hash(byte[] challenge) {
        return Secure.hex(Secure.sha256(challenge));
    }
}
