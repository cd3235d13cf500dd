package dev.signet.core.otp;

import java.util.Locale;
import java.util.Optional;

/**
 * The two kinds of one-time password, named as in the {@code otpauth://TYPE/} part of the <a
 * href="https://github.com/google/google-authenticator/wiki/Key-Uri-Format#types">Key Uri Format</a>.
 */
public enum OtpType {
    /** Time-based, <a href="https://www.rfc-editor.org/rfc/rfc6238">RFC 6238</a>: HOTP over the time step. */
    TOTP("totp"),
    /** Counter-based, <a href="https://www.rfc-editor.org/rfc/rfc4226">RFC 4226</a>. */
    HOTP("hotp");

    private final String uriName;

    OtpType(String uriName) {
        this.uriName = uriName;
    }

    /** {@code totp} or {@code hotp}. */
    public String uriName() {
        return uriName;
    }

    /** The type whose {@link #uriName()} is {@code name}, ignoring case; empty for anything else. */
    public static Optional<OtpType> fromUriName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String lower = name.toLowerCase(Locale.ROOT);
        for (OtpType type : values()) {
            if (type.uriName.equals(lower)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
