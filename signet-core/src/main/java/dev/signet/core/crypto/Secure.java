package dev.signet.core.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The one place for security-sensitive helpers: randomness, constant-time comparison and digests.
 *
 * <p>All randomness comes from one {@link SecureRandom} (the platform's non-blocking default,
 * {@code NativePRNG} on Linux). Comparisons of secrets go through {@link #constantTimeEquals}, which
 * is {@link MessageDigest#isEqual}: its running time does not depend on where inputs differ.
 */
public final class Secure {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private Secure() {}

    /** {@code n} bytes from the shared {@link SecureRandom}. */
    public static byte[] randomBytes(int n) {
        byte[] out = new byte[n];
        RANDOM.nextBytes(out);
        return out;
    }

    /** The shared generator, for APIs that take a {@link SecureRandom}. */
    public static SecureRandom random() {
        return RANDOM;
    }

    /** A URL-safe, unpadded base64 token carrying {@code bytes} random bytes. */
    public static String randomToken(int bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
    }

    /** Constant-time equality; {@code null} equals nothing. */
    public static boolean constantTimeEquals(byte[] a, byte[] b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a, b);
    }

    /** SHA-256 of {@code data}. */
    public static byte[] sha256(byte[] data) {
        return digest("SHA-256").digest(data);
    }

    /** Lower-case hex of SHA-256 over the UTF-8 bytes of {@code s}; used to store tokens hashed. */
    public static String sha256Hex(String s) {
        return HEX.formatHex(sha256(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    public static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required by Signet and missing from this JDK", e);
        }
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    public static byte[] unhex(String hex) {
        return HEX.parseHex(hex);
    }
}
