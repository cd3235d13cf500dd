package dev.signet.server.account;

import dev.signet.core.password.Argon2id;
import dev.signet.core.password.ImportedHashes;
import dev.signet.core.password.PasswordPolicy;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hashes and verifies account passwords. New hashes are Argon2id (RFC 9106) with the configured
 * parameters, over the NFKC form of the password (NIST SP 800-63B-4 section 3.1.1.2 asks verifiers
 * to normalise Unicode passwords). Hashes imported from other systems (bcrypt, PBKDF2-SHA256) are
 * verified as they are and reported as needing a re-hash, so they become Argon2id at the next
 * sign-in; so do Argon2id hashes made with other parameters.
 *
 * <p>{@link #verifications()} counts every verification, including the dummy one an unknown
 * username costs, so that tests can assert the work was done rather than time it.
 */
public final class PasswordHasher {
    /** Longer passwords are refused before hashing; well above the 64 NIST asks to allow. */
    public static final int MAX_LENGTH = 256;

    private static final java.util.regex.Pattern ARGON2_COSTS =
            java.util.regex.Pattern.compile("\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,3})\\$");

    private final Argon2id argon2id;
    /** Made at the first unknown-user sign-in, not at start-up (nor in every shell command). */
    private volatile String dummyHash;

    private final AtomicLong verifications = new AtomicLong();

    public PasswordHasher(Argon2id argon2id) {
        this.argon2id = argon2id;
    }

    public Argon2id.Params params() {
        return argon2id.params();
    }

    public static String normalize(CharSequence password) {
        return PasswordPolicy.normalize(password.toString());
    }

    public String hash(CharSequence password) {
        return argon2id.hash(normalize(password));
    }

    /** True when {@code password} matches {@code stored}; false for any unusable input, never throws. */
    public boolean verify(CharSequence password, String stored) {
        verifications.incrementAndGet();
        if (password == null || stored == null || password.length() > MAX_LENGTH * 2) {
            return false;
        }
        if (stored.startsWith("$argon2id$")) {
            return argon2id.verify(normalize(password), stored);
        }
        return ImportedHashes.verify(password, stored);
    }

    /**
     * Spends the same work as verifying a real account's password, so that an unknown username
     * cannot be told apart from a wrong password.
     */
    public void dummyVerify(CharSequence password) {
        String dummy = dummyHash;
        if (dummy == null) {
            dummy = hash("signet-dummy-password-for-unknown-users");
            dummyHash = dummy;
        }
        verify(password == null ? "" : password, dummy);
    }

    /**
     * Checks a hash imported from another system (Argon2id, bcrypt, PBKDF2-SHA256) and returns it.
     *
     * @throws AccountException {@code password_hash.unsupported} or {@code password_hash.malformed}
     */
    public static String validateImported(String hash) {
        String h = hash.strip();
        if (h.startsWith("$argon2id$")) {
            java.util.regex.Matcher m = ARGON2_COSTS.matcher(h);
            boolean ok;
            try {
                // Well-formed exactly when an instance with the hash's own costs would not re-hash it.
                ok = m.lookingAt()
                        && !new Argon2id(new Argon2id.Params(
                                        Integer.parseInt(m.group(1)),
                                        Integer.parseInt(m.group(2)),
                                        Integer.parseInt(m.group(3))))
                                .needsRehash(h);
            } catch (RuntimeException e) {
                ok = false;
            }
            if (!ok) {
                throw new AccountException(
                        "password_hash.malformed",
                        "that Argon2id hash is not well-formed or its costs are out of range");
            }
            return h;
        }
        try {
            ImportedHashes.validate(h);
        } catch (dev.signet.core.SignetException e) {
            throw new AccountException(e.code(), e.getMessage());
        }
        return h;
    }

    public boolean needsRehash(String stored) {
        return stored == null || !stored.startsWith("$argon2id$") || argon2id.needsRehash(stored);
    }

    public long verifications() {
        return verifications.get();
    }
}
