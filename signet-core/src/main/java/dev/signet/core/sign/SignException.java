package dev.signet.core.sign;

import dev.signet.core.SignetException;

/**
 * A signature could not be made from these inputs; {@link #code()} says why. The codes are the API's
 * ({@code sign.*}), so the server maps them to a 4xx unchanged. Nothing was signed when one is thrown.
 */
public final class SignException extends SignetException {
    /** The digest has the wrong length for its algorithm. */
    public static final String DIGEST_LENGTH = "sign.digest_length";
    /** The digest algorithm is not the one the key signs with ({@link DigestAlgorithm#forKey}). */
    public static final String DIGEST_ALGORITHM = "sign.digest_algorithm";
    /** The certificate chain does not start with the signer's certificate. */
    public static final String CHAIN_MISMATCH = "sign.chain_mismatch";
    /** The time-stamp authority gave no token (unreachable, rejected, or an invalid answer). */
    public static final String TIMESTAMP_FAILED = "sign.timestamp_failed";
    /** The file to sign as a JAR is not a readable ZIP archive, or has an entry name twice. */
    public static final String JAR_MALFORMED = "sign.jar_malformed";
    /** The JAR signer name is not 1-8 of A-Z, 0-9, '_' and '-' (JAR File Specification). */
    public static final String JAR_SIGNER_NAME = "sign.jar_signer_name";
    /** The CMS SignedData could not be built or encoded. */
    public static final String ENCODING_FAILED = "sign.encoding_failed";

    public SignException(String code, String message) {
        super(code, message);
    }

    public SignException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
