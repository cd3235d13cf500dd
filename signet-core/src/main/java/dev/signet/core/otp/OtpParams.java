package dev.signet.core.otp;

import java.util.Objects;

/**
 * How one-time codes for one credential are computed: {@link OtpType type}, {@link OtpAlgorithm
 * HMAC}, number of digits and, for TOTP, the time step (RFC 6238 section 4.1, "X").
 *
 * <p>Digits are 6 or 8: RFC 4226 section 5.3 requires at least 6, and the <a
 * href="https://github.com/google/google-authenticator/wiki/Key-Uri-Format#digits">Key Uri Format</a>
 * allows 6 or 8. For HOTP the period has no meaning; it is always stored as {@value
 * #DEFAULT_PERIOD_SECONDS} so that equal parameters are equal records.
 *
 * @param type TOTP or HOTP
 * @param algorithm the HMAC
 * @param digits 6 or 8
 * @param periodSeconds the TOTP time step in seconds, 1 to {@value #MAX_PERIOD_SECONDS}
 */
public record OtpParams(OtpType type, OtpAlgorithm algorithm, int digits, int periodSeconds) {
    /** RFC 4226 and the Key Uri Format's default. */
    public static final int DEFAULT_DIGITS = 6;

    /** RFC 6238 section 5.2's recommended time step, and the Key Uri Format's default. */
    public static final int DEFAULT_PERIOD_SECONDS = 30;

    /** Longest time step accepted: a longer one keeps a seen code usable for longer. */
    public static final int MAX_PERIOD_SECONDS = 300;

    public OtpParams {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(algorithm, "algorithm");
        if (digits != 6 && digits != 8) {
            throw new IllegalArgumentException("an OTP has 6 or 8 digits, not " + digits);
        }
        if (type == OtpType.HOTP) {
            periodSeconds = DEFAULT_PERIOD_SECONDS;
        } else if (periodSeconds < 1 || periodSeconds > MAX_PERIOD_SECONDS) {
            throw new IllegalArgumentException(
                    "a TOTP period is 1 to " + MAX_PERIOD_SECONDS + " seconds, not " + periodSeconds);
        }
    }

    /** TOTP with HMAC-SHA-1, 6 digits and 30-second steps: what every authenticator app supports. */
    public static OtpParams totpDefault() {
        return new OtpParams(OtpType.TOTP, OtpAlgorithm.SHA1, DEFAULT_DIGITS, DEFAULT_PERIOD_SECONDS);
    }

    /** TOTP with the given HMAC, digits (6 or 8) and time step. */
    public static OtpParams totp(OtpAlgorithm algorithm, int digits, int periodSeconds) {
        return new OtpParams(OtpType.TOTP, algorithm, digits, periodSeconds);
    }

    /** HOTP with the given HMAC and digits (6 or 8). */
    public static OtpParams hotp(OtpAlgorithm algorithm, int digits) {
        return new OtpParams(OtpType.HOTP, algorithm, digits, DEFAULT_PERIOD_SECONDS);
    }
}
