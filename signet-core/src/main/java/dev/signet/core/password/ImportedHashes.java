package dev.signet.core.password;

import dev.signet.core.SignetException;
import dev.signet.core.crypto.Secure;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Verifies password hashes imported from other systems, so that a user's password can be checked once
 * at the next sign-in and then rehashed with {@link Argon2id}. Signet never creates these formats.
 *
 * <p>Supported, with the primitives of Bouncy Castle:
 *
 * <ul>
 *   <li><b>bcrypt</b> ({@value #BCRYPT}): {@code $2a$}, {@code $2b$} and {@code $2y$} strings of 60
 *       characters with a cost of {@value #MIN_BCRYPT_COST} to {@value #MAX_BCRYPT_COST}, checked with
 *       {@link OpenBSDBCrypt}. As every bcrypt implementation does, only the first 72 bytes of the UTF-8
 *       password count: longer passwords are truncated to 72 bytes, so they verify against hashes made by
 *       OpenBSD, PHP, Python's bcrypt or htpasswd from the same password. ({@code $2x$} and the original
 *       {@code $2$} are refused: they mark hashes made by implementations with known bugs.)
 *   <li><b>PBKDF2-HMAC-SHA256</b> ({@value #PBKDF2_SHA256}) with {@link PKCS5S2ParametersGenerator}, in
 *       four encodings:
 *       <ul>
 *         <li>passlib: {@code $pbkdf2-sha256$<rounds>$<salt>$<checksum>}, salt and checksum in passlib's
 *             adapted base64 (standard alphabet with {@code .} for {@code +}, no padding);
 *         <li>PHC string format: {@code $pbkdf2-sha256$i=<rounds>[,l=<length>]$<salt>$<hash>}, unpadded
 *             standard base64;
 *         <li>Django: {@code pbkdf2_sha256$<iterations>$<salt>$<hash>}, the salt used as its UTF-8 text,
 *             the hash in padded standard base64;
 *         <li>Werkzeug: {@code pbkdf2:sha256:<iterations>$<salt>$<hash>}, the salt used as its UTF-8
 *             text, the hash in hex.
 *       </ul>
 *       Iterations {@value #MIN_PBKDF2_ITERATIONS} to {@value #MAX_PBKDF2_ITERATIONS}, salts of 1 to
 *       {@value #MAX_SALT_BYTES} bytes, derived keys of {@value #MIN_KEY_BYTES} to {@value #MAX_KEY_BYTES}
 *       bytes in PHC strings and of exactly 32 bytes in the other three encodings (the only length their
 *       libraries write or accept: a truncated hash would otherwise still verify, as PBKDF2's shorter
 *       output is a prefix of its longer one).
 * </ul>
 *
 * <p>The upper bounds are a denial-of-service guard: a hostile imported string cannot make one sign-in
 * cost minutes. Encodings must be canonical (what the producing library writes), so a string that was
 * damaged in transit is reported as malformed instead of silently never matching.
 *
 * <p>Passwords are verified as typed, not {@linkplain PasswordPolicy#normalize normalized}: the other
 * system hashed the raw UTF-8 bytes. After a successful {@link #verify}, store the Argon2id hash of the
 * normalized password.
 *
 * <p>Comparisons are constant-time ({@link Secure#constantTimeEquals} for PBKDF2; Bouncy Castle's
 * {@code checkPassword} compares bcrypt strings in constant time). No exception message contains a
 * password or any part of a hash.
 */
public final class ImportedHashes {
    /** {@link #scheme} of bcrypt hashes. */
    public static final String BCRYPT = "bcrypt";
    /** {@link #scheme} of PBKDF2-HMAC-SHA256 hashes, whatever their encoding. */
    public static final String PBKDF2_SHA256 = "pbkdf2-sha256";

    /** The string is not in any format listed above. */
    public static final String UNSUPPORTED = "password_hash.unsupported";
    /** The string starts like a supported format but is broken or its parameters are out of range. */
    public static final String MALFORMED = "password_hash.malformed";

    public static final int MIN_BCRYPT_COST = 4;
    public static final int MAX_BCRYPT_COST = 16;
    public static final int MIN_PBKDF2_ITERATIONS = 1;
    public static final int MAX_PBKDF2_ITERATIONS = 5_000_000;
    public static final int MIN_KEY_BYTES = 16;
    public static final int MAX_KEY_BYTES = 64;
    public static final int MAX_SALT_BYTES = 1024;

    private static final int SHA256_BYTES = 32;

    /** Longer than any valid string in these formats (a 1024-byte salt and a 64-byte key in hex fit). */
    private static final int MAX_ENCODED_CHARS = 4096;

    private static final String SUPPORTED = "Signet can import bcrypt ($2a$, $2b$, $2y$) and PBKDF2-SHA256 hashes"
            + " (passlib $pbkdf2-sha256$, PHC $pbkdf2-sha256$i=..., Django pbkdf2_sha256$, Werkzeug pbkdf2:sha256:).";

    private static final Pattern BCRYPT_STRING =
            Pattern.compile("\\$(2[aby])\\$([0-9]{2})\\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})");
    private static final Pattern PHC_PARAMS = Pattern.compile("i=([0-9]{1,10})(?:,l=([0-9]{1,4}))?");
    private static final Pattern COUNT = Pattern.compile("[1-9][0-9]{0,9}");
    private static final Pattern HEX = Pattern.compile("(?:[0-9a-f]{2})+|(?:[0-9A-F]{2})+");
    /** bcrypt's base64 alphabet, in value order. */
    private static final String BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Encoder B64_UNPADDED = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private ImportedHashes() {}

    /** True when {@code encoded} is a well-formed hash in a supported format: {@link #validate} accepts it. */
    public static boolean recognises(String encoded) {
        try {
            parse(encoded);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * {@value #BCRYPT} or {@value #PBKDF2_SHA256}.
     *
     * @throws SignetException as {@link #validate} does
     */
    public static String scheme(String encoded) {
        return parse(encoded).scheme();
    }

    /**
     * Checks that {@code encoded} can be verified, as when an administrator imports it.
     *
     * @throws SignetException {@value #UNSUPPORTED} when the format is not one listed in the class
     *     comment, {@value #MALFORMED} when it is but the string is broken or out of range; the message
     *     says what is wrong without repeating the hash
     */
    public static void validate(String encoded) {
        parse(encoded);
    }

    /**
     * True when {@code password} (as typed, not normalized) matches {@code encoded}. False for a wrong
     * password and for anything {@link #validate} would refuse; never throws.
     */
    public static boolean verify(CharSequence password, String encoded) {
        if (password == null) {
            return false;
        }
        try {
            return parse(encoded).matches(password);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private sealed interface Parsed permits Bcrypt, Pbkdf2 {
        String scheme();

        boolean matches(CharSequence password);
    }

    private record Bcrypt(String encoded) implements Parsed {
        @Override
        public String scheme() {
            return BCRYPT;
        }

        @Override
        public boolean matches(CharSequence password) {
            byte[] bytes = utf8(password);
            try {
                // Bouncy Castle uses at most the first 72 bytes, like OpenBSD's bcrypt
                return OpenBSDBCrypt.checkPassword(encoded, bytes);
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    private record Pbkdf2(byte[] salt, int iterations, byte[] hash) implements Parsed {
        @Override
        public String scheme() {
            return PBKDF2_SHA256;
        }

        @Override
        public boolean matches(CharSequence password) {
            byte[] bytes = utf8(password);
            try {
                PKCS5S2ParametersGenerator generator = new PKCS5S2ParametersGenerator(new SHA256Digest());
                generator.init(bytes, salt, iterations);
                byte[] candidate = ((KeyParameter) generator.generateDerivedParameters(hash.length * 8)).getKey();
                boolean equal = Secure.constantTimeEquals(candidate, hash);
                Arrays.fill(candidate, (byte) 0);
                return equal;
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    private static Parsed parse(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            throw unsupported("No password hash was given. " + SUPPORTED);
        }
        Parsed parsed;
        if (encoded.startsWith("$2a$") || encoded.startsWith("$2b$") || encoded.startsWith("$2y$")) {
            checkLength(encoded);
            parsed = bcrypt(encoded);
        } else if (encoded.startsWith("$2")) {
            throw unsupported("This bcrypt variant is not supported: only $2a$, $2b$ and $2y$ are.");
        } else if (encoded.startsWith("$pbkdf2-sha256$")) {
            checkLength(encoded);
            parsed = dollarPbkdf2(encoded);
        } else if (encoded.startsWith("pbkdf2_sha256$")) {
            checkLength(encoded);
            parsed = django(encoded);
        } else if (encoded.startsWith("pbkdf2:sha256:") || encoded.startsWith("pbkdf2:sha256$")) {
            checkLength(encoded);
            parsed = werkzeug(encoded);
        } else if (encoded.startsWith("$pbkdf2") || encoded.startsWith("pbkdf2_") || encoded.startsWith("pbkdf2:")) {
            throw unsupported("Only PBKDF2 with HMAC-SHA256 is supported, not other digests. " + SUPPORTED);
        } else {
            throw unsupported("The password hash is in a format Signet does not recognise. " + SUPPORTED);
        }
        return parsed;
    }

    private static void checkLength(String encoded) {
        if (encoded.length() > MAX_ENCODED_CHARS) {
            throw malformed("The password hash is longer than any valid hash in its format.");
        }
    }

    /** {@code $2b$<cost>$<22 salt chars><31 hash chars>}. */
    private static Parsed bcrypt(String encoded) {
        Matcher m = BCRYPT_STRING.matcher(encoded);
        if (!m.matches()) {
            throw malformed("A bcrypt hash has 60 characters: $2b$, a two-digit cost, $, then 53 characters of"
                    + " bcrypt's base64 (22 for the salt, 31 for the hash).");
        }
        int cost = Integer.parseInt(m.group(2));
        if (cost < MIN_BCRYPT_COST || cost > MAX_BCRYPT_COST) {
            throw malformed("The bcrypt cost must be between " + MIN_BCRYPT_COST + " and " + MAX_BCRYPT_COST + ".");
        }
        // 16 salt bytes leave 4 unused bits in the last of 22 characters, 23 hash bytes 2 in the last of 31
        if (BCRYPT_ALPHABET.indexOf(m.group(3).charAt(21)) % 16 != 0
                || BCRYPT_ALPHABET.indexOf(m.group(4).charAt(30)) % 4 != 0) {
            throw malformed("The bcrypt salt or hash is not canonically encoded.");
        }
        return new Bcrypt(encoded);
    }

    /**
     * passlib {@code $pbkdf2-sha256$<rounds>$<salt>$<checksum>} or PHC {@code
     * $pbkdf2-sha256$i=<n>[,l=<n>]$<salt>$<hash>}.
     */
    private static Parsed dollarPbkdf2(String encoded) {
        String[] parts = encoded.split("\\$", -1);
        // "", "pbkdf2-sha256", params, salt, hash
        if (parts.length != 5) {
            throw malformed("A $pbkdf2-sha256$ hash has four $-separated fields: scheme, rounds, salt and hash.");
        }
        if (parts[2].startsWith("i=")) {
            Matcher params = PHC_PARAMS.matcher(parts[2]);
            if (!params.matches()) {
                throw malformed("The PHC parameters must be i=<iterations> with an optional ,l=<key length>.");
            }
            int iterations = iterations(params.group(1));
            byte[] salt = salt(base64(parts[3], B64_UNPADDED, "salt"));
            byte[] hash = key(base64(parts[4], B64_UNPADDED, "hash"));
            if (params.group(2) != null && Integer.parseInt(params.group(2)) != hash.length) {
                throw malformed("The PHC parameter l= does not match the length of the hash.");
            }
            return new Pbkdf2(salt, iterations, hash);
        }
        int iterations = iterations(parts[2]);
        byte[] salt = salt(adaptedBase64(parts[3], "salt"));
        byte[] hash = fixedKey(adaptedBase64(parts[4], "checksum"), "passlib");
        return new Pbkdf2(salt, iterations, hash);
    }

    /** {@code pbkdf2_sha256$<iterations>$<salt>$<hash>}. */
    private static Parsed django(String encoded) {
        String[] parts = encoded.split("\\$", -1);
        if (parts.length != 4) {
            throw malformed("A Django pbkdf2_sha256$ hash has four $-separated fields: algorithm, iterations,"
                    + " salt and hash.");
        }
        int iterations = iterations(parts[1]);
        byte[] salt = salt(parts[2].getBytes(StandardCharsets.UTF_8));
        byte[] hash = fixedKey(base64(parts[3], B64, "hash"), "Django");
        return new Pbkdf2(salt, iterations, hash);
    }

    /** {@code pbkdf2:sha256:<iterations>$<salt>$<hex hash>}. */
    private static Parsed werkzeug(String encoded) {
        String[] parts = encoded.split("\\$", -1);
        if (parts.length != 3 || !parts[0].startsWith("pbkdf2:sha256:")) {
            throw malformed("A Werkzeug hash has three $-separated fields: pbkdf2:sha256:<iterations>, salt"
                    + " and hash (the iteration count is required).");
        }
        int iterations = iterations(parts[0].substring("pbkdf2:sha256:".length()));
        byte[] salt = salt(parts[1].getBytes(StandardCharsets.UTF_8));
        if (!HEX.matcher(parts[2]).matches()) {
            throw malformed("The Werkzeug hash must be hexadecimal.");
        }
        byte[] hash = fixedKey(HexFormat.of().parseHex(parts[2]), "Werkzeug");
        return new Pbkdf2(salt, iterations, hash);
    }

    private static int iterations(String text) {
        if (!COUNT.matcher(text).matches()) {
            throw malformed("The PBKDF2 iteration count must be a whole number between " + MIN_PBKDF2_ITERATIONS
                    + " and " + MAX_PBKDF2_ITERATIONS + ".");
        }
        long iterations = Long.parseLong(text);
        if (iterations < MIN_PBKDF2_ITERATIONS || iterations > MAX_PBKDF2_ITERATIONS) {
            throw malformed("The PBKDF2 iteration count must be between " + MIN_PBKDF2_ITERATIONS + " and "
                    + MAX_PBKDF2_ITERATIONS + ".");
        }
        return (int) iterations;
    }

    private static byte[] salt(byte[] salt) {
        if (salt.length < 1 || salt.length > MAX_SALT_BYTES) {
            throw malformed("The PBKDF2 salt must be between 1 and " + MAX_SALT_BYTES + " bytes.");
        }
        return salt;
    }

    /**
     * passlib, Django and Werkzeug always write (and, verifying, expect) the 32 bytes of one SHA-256
     * block. A shorter hash would verify here, as PBKDF2's output for a shorter length is a prefix of the
     * longer one, but not in the library that wrote it, so it is refused as damaged.
     */
    private static byte[] fixedKey(byte[] key, String library) {
        if (key.length != SHA256_BYTES) {
            throw malformed("A " + library + " PBKDF2-SHA256 hash must be " + SHA256_BYTES + " bytes.");
        }
        return key;
    }

    private static byte[] key(byte[] key) {
        if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
            throw malformed("The PBKDF2 hash must be between " + MIN_KEY_BYTES + " and " + MAX_KEY_BYTES + " bytes.");
        }
        return key;
    }

    /** Base64 that must re-encode to exactly {@code text} with {@code canonical}. */
    private static byte[] base64(String text, Base64.Encoder canonical, String field) {
        byte[] bytes;
        try {
            bytes = B64D.decode(text);
        } catch (IllegalArgumentException e) {
            throw malformed("The " + field + " is not valid base64.");
        }
        if (!canonical.encodeToString(bytes).equals(text)) {
            throw malformed("The " + field + " is not canonically encoded base64.");
        }
        return bytes;
    }

    /** passlib's adapted base64: the standard alphabet with '.' for '+', no padding. */
    private static byte[] adaptedBase64(String text, String field) {
        if (text.indexOf('+') >= 0) {
            throw malformed("The " + field + " is not valid passlib base64 ('.' stands for '+').");
        }
        return base64(text.replace('.', '+'), B64_UNPADDED, field);
    }

    private static byte[] utf8(CharSequence password) {
        return password.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static SignetException unsupported(String message) {
        return new SignetException(UNSUPPORTED, message);
    }

    private static SignetException malformed(String message) {
        return new SignetException(MALFORMED, message);
    }
}
