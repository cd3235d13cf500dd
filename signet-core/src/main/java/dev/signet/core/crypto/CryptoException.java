package dev.signet.core.crypto;

import dev.signet.core.SignetException;

/** A cryptographic operation could not be completed; {@link #code()} says which kind of failure. */
public final class CryptoException extends SignetException {
    /** The ciphertext, its tag or its associated data does not match: tampered, moved or wrong key. */
    public static final String INTEGRITY = "secret.integrity";
    /** The stored bytes are not in a format this version understands. */
    public static final String FORMAT = "secret.format";
    /** A key that the ciphertext names is not available. */
    public static final String UNKNOWN_KEY = "secret.unknown_key";
    /** The master key given is malformed (wrong length, not base64). */
    public static final String BAD_MASTER_KEY = "master_key.malformed";

    public CryptoException(String code, String message) {
        super(code, message);
    }

    public CryptoException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
