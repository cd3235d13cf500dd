package dev.signet.server.factor;

import dev.signet.core.otp.OtpAlgorithm;
import dev.signet.core.otp.OtpAuthUri;
import dev.signet.core.otp.OtpParams;
import dev.signet.core.otp.OtpSeed;
import dev.signet.core.otp.OtpType;
import dev.signet.core.otp.OtpVerifier;
import dev.signet.core.otp.QrCode;
import dev.signet.server.account.AccountException;
import dev.signet.server.account.DisplayNames;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * One-time password devices: TOTP (<a href="https://www.rfc-editor.org/rfc/rfc6238">RFC 6238</a>) and
 * HOTP (<a href="https://www.rfc-editor.org/rfc/rfc4226">RFC 4226</a>) authenticators, their
 * enrolment and the checking of codes.
 *
 * <p>Seeds come from {@code SecureRandom} (160 bits for SHA-1, more for the others) and are sealed
 * with the key ring, bound to their row. A device is usable only once its enrolment was confirmed
 * with a correct code.
 *
 * <p>A code is accepted once: the matched step (TOTP) or counter (HOTP) is stored with {@code UPDATE
 * ... SET used_through = :matched WHERE id = :id AND used_through < :matched}; of concurrent requests
 * with the same code exactly one updates the row, on one node or many, because the database decides.
 * The caller throttles before calling (the sign-in guard) and counts failures.
 */
public final class OtpService {
    /** The outcome of checking a code. */
    public enum Check {
        ACCEPTED,
        /** No device produced this code in the window. */
        INVALID,
        /** A device produced it, but it was already used (or a later one was). */
        REPLAYED,
        /** Not a code at all (wrong length, not digits). */
        MALFORMED,
        /** The user has no confirmed device. */
        NO_DEVICE
    }

    /** A device as the account page shows it; never its seed. */
    public record Device(
            String id,
            String name,
            OtpType type,
            OtpAlgorithm algorithm,
            int digits,
            int period,
            Instant createdAt,
            Optional<Instant> confirmedAt,
            Optional<Instant> lastUsedAt) {
        public boolean confirmed() {
            return confirmedAt.isPresent();
        }
    }

    /** What enrolment shows once: the otpauth URI, its QR code, and the seed for typing by hand. */
    public record Enrolment(Device device, String uri, byte[] qrPng, String secret) {
        @Override
        public String toString() {
            return "Enrolment[" + device.id() + ", secret=redacted]";
        }
    }

    /** A code accepted for a device. */
    public record Accepted(String deviceId, String deviceName) {}

    public record Result(Check check, Optional<Accepted> accepted) {
        static Result of(Check check) {
            return new Result(check, Optional.empty());
        }
    }

    static final int NAME_MAX = 100;
    static final int MAX_DEVICES = 20;

    private final Store store;
    private final KeyRing keyRing;
    private final AuditLog audit;
    private final Clock clock;
    private final String issuer;
    private final int window;
    private final int lookAhead;

    public OtpService(
            Store store, KeyRing keyRing, AuditLog audit, Clock clock, String issuer, int window, int lookAhead) {
        this.store = store;
        this.keyRing = keyRing;
        this.audit = audit;
        this.clock = clock;
        this.issuer = issuer;
        this.window = window;
        this.lookAhead = lookAhead;
    }

    // ---- enrolment -------------------------------------------------------------------------------

