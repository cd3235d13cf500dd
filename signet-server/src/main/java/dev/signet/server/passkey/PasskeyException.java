package dev.signet.server.passkey;

import dev.signet.core.SignetException;

/**
 * A passkey ceremony or a passkey change that was refused. The code is stable and says exactly which
 * check failed; it is what the browser gets (problem+json) and what the audit log records as the
 * reason. Nothing is stored when one is thrown.
 */
public final class PasskeyException extends SignetException {
    /** The body is not the expected JSON object, or a required member is missing or of the wrong type. */
    public static final String MALFORMED = "passkey.malformed";
    /** A binary member is not unpadded base64url. */
    public static final String BAD_ENCODING = "passkey.bad_encoding";
    /** clientDataJSON is not parseable client data, or its type is not this ceremony's. */
    public static final String BAD_CLIENT_DATA = "passkey.bad_client_data";
    /** The attestation object cannot be parsed, or its statement is invalid or of a format not accepted. */
    public static final String BAD_ATTESTATION = "passkey.bad_attestation";
    /** The authenticator data cannot be parsed, or its flags are inconsistent. */
    public static final String BAD_AUTHENTICATOR_DATA = "passkey.bad_authenticator_data";
    /** The client data's origin is not one of the configured origins (or it came from a cross-origin frame). */
    public static final String BAD_ORIGIN = "passkey.bad_origin";
    /** The authenticator data's RP ID hash is not the SHA-256 of the configured RP ID. */
    public static final String BAD_RP_ID = "passkey.bad_rp_id";
    /** The credential's key algorithm is not one the options offered. */
    public static final String BAD_ALGORITHM = "passkey.bad_algorithm";
    /** The challenge was never issued, was already used, or was issued to another purpose. */
    public static final String CHALLENGE_UNKNOWN = "passkey.challenge_unknown";
    /** The challenge was issued but its five minutes are over. */
    public static final String CHALLENGE_EXPIRED = "passkey.challenge_expired";
    /** The client data carries another challenge than the one this browser session was given. */
    public static final String CHALLENGE_MISMATCH = "passkey.challenge_mismatch";
    /** No passkey with this credential id is registered. */
    public static final String UNKNOWN_CREDENTIAL = "passkey.unknown_credential";
    /** The signature counter did not increase: a sign that the authenticator was cloned. */
    public static final String COUNTER_REGRESSION = "passkey.counter_regression";
    /** The assertion signature does not verify with the registered public key. */
    public static final String BAD_SIGNATURE = "passkey.bad_signature";
    /** The authenticator did not verify the user (UV flag not set). */
    public static final String USER_NOT_VERIFIED = "passkey.user_not_verified";
    /** The authenticator did not test for user presence (UP flag not set). */
    public static final String USER_NOT_PRESENT = "passkey.user_not_present";
    /** The passkey belongs to another account than the one signing in, or the user handle does not match. */
    public static final String WRONG_USER = "passkey.wrong_user";
    /** The passkey's account is disabled or cannot sign in. */
    public static final String ACCOUNT_DISABLED = "passkey.account_disabled";
    /** No such passkey of this user. */
    public static final String NOT_FOUND = "passkey.not_found";
    /** A passkey name must be 1 to 100 printable characters. */
    public static final String NAME_INVALID = "passkey.name_invalid";
    /** This credential is registered already (to this or another account). */
    public static final String ALREADY_REGISTERED = "passkey.already_registered";
    /** Any other verification failure of webauthn4j (a check not listed above). */
    public static final String INVALID = "passkey.invalid";

    public PasskeyException(String code, String message) {
        super(code, message);
    }

    public PasskeyException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
