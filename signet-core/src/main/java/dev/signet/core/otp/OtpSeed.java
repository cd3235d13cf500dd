package dev.signet.core.otp;

import dev.signet.core.crypto.Secure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.util.encoders.Base32;
import org.bouncycastle.util.encoders.DecoderException;

/**
 * The shared secret of a one-time-password credential (RFC 4226's "K"), with its base32 form for
 * authenticator apps (<a href="https://www.rfc-editor.org/rfc/rfc4648#section-6">RFC 4648 section
 * 6</a>, unpadded and upper-case as the <a
 * href="https://github.com/google/google-authenticator/wiki/Key-Uri-Format#secret">Key Uri
 * Format</a> asks).
 *
 * <p>Length: at least {@value #MIN_BYTES} bytes, as <a
 * href="https://www.rfc-editor.org/rfc/rfc4226#section-4">RFC 4226 section 4</a> R6 requires (128
 * bits); {@link #generate} makes {@link OtpAlgorithm#seedBytes()} bytes, at least 160 bits as R6
 * recommends. The bytes are copied in and out; {@link #toString()} never shows them; {@link
 * #equals} compares in constant time.
 */
public final class OtpSeed {
    /** RFC 4226 section 4 R6: the shared secret MUST be at least 128 bits. */
    public static final int MIN_BYTES = 16;

    /** Longest seed accepted (2048 bits), so hostile input cannot be arbitrarily large. */
    public static final int MAX_BYTES = 256;

    private final byte[] bytes;

    private OtpSeed(byte[] bytes) {
        if (bytes.length < MIN_BYTES || bytes.length > MAX_BYTES) {
            throw new OtpException(
                    OtpException.SEED_LENGTH,
                    "an OTP seed has " + MIN_BYTES + " to " + MAX_BYTES + " bytes, not " + bytes.length);
        }
        this.bytes = bytes;
    }

    /** A new random seed of {@code algorithm.seedBytes()} bytes from Signet's shared {@link SecureRandom}. */
    public static OtpSeed generate(OtpAlgorithm algorithm) {
        return generate(algorithm, Secure.random());
    }

    /** A new random seed of {@code algorithm.seedBytes()} bytes from {@code random}. */
    public static OtpSeed generate(OtpAlgorithm algorithm, SecureRandom random) {
        byte[] out = new byte[algorithm.seedBytes()];
        random.nextBytes(out);
        return new OtpSeed(out);
    }

    /**
     * A seed holding a copy of {@code bytes}.
     *
     * @throws OtpException {@link OtpException#SEED_LENGTH} outside {@value #MIN_BYTES} to {@value #MAX_BYTES} bytes
     */
    public static OtpSeed of(byte[] bytes) {
        return new OtpSeed(bytes.clone());
    }

    /**
     * Decodes base32 as people and apps write it: case, spaces and {@code =} padding do not matter.
     *
     * @throws OtpException {@link OtpException#SEED_MALFORMED} if it is not base32, {@link
     *     OtpException#SEED_LENGTH} if it decodes to too few or too many bytes
     */
    public static OtpSeed fromBase32(String text) {
        if (text == null) {
            throw malformed("no seed");
        }
        if (text.length() > 2 * 8 * MAX_BYTES / 5 + 64) {
            throw new OtpException(OtpException.SEED_LENGTH, "the seed is longer than " + MAX_BYTES + " bytes");
        }
        StringBuilder clean = new StringBuilder(text.length() + 8);
        int padding = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                continue;
            }
            if (c == '=') {
                padding++;
                continue;
            }
            if (padding > 0) {
                throw malformed("'=' padding may only end base32 text");
            }
            char upper = c >= 'a' && c <= 'z' ? (char) (c - ('a' - 'A')) : c;
            if (!(upper >= 'A' && upper <= 'Z' || upper >= '2' && upper <= '7')) {
                throw malformed("base32 uses A-Z and 2-7 only");
            }
            clean.append(upper);
        }
        // RFC 4648 section 6: a final quantum has 8, 7, 5, 4 or 2 characters.
        int tail = clean.length() % 8;
        if (tail == 1 || tail == 3 || tail == 6) {
            throw malformed("base32 text cannot have " + clean.length() + " characters");
        }
        if (padding > 0 && padding != (8 - tail) % 8) {
            throw malformed("wrong base32 padding");
        }
        while (clean.length() % 8 != 0) {
            clean.append('=');
        }
        try {
            return new OtpSeed(Base32.decode(clean.toString().getBytes(StandardCharsets.US_ASCII)));
        } catch (DecoderException e) {
            throw malformed("not base32");
        }
    }

    private static OtpException malformed(String why) {
        return new OtpException(OtpException.SEED_MALFORMED, "the OTP seed is malformed: " + why);
    }

    /** A copy of the seed's bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Length in bytes. */
    public int length() {
        return bytes.length;
    }

    /** Upper-case base32 without padding, as the Key Uri Format's {@code secret} parameter. */
    public String base32() {
        String padded = Base32.toBase32String(bytes);
        int end = padded.length();
        while (end > 0 && padded.charAt(end - 1) == '=') {
            end--;
        }
        return padded.substring(0, end);
    }

    /** The seed as an HMAC key for {@code algorithm}. */
    SecretKeySpec key(OtpAlgorithm algorithm) {
        return new SecretKeySpec(bytes, algorithm.jcaName());
    }

    /** Same bytes, compared in constant time. */
    @Override
    public boolean equals(Object other) {
        return other instanceof OtpSeed that && MessageDigest.isEqual(bytes, that.bytes);
    }

    /** Depends on the length only, never on the secret. */
    @Override
    public int hashCode() {
        return Integer.hashCode(bytes.length);
    }

    /** {@code OtpSeed[20 bytes]}: never the secret. */
    @Override
    public String toString() {
        return "OtpSeed[" + bytes.length + " bytes]";
    }
}