    /**
     * Starts enrolling a device: a fresh seed, stored sealed and unconfirmed. Earlier unconfirmed
     * devices of the user are dropped (one enrolment at a time).
     */
    public Enrolment start(User user, String name, OtpType type, OtpAlgorithm algorithm, int digits) {
        String clean = cleanName(name == null || name.isBlank() ? defaultName(type) : name);
        if (digits != 6 && digits != 8) {
            throw new AccountException("otp.digits_invalid", "codes have 6 or 8 digits");
        }
        OtpParams params = type == OtpType.TOTP
                ? OtpParams.totp(algorithm, digits, OtpParams.DEFAULT_PERIOD_SECONDS)
                : OtpParams.hotp(algorithm, digits);
        OtpSeed seed = OtpSeed.generate(algorithm);
        String id = UUID.randomUUID().toString();
        long now = clock.millis();
        store.inTransaction(() -> {
            store.jdbc()
                    .sql("DELETE FROM otp_device WHERE user_id = ? AND confirmed_at IS NULL")
                    .param(user.id())
                    .update();
            int count = store.jdbc()
                    .sql("SELECT COUNT(*) FROM otp_device WHERE user_id = ?")
                    .param(user.id())
                    .query(Integer.class)
                    .single();
            if (count >= MAX_DEVICES) {
                throw new AccountException(
                        "otp.too_many", "you have " + MAX_DEVICES + " authenticators; remove one first");
            }
            store.jdbc()
                    .sql("INSERT INTO otp_device (id, user_id, name, type, algorithm, digits, period, secret,"
                            + " used_through, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(
                            id,
                            user.id(),
                            clean,
                            type.name(),
                            algorithm.name(),
                            digits,
                            params.periodSeconds(),
                            keyRing.seal(secretRef(id), seed.bytes()),
                            OtpVerifier.NO_STEP_ACCEPTED,
                            now)
                    .update();
        });
        return enrolment(user, id, params, seed);
    }

    /** The pending enrolment again (to show it with an error after a wrong confirmation code). */
    public Optional<Enrolment> pending(User user, String deviceId) {
        return row(user.id(), deviceId)
                .filter(r -> r.confirmedAt() == null)
                .map(r -> enrolment(user, r.id(), r.params(), seed(r)));
    }

    /**
     * Confirms an enrolment with the first correct code (TOTP: within the window; HOTP: within the
     * look-ahead). The code is then used: it cannot sign in.
     */
    public Device confirm(User user, String deviceId, String code) {
        Row r = row(user.id(), deviceId)
                .filter(d -> d.confirmedAt() == null)
                .orElseThrow(() -> new AccountException("otp.not_found", "no authenticator is being set up"));
        OptionalLong matched = match(r, code);
        if (matched.isEmpty()) {
            throw new AccountException(
                    "otp.code_invalid", "that code is not right; check the device's clock and try the next one");
        }
        long now = clock.millis();
        int updated = store.inTransaction(() -> {
            int rows = store.jdbc()
                    .sql("UPDATE otp_device SET confirmed_at = ?, used_through = ?, last_used_at = ?"
                            + " WHERE id = ? AND confirmed_at IS NULL AND used_through < ?")
                    .params(now, matched.getAsLong(), now, deviceId, matched.getAsLong())
                    .update();
            if (rows == 1) {
                audit.append(AuditEvent.of("account.factor_added", AuditEvent.SUCCESS)
                        .actor(user.username())
                        .subject(user.username())
                        .detail("factor", r.type().name().toLowerCase(java.util.Locale.ROOT))
                        .detail("name", r.name())
                        .build());
            }
            return rows;
        });
        if (updated != 1) {
            throw new AccountException("otp.code_invalid", "that code was already used; wait for the next one");
        }
        return row(user.id(), deviceId).orElseThrow().device();
    }

    // ---- checking codes --------------------------------------------------------------------------

    /**
     * Checks a code against each of the user's confirmed devices and, on a match, marks it used. The
     * caller throttles before and records the outcome after.
     */
    public Result verify(String userId, String code) {
        return accept(match(userId, code));
    }

    /** A device and step a code matched, not used yet when read. */
    public record Candidate(String deviceId, String deviceName, long step) {}

    /**
     * What a code matches, read without writing: the unused (device, step) pairs to try, or why there
     * are none. Reading, unsealing and hashing need no write lock; {@link #accept} then decides.
     */
    public record Match(String userId, Check check, List<Candidate> candidates) {}

    /** The read-only half of {@link #verify}. */
    public Match match(String userId, String code) {
        List<Row> devices =
                rows(userId).stream().filter(r -> r.confirmedAt() != null).toList();
        if (devices.isEmpty()) {
            return new Match(userId, Check.NO_DEVICE, List.of());
        }
        if (code == null || !code.matches("[0-9]{6}|[0-9]{8}")) {
            return new Match(userId, Check.MALFORMED, List.of());
        }
        boolean replayed = false;
        List<Candidate> candidates = new ArrayList<>(1);
        for (Row r : devices) {
            OptionalLong matched = matchAny(r, code);
            if (matched.isEmpty()) {
                continue;
            }
            long step = matched.getAsLong();
            if (step <= r.usedThrough()) {
                replayed = true;
            } else {
                candidates.add(new Candidate(r.id(), r.name(), step));
            }
        }
        return new Match(
                userId,
                candidates.isEmpty() ? (replayed ? Check.REPLAYED : Check.INVALID) : Check.ACCEPTED,
                candidates);
    }

