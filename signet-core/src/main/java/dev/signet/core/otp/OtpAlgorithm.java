package dev.signet.core.otp;

import java.util.Locale;
import java.util.Optional;

/**
 * The HMAC under a one-time password. RFC 4226 defines HOTP with HMAC-SHA-1; <a
 * href="https://www.rfc-editor.org/rfc/rfc6238#section-1.2">RFC 6238 section 1.2</a> adds
 * HMAC-SHA-256 and HMAC-SHA-512. Names follow the {@code algorithm} parameter of the <a
 * href="https://github.com/google/google-authenticator/wiki/Key-Uri-Format#algorithm">Key Uri
 * Format</a>.
 *
 * <p>HMAC-SHA-1 remains sound for HOTP (its security rests on HMAC as a PRF, not on SHA-1 collision
 * resistance) and is the only algorithm every authenticator app honours; many apps silently ignore
 * the {@code algorithm} parameter and compute SHA-1 codes, so offer the others only to devices known
 * to support them.
 */
public enum OtpAlgorithm {
    SHA1("HmacSHA1", "SHA1", 20),
    SHA256("HmacSHA256", "SHA256", 32),
    SHA512("HmacSHA512", "SHA512", 64);

    private final String jcaName;
    private final String uriName;
    private final int seedBytes;

    OtpAlgorithm(String jcaName, String uriName, int seedBytes) {
        this.jcaName = jcaName;
        this.uriName = uriName;
        this.seedBytes = seedBytes;
    }

    /** The JCA {@code Mac} algorithm name, such as {@code HmacSHA256}. */
    public String jcaName() {
        return jcaName;
    }

    /** The Key Uri Format name: {@code SHA1}, {@code SHA256} or {@code SHA512}. */
    public String uriName() {
        return uriName;
    }

    /**
     * The length of a newly generated seed in bytes: the hash's output length (20, 32 or 64), as the
     * RFC 6238 Appendix B test seeds use and RFC 4226 section 4 R6 recommends (160 bits for SHA-1).
     */
    public int seedBytes() {
        return seedBytes;
    }

    /** The algorithm whose {@link #uriName()} is {@code name}, ignoring case; empty for anything else. */
    public static Optional<OtpAlgorithm> fromUriName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String upper = name.toUpperCase(Locale.ROOT);
        for (OtpAlgorithm algorithm : values()) {
            if (algorithm.uriName.equals(upper)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }
}
