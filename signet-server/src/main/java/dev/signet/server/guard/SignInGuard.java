package dev.signet.server.guard;

import dev.signet.core.crypto.Secure;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * Brute-force protection for password sign-in, with all state in the database so that any number of
 * nodes share it. The caller asks {@link #check} before hashing anything, then reports the outcome
 * of the password check with {@link #failed} or {@link #succeeded}.
 *
 * <p>Policy (numbers from {@link SignetSettings.Throttle}; defaults in brackets):
 *
 * <ul>
 *   <li><b>Per account</b>, keyed by the normalised typed username whether or not an account exists
 *       (the guard never reads {@code app_user}, so it cannot tell anyone which names exist): after
 *       {@code freeFailures} [4] consecutive failures, each further failure delays the next attempt by
 *       {@code baseDelay} [1 s], doubling up to {@code maxDelay} [15 min]. Never a permanent lock: the
 *       streak ends at a success, at an admin's {@link #clear}, or after {@code window} [60 min]
 *       without a failure once the delay is over. An attempt inside the delay is refused before the
 *       password is looked at, so a right password is not accepted early; refused attempts neither
 *       count as failures nor extend the delay.
 *   <li><b>Per client IP</b>, a Bucket4j token bucket of {@code ipBurst} [30] attempts refilled
 *       greedily at {@code ipPerMinute} [30] a minute; every checked attempt takes a token.
 *   <li><b>Credential stuffing</b>: an IP whose failures within {@code window} cover more than {@code
 *       stuffingUsernames} [20] distinct usernames is refused for {@code sourceBlock} [15 min].
 *   <li><b>Password spraying</b>: a password that failed against more than {@code sprayingAccounts}
 *       [10] distinct usernames within {@code window} gets every IP that used it refused for {@code
 *       sourceBlock}. Passwords are recognised by a 32-bit HMAC-SHA256 fingerprint under a server key
 *       sealed in {@code app_secret}: a stored fingerprint matches about one password in four billion,
 *       so it cannot confirm a guess.
 * </ul>
 *
 * Every refusal, every source block and every admin clearing is an audit event ({@code
 * auth.throttle}, {@code auth.throttle_cleared}).
 *
 * <p>Schema ({@code V3__throttle.sql}): {@code throttle_account} (username_key, failures,
 * delayed_until, updated_at); {@code throttle_ip_user} (ip, username_key, last_at) for stuffing;
 * {@code throttle_spray} (fingerprint, username_key, ip, last_at) for spraying; {@code
 * throttle_block} (ip, reason, blocked_at, until_at); {@code throttle_bucket} (bucket_key, state,
 * expires_at), the Bucket4j state (see {@link StoreBucketProxyManager}). Counters change by atomic
 * statements ({@code INSERT ... ON CONFLICT DO UPDATE SET failures = failures + 1}), so concurrent
 * nodes never lose a failure. Rows past the window are deleted in small batches, at most once a
 * minute per node.
 */
public final class SignInGuard {
    public static final String SCOPE_ACCOUNT = "account";
    public static final String SCOPE_IP = "ip";
    public static final String SCOPE_STUFFING = "stuffing";
    public static final String SCOPE_SPRAYING = "spraying";

    static final String FINGERPRINT_KEY_NAME = "throttle-fingerprint";
    private static final Logger log = LoggerFactory.getLogger(SignInGuard.class);
    private static final int MAX_KEY_LENGTH = 128;
    private static final int MAX_IP_LENGTH = 64;
    private static final int PURGE_BATCH = 500;
    private static final int MAX_BLOCKS_LISTED = 500;
    private static final long PURGE_EVERY_MILLIS = 60_000;

    /**
     * The answer to {@link #check}: allowed ({@code scope} null, {@code retryAfter} zero), or refused
     * for {@code scope} ({@code account}, {@code ip}, {@code stuffing}, {@code spraying}) until {@code
     * retryAfter} has passed.
     */
    public record Verdict(boolean throttled, String scope, Duration retryAfter) {
        private static final Verdict ALLOWED = new Verdict(false, null, Duration.ZERO);

        public Verdict {
            Objects.requireNonNull(retryAfter, "retryAfter");
        }

        public static Verdict allowed() {
            return ALLOWED;
        }

        public static Verdict refused(String scope, Duration retryAfter) {
            return new Verdict(true, Objects.requireNonNull(scope, "scope"), retryAfter);
        }

        public boolean isAllowed() {
            return !throttled;
        }
    }

    /** An account's throttle state, for the admin pages; {@code delayedUntil} only while a delay runs. */
    public record AccountState(int failures, Optional<Instant> delayedUntil) {}

    /** A client IP refused until {@code until} for {@code reason} ({@code stuffing} or {@code spraying}). */
    public record Block(String ip, String reason, Instant until) {}

    private final Store store;
    private final AuditLog audit;
    private final SignetSettings.Throttle settings;
    private final Clock clock;
    private final byte[] fingerprintKey;
    private final StoreBucketProxyManager buckets;
    private final BucketConfiguration bucketConfiguration;
    private final AtomicLong nextPurge = new AtomicLong(Long.MIN_VALUE);

    public SignInGuard(Store store, KeyRing keyRing, AuditLog audit, SignetSettings.Throttle settings, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.fingerprintKey = keyRing.serverSecret(FINGERPRINT_KEY_NAME);
        this.buckets = new StoreBucketProxyManager(store, clock);
        this.bucketConfiguration = BucketConfiguration.builder()
                .addLimit(limit ->
                        limit.capacity(settings.ipBurst()).refillGreedy(settings.ipPerMinute(), Duration.ofMinutes(1)))
                .build();
    }

    // ---- the sign-in flow ------------------------------------------------------------------

    /**
     * Whether a sign-in attempt may go on to the password check. Call before any hashing. Looks at, in
     * this order, a source block on the IP, the IP's token bucket (taking one token) and the account's
     * delay; a refusal is audited.
     */
    public Verdict check(String usernameKey, String ip) {
        String key = accountKey(usernameKey);
        String source = sourceKey(ip);
        long now = clock.millis();
        purgeOpportunistically(now);
        Verdict verdict = sourceBlock(source, now);
        if (verdict.isAllowed()) {
            ConsumptionProbe probe = buckets.builder()
                    .build(bucketKey(source), () -> bucketConfiguration)
                    .tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                verdict = Verdict.refused(SCOPE_IP, Duration.ofNanos(Math.max(1, probe.getNanosToWaitForRefill())));
            }
        }
        if (verdict.isAllowed()) {
            long delayedUntil = store.jdbc()
                    .sql("SELECT delayed_until FROM throttle_account WHERE username_key = ?")
                    .param(key)
                    .query(Long.class)
                    .optional()
                    .orElse(0L);
            if (delayedUntil > now) {
                verdict = Verdict.refused(SCOPE_ACCOUNT, Duration.ofMillis(delayedUntil - now));
            }
        }
        if (verdict.throttled()) {
            audit.append(AuditEvent.of("auth.throttle", AuditEvent.FAILURE)
                    .subject(usernameKey)
                    .client(ip, null)
                    .reason(verdict.scope())
                    .detail("retry_after_seconds", Long.toString(seconds(verdict.retryAfter())))
                    .build());
        }
        return verdict;
    }

    /**
     * Records a failed password check: the account's streak grows (and from the {@code
     * freeFailures}+1-th failure a delay starts), and the failure counts towards stuffing by this IP
     * and spraying of this password. May start a source block. A {@code null} password is a failed
     * second factor (a wrong one-time or recovery code): it counts for the account and for stuffing,
     * but not for spraying, which is about passwords.
     */
    public void failed(String usernameKey, String ip, CharSequence password) {
        String key = accountKey(usernameKey);
        String source = sourceKey(ip);
        String fingerprint = password == null ? null : fingerprint(password);
        long now = clock.millis();
        long windowStart = now - settings.window().toMillis();
        Counts counts = store.inTransaction(() -> {
            store.jdbc()
                    .sql("INSERT INTO throttle_account (username_key, failures, delayed_until, updated_at)"
                            + " VALUES (?, 1, 0, ?) ON CONFLICT (username_key) DO UPDATE SET failures = CASE"
                            + " WHEN throttle_account.updated_at < ? AND throttle_account.delayed_until <= ? THEN 1"
                            + " ELSE throttle_account.failures + 1 END, updated_at = excluded.updated_at")
                    .params(key, now, windowStart, now)
                    .update();
            int failures = store.jdbc()
                    .sql("SELECT failures FROM throttle_account WHERE username_key = ?")
                    .param(key)
                    .query(Integer.class)
                    .single();
            if (failures > settings.freeFailures()) {
                store.jdbc()
                        .sql("UPDATE throttle_account SET delayed_until = ? WHERE username_key = ?")
                        .params(now + delay(failures).toMillis(), key)
                        .update();
            }
            store.jdbc()
                    .sql("INSERT INTO throttle_ip_user (ip, username_key, last_at) VALUES (?, ?, ?)"
                            + " ON CONFLICT (ip, username_key) DO UPDATE SET last_at = excluded.last_at")
                    .params(source, key, now)
                    .update();
            if (fingerprint != null) {
                store.jdbc()
                        .sql(
                                "INSERT INTO throttle_spray (fingerprint, username_key, ip, last_at) VALUES (?, ?, ?, ?)"
                                        + " ON CONFLICT (fingerprint, username_key, ip) DO UPDATE SET last_at = excluded.last_at")
                        .params(fingerprint, key, source, now)
                        .update();
            }
            long usernames = store.jdbc()
                    .sql("SELECT COUNT(*) FROM throttle_ip_user WHERE ip = ? AND last_at > ?")
                    .params(source, windowStart)
                    .query(Long.class)
                    .single();
            long accounts = fingerprint == null
                    ? 0
                    : store.jdbc()
                            .sql(
                                    "SELECT COUNT(DISTINCT username_key) FROM throttle_spray WHERE fingerprint = ? AND last_at > ?")
                            .params(fingerprint, windowStart)
                            .query(Long.class)
                            .single();
            return new Counts(usernames, accounts);
        });
        if (counts.usernamesFromIp() > settings.stuffingUsernames()) {
            block(source, SCOPE_STUFFING, usernameKey, now);
        }
        if (counts.accountsForPassword() > settings.sprayingAccounts()) {
            List<String> sources = store.jdbc()
                    .sql("SELECT DISTINCT ip FROM throttle_spray WHERE fingerprint = ? AND last_at > ? ORDER BY ip")
                    .params(fingerprint, windowStart)
                    .query(String.class)
                    .list();
            for (String s : sources) {
                block(s, SCOPE_SPRAYING, usernameKey, now);
            }
        }
        purgeOpportunistically(now);
    }

    /** Records a successful password check: the account's failure streak ends. The IP's state stays. */
    public void succeeded(String usernameKey, String ip) {
        store.jdbc()
                .sql("DELETE FROM throttle_account WHERE username_key = ?")
                .param(accountKey(usernameKey))
                .update();
    }

    // ---- administration --------------------------------------------------------------------

    /** Ends an account's delay and failure streak (admin action, audited). */
    public void clear(String usernameKey, String actor) {
        int rows = store.jdbc()
                .sql("DELETE FROM throttle_account WHERE username_key = ?")
                .param(accountKey(usernameKey))
                .update();
        audit.append(AuditEvent.of("auth.throttle_cleared", AuditEvent.SUCCESS)
                .actor(actor)
                .subject(usernameKey)
                .reason(SCOPE_ACCOUNT)
                .detail("had_state", Boolean.toString(rows > 0))
                .build());
    }

    /** Ends a source block and forgets what the IP did (admin action, audited). */
    public void clearIp(String ip, String actor) {
        String source = sourceKey(ip);
        int rows = store.inTransaction(() -> {
            int n = store.jdbc()
                    .sql("DELETE FROM throttle_block WHERE ip = ?")
                    .param(source)
                    .update();
            store.jdbc()
                    .sql("DELETE FROM throttle_ip_user WHERE ip = ?")
                    .param(source)
                    .update();
            store.jdbc()
                    .sql("DELETE FROM throttle_spray WHERE ip = ?")
                    .param(source)
                    .update();
            store.jdbc()
                    .sql("DELETE FROM throttle_bucket WHERE bucket_key = ?")
                    .param(bucketKey(source))
                    .update();
            return n;
        });
        audit.append(AuditEvent.of("auth.throttle_cleared", AuditEvent.SUCCESS)
                .actor(actor)
                .subject(ip)
                .reason(SCOPE_IP)
                .detail("had_state", Boolean.toString(rows > 0))
                .build());
    }

    /** The account's failure streak, if one is remembered. */
    public Optional<AccountState> account(String usernameKey) {
        long now = clock.millis();
        return store.jdbc()
                .sql("SELECT failures, delayed_until FROM throttle_account WHERE username_key = ?"
                        + " AND (updated_at >= ? OR delayed_until > ?)")
                .params(accountKey(usernameKey), now - settings.window().toMillis(), now)
                .query((rs, n) -> {
                    long until = rs.getLong("delayed_until");
                    return new AccountState(
                            rs.getInt("failures"),
                            until > now ? Optional.of(Instant.ofEpochMilli(until)) : Optional.empty());
                })
                .optional();
    }

    /** Source blocks in force, the longest-running first (at most 500). */
    public List<Block> activeBlocks() {
        return store.jdbc()
                .sql(
                        "SELECT ip, reason, until_at FROM throttle_block WHERE until_at > ? ORDER BY until_at DESC, ip LIMIT ?")
                .params(clock.millis(), MAX_BLOCKS_LISTED)
                .query((rs, n) -> new Block(
                        rs.getString("ip"), rs.getString("reason"), Instant.ofEpochMilli(rs.getLong("until_at"))))
                .list();
    }

    // ---- internals -------------------------------------------------------------------------

    /** The delay after the {@code failures}-th consecutive failure (zero while failures are free). */
    Duration delay(int failures) {
        int over = failures - settings.freeFailures();
        if (over <= 0) {
            return Duration.ZERO;
        }
        Duration max = settings.maxDelay();
        if (over > 40) {
            return max;
        }
        Duration d = settings.baseDelay().multipliedBy(1L << (over - 1));
        return d.compareTo(max) > 0 ? max : d;
    }

    private record Counts(long usernamesFromIp, long accountsForPassword) {}

    private Verdict sourceBlock(String source, long now) {
        return store.jdbc()
                .sql("SELECT reason, until_at FROM throttle_block WHERE ip = ? AND until_at > ?")
                .params(source, now)
                .query((rs, n) ->
                        Verdict.refused(rs.getString("reason"), Duration.ofMillis(rs.getLong("until_at") - now)))
                .optional()
                .orElse(Verdict.allowed());
    }

    /** Starts a block on {@code source} unless one is in force; audits a block that started. */
    private void block(String source, String reason, String usernameKey, long now) {
        long until = now + settings.sourceBlock().toMillis();
        int started = store.jdbc()
                .sql("INSERT INTO throttle_block (ip, reason, blocked_at, until_at) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (ip) DO UPDATE SET reason = excluded.reason, blocked_at = excluded.blocked_at,"
                        + " until_at = excluded.until_at WHERE throttle_block.until_at <= ?")
                .params(source, reason, now, until, now)
                .update();
        if (started == 1) {
            audit.append(AuditEvent.of("auth.throttle", AuditEvent.FAILURE)
                    .subject(usernameKey)
                    .client(source, null)
                    .reason(reason)
                    .detail(
                            "blocked_for_seconds",
                            Long.toString(settings.sourceBlock().toSeconds()))
                    .build());
        }
    }

    /** At most once a minute per node: deletes a bounded batch of rows past the window from each table. */
    private void purgeOpportunistically(long now) {
        long due = nextPurge.get();
        if (now < due || !nextPurge.compareAndSet(due, now + PURGE_EVERY_MILLIS)) {
            return;
        }
        try {
            purge(now);
        } catch (DataAccessException e) {
            log.warn(
                    "throttle state cleanup failed; it is retried in a minute: {}",
                    e.getMostSpecificCause().toString());
        }
    }

    /** Deletes up to a batch of stale rows from each throttle table; returns how many rows went. */
    int purge(long now) {
        long windowStart = now - settings.window().toMillis();
        int n = store.jdbc()
                .sql("DELETE FROM throttle_account WHERE username_key IN (SELECT username_key FROM throttle_account"
                        + " WHERE updated_at < ? AND delayed_until <= ? LIMIT ?)")
                .params(windowStart, now, PURGE_BATCH)
                .update();
        n += store.jdbc()
                .sql("DELETE FROM throttle_ip_user WHERE (ip, username_key) IN (SELECT ip, username_key"
                        + " FROM throttle_ip_user WHERE last_at <= ? LIMIT ?)")
                .params(windowStart, PURGE_BATCH)
                .update();
        n += store.jdbc()
                .sql("DELETE FROM throttle_spray WHERE (fingerprint, username_key, ip) IN (SELECT fingerprint,"
                        + " username_key, ip FROM throttle_spray WHERE last_at <= ? LIMIT ?)")
                .params(windowStart, PURGE_BATCH)
                .update();
        n += store.jdbc()
                .sql(
                        "DELETE FROM throttle_block WHERE ip IN (SELECT ip FROM throttle_block WHERE until_at <= ? LIMIT ?)")
                .params(now, PURGE_BATCH)
                .update();
        n += buckets.removeExpired(PURGE_BATCH);
        return n;
    }

    /** 32 bits of HMAC-SHA256 over the password's UTF-8 bytes, as 8 hex digits. */
    String fingerprint(CharSequence password) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(fingerprintKey, "HmacSHA256"));
            byte[] full = mac.doFinal(bytes);
            return Secure.hex(Arrays.copyOf(full, 4));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by Signet and missing from this JDK", e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The stored key: the username key itself, or a digest of an over-long one (no real username is that long). */
    static String accountKey(String usernameKey) {
        String k = usernameKey == null ? "" : usernameKey;
        return k.length() <= MAX_KEY_LENGTH ? k : "#" + Secure.sha256Hex(k);
    }

    static String sourceKey(String ip) {
        String s = ip == null || ip.isBlank() ? "unknown" : ip.strip();
        return s.length() <= MAX_IP_LENGTH ? s : "#" + Secure.sha256Hex(s).substring(0, MAX_IP_LENGTH - 1);
    }

    private static String bucketKey(String source) {
        return "ip:" + source;
    }

    private static long seconds(Duration d) {
        long ms = d.toMillis();
        return Math.max(1, (ms + 999) / 1000);
    }
}