    /**
     * The deciding half of {@link #verify}: marks the first candidate used with the conditional
     * update; a candidate someone else used meanwhile is a replay.
     */
    public Result accept(Match match) {
        if (match.candidates().isEmpty()) {
            return Result.of(match.check());
        }
        long now = clock.millis();
        for (Candidate c : match.candidates()) {
            int rows = store.jdbc()
                    .sql("UPDATE otp_device SET used_through = ?, last_used_at = ?"
                            + " WHERE id = ? AND user_id = ? AND confirmed_at IS NOT NULL AND used_through < ?")
                    .params(c.step(), now, c.deviceId(), match.userId(), c.step())
                    .update();
            if (rows == 1) {
                return new Result(Check.ACCEPTED, Optional.of(new Accepted(c.deviceId(), c.deviceName())));
            }
        }
        return Result.of(Check.REPLAYED);
    }

    /**
     * Resynchronises an HOTP device that ran ahead of the look-ahead window, from two consecutive
     * codes (RFC 4226 section 7.4). The codes are then used.
     */
    public void resync(User user, String deviceId, String code1, String code2) {
        Row r = row(user.id(), deviceId)
                .filter(d -> d.confirmedAt() != null && d.type() == OtpType.HOTP)
                .orElseThrow(() -> new AccountException("otp.not_found", "no such HOTP authenticator"));
        OptionalLong next = OtpVerifier.resync(r.params(), seed(r), code1, code2, r.usedThrough() + 1, 1000);
        if (next.isEmpty()) {
            throw new AccountException("otp.resync_failed", "those two codes are not consecutive codes of this device");
        }
        long last = next.getAsLong() - 1;
        int rows = store.inTransaction(() -> {
            int n = store.jdbc()
                    .sql("UPDATE otp_device SET used_through = ?, last_used_at = ? WHERE id = ? AND used_through < ?")
                    .params(last, clock.millis(), deviceId, last)
                    .update();
            if (n == 1) {
                audit.append(AuditEvent.of("account.otp_resynchronised", AuditEvent.SUCCESS)
                        .actor(user.username())
                        .subject(user.username())
                        .detail("name", r.name())
                        .build());
            }
            return n;
        });
        if (rows != 1) {
            throw new AccountException("otp.resync_failed", "those codes were already used");
        }
    }

    // ---- management ------------------------------------------------------------------------------

    public List<Device> list(String userId) {
        return rows(userId).stream()
                .filter(r -> r.confirmedAt() != null)
                .map(Row::device)
                .toList();
    }

    public void rename(User user, String deviceId, String name) {
        String clean = cleanName(name);
        int rows = store.jdbc()
                .sql("UPDATE otp_device SET name = ? WHERE id = ? AND user_id = ? AND confirmed_at IS NOT NULL")
                .params(clean, deviceId, user.id())
                .update();
        if (rows != 1) {
            throw new AccountException("otp.not_found", "no such authenticator");
        }
    }

    /** Removes a device; the caller checked the MFA policy and step-up. */
    public void remove(User user, String deviceId, String actor) {
        Row r = row(user.id(), deviceId)
                .orElseThrow(() -> new AccountException("otp.not_found", "no such authenticator"));
        store.inTransaction(() -> {
            store.jdbc()
                    .sql("DELETE FROM otp_device WHERE id = ?")
                    .param(deviceId)
                    .update();
            if (r.confirmedAt() != null) {
                audit.append(AuditEvent.of("account.factor_removed", AuditEvent.SUCCESS)
                        .actor(actor)
                        .subject(user.username())
                        .detail("factor", r.type().name().toLowerCase(java.util.Locale.ROOT))
                        .detail("name", r.name())
                        .build());
            }
        });
    }

    // ---- internals -------------------------------------------------------------------------------

