package dev.signet.core.otp;

import dev.signet.core.SignetException;

/**
 * An OTP seed or {@code otpauth://} URI from outside (an import, a stored value) cannot be used;
 * {@link #code()} says why. A wrong one-time code is not an exception: the verifier answers it with
 * an empty result.
 */
public final class OtpException extends SignetException {
    /** The seed is not base32 (RFC 4648 section 6), or has a length no base32 text can have. */
    public static final String SEED_MALFORMED = "otp.seed_malformed";
    /** The seed is shorter than {@link OtpSeed#MIN_BYTES} or longer than {@link OtpSeed#MAX_BYTES}. */
    public static final String SEED_LENGTH = "otp.seed_length";
    /** The text is not an {@code otpauth://} URI of the Key Uri Format, or is inconsistent. */
    public static final String URI_MALFORMED = "otp.uri_malformed";
    /** A well-formed URI asks for something Signet does not do (such as 7 digits or MD5). */
    public static final String URI_UNSUPPORTED = "otp.uri_unsupported";

    public OtpException(String code, String message) {
        super(code, message);
    }
}
