package dev.signet.server.factor;

import dev.signet.core.otp.RecoveryCodes;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.mail.Mailer;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery codes: ten single-use codes of 60 bits each from {@code SecureRandom}, shown once when
 * made, kept as HMAC-SHA-256 under a server secret sealed by the master key (a copy of the database
 * alone cannot test guesses), over the user's id and the code. Making a new set voids the old one. A code is accepted once: using it
 * is the conditional update {@code SET used_at = :now WHERE ... AND used_at IS NULL}, which exactly
 * one of concurrent requests wins. Each use is audited and mailed to the user.
 */
public final class RecoveryCodeService {
    private static final Logger log = LoggerFactory.getLogger(RecoveryCodeService.class);
    static final String KEY_NAME = "recovery-code-key";

    /** The outcome of a recovery code. */
    public enum Check {
        ACCEPTED,
        INVALID,
        REPLAYED,
        MALFORMED
    }

    private final Store store;
    private final KeyRing keyRing;
    private final AuditLog audit;
    private final Mailer mailer;
    private final Clock clock;
    private volatile byte[] key;

    public RecoveryCodeService(Store store, KeyRing keyRing, AuditLog audit, Mailer mailer, Clock clock) {
        this.store = store;
        this.keyRing = keyRing;
        this.audit = audit;
        this.mailer = mailer;
        this.clock = clock;
    }

    /** A new set of codes for the user, voiding the old one. The codes are returned once, never stored. */
    public List<String> regenerate(User user, String actor) {
        List<String> codes = RecoveryCodes.generate();
        long now = clock.millis();
        store.inTransaction(() -> {
            store.jdbc()
                    .sql("DELETE FROM recovery_code WHERE user_id = ?")
                    .param(user.id())
                    .update();
            for (String code : codes) {
                store.jdbc()
                        .sql("INSERT INTO recovery_code (user_id, code_hash, created_at) VALUES (?, ?, ?)")
                        .params(user.id(), hash(user, code), now)
                        .update();
            }
            audit.append(AuditEvent.of("account.recovery_codes_generated", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(user.username())
                    .detail("count", Integer.toString(codes.size()))
                    .build());
        });
        return codes;
    }

    /** How many unused codes the user has. */
    public int remaining(String userId) {
        return store.jdbc()
                .sql("SELECT COUNT(*) FROM recovery_code WHERE user_id = ? AND used_at IS NULL")
                .param(userId)
                .query(Integer.class)
                .single();
    }

    /** Whether the user has a set at all (used or not). */
    public boolean generated(String userId) {
        return store.jdbc()
                        .sql("SELECT COUNT(*) FROM recovery_code WHERE user_id = ?")
                        .param(userId)
                        .query(Integer.class)
                        .single()
                > 0;
    }

    /**
     * Uses a code: accepted once, then audited and mailed. The caller throttles before and records a
     * refusal after.
     */
    public Check use(User user, String typed) {
        Optional<String> canonical = RecoveryCodes.normalize(typed);
        if (canonical.isEmpty()) {
            return Check.MALFORMED;
        }
        String hash = hash(user, canonical.get());
        long now = clock.millis();
        Integer left = store.inTransaction(() -> {
            int rows = store.jdbc()
                    .sql("UPDATE recovery_code SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL")
                    .params(now, user.id(), hash)
                    .update();
            if (rows != 1) {
                return null;
            }
            int remaining = remaining(user.id());
            audit.append(AuditEvent.of("account.recovery_code_used", AuditEvent.SUCCESS)
                    .actor(user.username())
                    .subject(user.username())
                    .detail("remaining", Integer.toString(remaining))
                    .build());
            return remaining;
        });
        if (left == null) {
            boolean used = store.jdbc()
                            .sql("SELECT COUNT(*) FROM recovery_code WHERE user_id = ? AND code_hash = ?")
                            .params(user.id(), hash)
                            .query(Integer.class)
                            .single()
                    > 0;
            return used ? Check.REPLAYED : Check.INVALID;
        }
        notify(user, left, Instant.ofEpochMilli(now));
        return Check.ACCEPTED;
    }

    /** Deletes the user's codes (the account is being deleted). */
    public void deleteAll(String userId) {
        store.jdbc()
                .sql("DELETE FROM recovery_code WHERE user_id = ?")
                .param(userId)
                .update();
    }

    private void notify(User user, int left, Instant at) {
        if (!mailer.enabled() || user.email() == null || user.email().isBlank()) {
            return;
        }
        String text = "A recovery code was used to sign in to your Signet account " + user.username() + " at "
                + DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(at.atOffset(ZoneOffset.UTC)) + " UTC.\n\n"
                + left + (left == 1 ? " recovery code is" : " recovery codes are") + " left.\n\n"
                + "If this was not you, change your password and make new recovery codes now,"
                + " and tell your administrator.\n";
        Thread.ofVirtual().name("recovery-code-mail").start(() -> {
            try {
                mailer.send(user.email(), "A recovery code was used on your Signet account", text);
            } catch (RuntimeException e) {
                log.warn("could not mail the recovery code notice to user {}: {}", user.id(), e.getMessage());
            }
        });
    }

    /**
     * The stored form: HMAC-SHA-256 of the code under a per-user key (itself an HMAC of the user's id
     * under the server secret), so a guess tested against one account's codes says nothing about
     * another's.
     */
    private String hash(User user, String canonicalCode) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(), "HmacSHA256"));
            byte[] userKey = mac.doFinal(("recovery-code/" + user.id()).getBytes(StandardCharsets.UTF_8));
            return RecoveryCodes.hash(userKey, canonicalCode);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }

    private byte[] key() {
        byte[] k = key;
        if (k == null) {
            k = keyRing.serverSecret(KEY_NAME);
            key = k;
        }
        return k;
    }
}