    private record Row(
            String id,
            String name,
            OtpType type,
            OtpAlgorithm algorithm,
            int digits,
            int period,
            String secret,
            long usedThrough,
            long createdAt,
            Long confirmedAt,
            Long lastUsedAt) {
        OtpParams params() {
            return type == OtpType.TOTP ? OtpParams.totp(algorithm, digits, period) : OtpParams.hotp(algorithm, digits);
        }

        Device device() {
            return new Device(
                    id,
                    name,
                    type,
                    algorithm,
                    digits,
                    period,
                    Instant.ofEpochMilli(createdAt),
                    Optional.ofNullable(confirmedAt).map(Instant::ofEpochMilli),
                    Optional.ofNullable(lastUsedAt).map(Instant::ofEpochMilli));
        }
    }

    private static final String COLUMNS =
            "id, name, type, algorithm, digits, period, secret, used_through, created_at, confirmed_at, last_used_at";

    private List<Row> rows(String userId) {
        return store.jdbc()
                .sql("SELECT " + COLUMNS + " FROM otp_device WHERE user_id = ? ORDER BY created_at, id")
                .param(userId)
                .query((rs, n) -> row(rs))
                .list();
    }

    private Optional<Row> row(String userId, String id) {
        return store.jdbc()
                .sql("SELECT " + COLUMNS + " FROM otp_device WHERE user_id = ? AND id = ?")
                .params(userId, id)
                .query((rs, n) -> row(rs))
                .optional();
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        long confirmed = rs.getLong("confirmed_at");
        Long confirmedAt = rs.wasNull() ? null : confirmed;
        long used = rs.getLong("last_used_at");
        Long lastUsedAt = rs.wasNull() ? null : used;
        return new Row(
                rs.getString("id"),
                rs.getString("name"),
                OtpType.valueOf(rs.getString("type")),
                OtpAlgorithm.valueOf(rs.getString("algorithm")),
                rs.getInt("digits"),
                rs.getInt("period"),
                rs.getString("secret"),
                rs.getLong("used_through"),
                rs.getLong("created_at"),
                confirmedAt,
                lastUsedAt);
    }

    private OtpSeed seed(Row r) {
        return OtpSeed.of(keyRing.open(secretRef(r.id()), r.secret()));
    }

    /** A match that has not been used yet. */
    private OptionalLong match(Row r, String code) {
        OtpSeed seed = seed(r);
        return r.type() == OtpType.TOTP
                ? OtpVerifier.totp(r.params(), seed, code, clock.instant(), window, r.usedThrough())
                : OtpVerifier.hotp(r.params(), seed, code, r.usedThrough() + 1, lookAhead);
    }

    /**
     * A match whether used or not (TOTP), so a replay can be told from a wrong code in the audit log.
     * HOTP codes behind the counter are simply wrong.
     */
    private OptionalLong matchAny(Row r, String code) {
        if (code.length() != r.digits()) {
            return OptionalLong.empty();
        }
        OtpSeed seed = seed(r);
        return r.type() == OtpType.TOTP
                ? OtpVerifier.totp(r.params(), seed, code, clock.instant(), window, OtpVerifier.NO_STEP_ACCEPTED)
                : OtpVerifier.hotp(r.params(), seed, code, r.usedThrough() + 1, lookAhead);
    }

    private Enrolment enrolment(User user, String id, OtpParams params, OtpSeed seed) {
        OtpAuthUri uri = params.type() == OtpType.TOTP
                ? OtpAuthUri.totp(issuer, user.username(), params, seed)
                : OtpAuthUri.hotp(issuer, user.username(), params, seed, 0);
        String text = uri.uri();
        Device device = row(user.id(), id).orElseThrow().device();
        return new Enrolment(device, text, QrCode.png(text, 240), seed.base32());
    }

    private static KeyRing.SecretRef secretRef(String id) {
        return new KeyRing.SecretRef("otp_device", "secret", id);
    }

    private static String defaultName(OtpType type) {
        return type == OtpType.TOTP ? "Authenticator app" : "Hardware token";
    }

    static String cleanName(String name) {
        return DisplayNames.clean(name, NAME_MAX)
                .orElseThrow(() -> new AccountException(
                        "otp.name_invalid", "a name of 1 to " + NAME_MAX + " printable characters"));
    }
}
