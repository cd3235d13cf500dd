package dev.signet.core.otp;

import dev.signet.core.crypto.Secure;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Single-use recovery codes, the fallback when a user's authenticator is lost: "look-up secrets" in
 * <a href="https://pages.nist.gov/800-63-3/sp800-63b.html#lookupsecrets">NIST SP 800-63B section
 * 5.1.2</a>.
 *
 * <p>A code is {@value #SYMBOLS} random symbols of <a href="https://www.crockford.com/base32.html">Crockford's
 * base32</a> alphabet ({@value #ALPHABET}: no i, l, o or u), 60 bits, shown lower-case in groups of
 * four: {@code 7k2q-9fzm-c0xe}. Below 64 bits SP 800-63B requires the verifier to rate-limit failed
 * attempts on the account (section 5.1.2.2): that is the caller's job.
 *
 * <p>Storage: the server keeps {@link #hash} of each canonical code, an HMAC-SHA-256 (RFC 2104)
 * under a server key kept apart from the database, never the code. To redeem: {@link #normalize}
 * what the user typed, hash it, look the hash up among that user's unused ones, and mark it used
 * in the same transaction so that it works once. Note that section 5.1.2.2 asks for a salted
 * password hash for look-up secrets under 112 bits; the keyed hash instead makes the stored values
 * useless without the key, but whoever holds both the key and the database can test one guess
 * against every stored code at once.
 */
public final class RecoveryCodes {
    /** Crockford base32 in lower case: digits and letters without i, l, o and u. */
    public static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

    /** Symbols per code: 12 × 5 = 60 bits. */
    public static final int SYMBOLS = 12;

    /** Codes per set. */
    public static final int COUNT = 10;

    /** Shortest HMAC key accepted by {@link #hash}, in bytes. */
    public static final int MIN_KEY_BYTES = 32;

    private static final int GROUP = 4;
    private static final int MAX_TYPED_LENGTH = 64;

    private RecoveryCodes() {}

    /** {@value #COUNT} distinct new codes from Signet's shared {@link SecureRandom}. */
    public static List<String> generate() {
        return generate(COUNT, Secure.random());
    }

    /** {@code count} distinct new codes in canonical form ({@code xxxx-xxxx-xxxx}) from {@code random}. */
    public static List<String> generate(int count, SecureRandom random) {
        if (count < 1 || count > 100) {
            throw new IllegalArgumentException("1 to 100 recovery codes, not " + count);
        }
        Objects.requireNonNull(random, "random");
        Set<String> codes = new LinkedHashSet<>();
        while (codes.size() < count) {
            char[] symbols = new char[SYMBOLS];
            for (int i = 0; i < SYMBOLS; i++) {
                symbols[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            }
            codes.add(format(symbols));
        }
        return List.copyOf(codes);
    }

    /**
     * The canonical form of a code as a person typed it: case, spaces and hyphens do not matter, and
     * Crockford's look-alikes are read as meant (o as 0, i and l as 1).
     *
     * @return {@code xxxx-xxxx-xxxx}, or empty if it is not {@value #SYMBOLS} symbols of the alphabet
     */
    public static Optional<String> normalize(String typed) {
        if (typed == null || typed.length() > MAX_TYPED_LENGTH) {
            return Optional.empty();
        }
        char[] symbols = new char[SYMBOLS];
        int n = 0;
        for (int i = 0; i < typed.length(); i++) {
            char c = typed.charAt(i);
            if (c == ' ' || c == '-' || c == '\t') {
                continue;
            }
            // ASCII-only case folding: no locale, and no other script's letters become ASCII
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            c = switch (c) {
                case 'o' -> '0';
                case 'i', 'l' -> '1';
                default -> c;
            };
            if (ALPHABET.indexOf(c) < 0 || n == SYMBOLS) {
                return Optional.empty();
            }
            symbols[n++] = c;
        }
        return n == SYMBOLS ? Optional.of(format(symbols)) : Optional.empty();
    }

    /**
     * HMAC-SHA-256 of the canonical code's ASCII bytes under {@code key}, as lower-case hex: what the
     * server stores and looks up. Use a key for this purpose only.
     *
     * @throws IllegalArgumentException if the key is shorter than {@value #MIN_KEY_BYTES} bytes or
     *     the code is not canonical (pass it through {@link #normalize} first)
     */
    public static String hash(byte[] key, String canonicalCode) {
        Objects.requireNonNull(key, "key");
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a recovery-code key has at least " + MIN_KEY_BYTES + " bytes");
        }
        if (canonicalCode == null || !normalize(canonicalCode).equals(Optional.of(canonicalCode))) {
            throw new IllegalArgumentException("not a canonical recovery code; normalize it first");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Secure.hex(mac.doFinal(canonicalCode.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required by Signet and unusable in this JDK", e);
        }
    }

    private static String format(char[] symbols) {
        StringBuilder out = new StringBuilder(SYMBOLS + SYMBOLS / GROUP);
        for (int i = 0; i < SYMBOLS; i++) {
            if (i > 0 && i % GROUP == 0) {
                out.append('-');
            }
            out.append(symbols[i]);
        }
        return out.toString();
    }
}
