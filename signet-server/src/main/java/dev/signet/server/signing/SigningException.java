package dev.signet.server.signing;

import dev.signet.core.SignetException;

/**
 * A signing-key or signing operation the server refuses, with a stable code. The HTTP status of each
 * code is {@code web.Problems}'; nothing is stored or signed when one is thrown.
 */
public final class SigningException extends SignetException {
    // ---- keys (managing them)

    /** No signing key has that name (404). */
    public static final String KEY_NOT_FOUND = "keys.not_found";
    /** A signing key of that name exists already, compared case-insensitively (409). */
    public static final String KEY_TAKEN = "keys.taken";
    /** The name is not 1 to 64 of {@code [A-Za-z0-9._-]} starting with a letter or digit (400). */
    public static final String KEY_NAME_INVALID = "keys.name_invalid";
    /** The algorithm is not ec-p256, ec-p384, ed25519, rsa-3072 or rsa-4096 (400). */
    public static final String KEY_ALGORITHM_INVALID = "keys.algorithm_invalid";
    /** The key was created without the exportable flag: its private key never leaves the server (409). */
    public static final String KEY_NOT_EXPORTABLE = "keys.not_exportable";
    /** A grant's "to" is not {@code user:NAME}, {@code token:ID} or {@code client:ID} (400). */
    public static final String GRANT_INVALID = "keys.grant_invalid";
    /** The user, token or client a grant names does not exist (404). */
    public static final String GRANTEE_NOT_FOUND = "keys.grantee_not_found";
    /** There is no such grant on this key (404). */
    public static final String GRANT_NOT_FOUND = "keys.grant_not_found";
    /** The grant exists already (409). */
    public static final String GRANT_CONFLICT = "keys.grant_conflict";
    /** The caller's token lacks {@code keys:admin} or {@code sign:NAME} for reading this key (403). */
    public static final String KEY_FORBIDDEN = "keys.forbidden";

    // ---- signing

    /** No signing key has that name, for a caller allowed to sign with it if it existed (404). */
    public static final String SIGN_KEY_UNKNOWN = "sign.key_unknown";
    /** The caller lacks the scope {@code sign:NAME}, or neither it nor its owner is granted on the key (403). */
    public static final String SIGN_NOT_ALLOWED = "sign.not_allowed";
    /** The key needs a second factor used within the step-up window, and the session has none (403). */
    public static final String SIGN_STEP_UP_REQUIRED = "sign.step_up_required";
    /** A digest is not hexadecimal (400). */
    public static final String SIGN_DIGEST_MALFORMED = "sign.digest_malformed";
    /** A digest's length does not match the digest algorithm (400). */
    public static final String SIGN_DIGEST_LENGTH = "sign.digest_length";
    /** The digest algorithm is unknown, or not the one the key's signatures use (400). */
    public static final String SIGN_DIGEST_ALGORITHM = "sign.digest_algorithm";
    /** More items than one batch may have (413). */
    public static final String SIGN_BATCH_TOO_LARGE = "sign.batch_too_large";
    /** No items (400). */
    public static final String SIGN_BATCH_EMPTY = "sign.batch_empty";
    /** The format is not cms or raw (400). */
    public static final String SIGN_FORMAT_UNKNOWN = "sign.format_unknown";
    /** An item's name is missing, too long or has control characters (400). */
    public static final String SIGN_NAME_INVALID = "sign.name_invalid";
    /** The key's certificate is revoked (409). */
    public static final String SIGN_KEY_REVOKED = "sign.key_revoked";
    /** The key's certificate has expired, or is not valid yet (409). */
    public static final String SIGN_KEY_EXPIRED = "sign.key_expired";
    /** A timestamp was asked for and the server has no timestamp authority (no online CA) (503). */
    public static final String SIGN_TIMESTAMP_UNAVAILABLE = "sign.timestamp_unavailable";

    // ---- the timestamp authority

    /** The server cannot timestamp: no CA to issue the TSA's certificate, or the configured one is unusable (503). */
    public static final String TSA_UNAVAILABLE = "tsa.unavailable";

    public SigningException(String code, String message) {
        super(code, message);
    }

    public SigningException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
