package dev.signet.core.pki;

import dev.signet.core.SignetException;

/**
 * A certificate request, profile or CA operation was refused; {@link #code()} says why.
 *
 * <p>The codes are stable and documented here; callers map them to a 4xx answer. Nothing is issued
 * when one is thrown. See <a href="https://www.rfc-editor.org/rfc/rfc5280">RFC 5280</a> and <a
 * href="https://www.rfc-editor.org/rfc/rfc2986">RFC 2986</a> for the rules behind them.
 */
public final class PkiException extends SignetException {
    /** The CSR is not a DER or PEM PKCS#10 request, or its public key cannot be read. */
    public static final String CSR_MALFORMED = "csr.malformed";
    /** The CSR's self-signature does not verify: no proof of possession of the private key. */
    public static final String CSR_BAD_SIGNATURE = "csr.bad_signature";
    /** The CSR is signed with, or carries a key of, an algorithm Signet refuses (SHA-1, MD5, DSA, ...). */
    public static final String CSR_FORBIDDEN_ALGORITHM = "csr.forbidden_algorithm";
    /** The CSR's key is smaller than the minimum (RSA below 2048 bits). */
    public static final String CSR_KEY_TOO_SMALL = "csr.key_too_small";
    /** The CSR has an empty subject; a certificate needs a name. */
    public static final String CSR_EMPTY_SUBJECT = "csr.empty_subject";
    /** A requested subject alternative name is malformed (for example a DNS name with spaces). */
    public static final String CSR_BAD_SAN = "csr.bad_san";
    /** The key algorithm is valid but the profile does not allow it. */
    public static final String PROFILE_KEY_NOT_ALLOWED = "profile.key_not_allowed";
    /** The request sets a subject attribute the profile does not allow. */
    public static final String PROFILE_SUBJECT_NOT_ALLOWED = "profile.subject_not_allowed";
    /** The request asks for a subject alternative name type the profile does not allow. */
    public static final String PROFILE_SAN_NOT_ALLOWED = "profile.san_not_allowed";
    /** The requested validity is longer than the profile's maximum. */
    public static final String PROFILE_VALIDITY_TOO_LONG = "profile.validity_too_long";
    /** The requested validity is zero or negative. */
    public static final String PROFILE_BAD_VALIDITY = "profile.bad_validity";
    /** No profile has that name. */
    public static final String PROFILE_UNKNOWN = "profile.unknown";
    /** A profile's own settings contradict RFC 5280 (for example keyCertSign without CA:true). */
    public static final String PROFILE_INVALID = "profile.invalid";
    /** The key usage the profile fixes does not fit the request's key (keyEncipherment on EC). */
    public static final String PROFILE_KEY_USAGE_MISMATCH = "profile.key_usage_mismatch";
    /** The issuing certificate is not a CA, or may not sign certificates. */
    public static final String CA_NOT_A_CA = "ca.not_a_ca";
    /** The issuing CA is not valid now (expired or not yet valid). */
    public static final String CA_NOT_VALID_NOW = "ca.not_valid_now";
    /** Issuing a CA here would break the issuer's path length constraint. */
    public static final String CA_PATH_LENGTH_EXCEEDED = "ca.path_length_exceeded";
    /** The certificate's issuer name would not equal the CA's subject name. */
    public static final String CA_NAME_CHAINING = "ca.name_chaining";
    /** The CA's signer port failed to sign, or its key does not match the CA certificate. */
    public static final String CA_SIGNER_FAILED = "ca.signer_failed";
    /** A CRL cannot be made from these inputs: negative or over-long CRL number, non-positive period, a serial listed twice. */
    public static final String CRL_INVALID = "crl.invalid";
    /** The CA certificate's key usage does not include cRLSign (RFC 5280 §4.2.1.3). */
    public static final String CA_CRL_SIGN_NOT_ALLOWED = "ca.crl_sign_not_allowed";
    /**
     * The OCSP responder certificate is not a delegated OCSP signer of this CA (RFC 6960 §4.2.2.2):
     * another issuer, a bad signature, no id-kp-OCSPSigning, no id-pkix-ocsp-nocheck, or a signer whose
     * key is not the certificate's.
     */
    public static final String OCSP_BAD_RESPONDER = "ocsp.bad_responder";
    /** A CA to import is not a PKCS#12 file or PEM certificates and a PKCS#8 key, or its chain is out of order. */
    public static final String IMPORT_MALFORMED = "import.malformed";
    /** The password does not open the PKCS#12 file or the encrypted private key. */
    public static final String IMPORT_BAD_PASSWORD = "import.bad_password";
    /** The private key is not the key of the CA certificate. */
    public static final String IMPORT_KEY_MISMATCH = "import.key_mismatch";
    /** The certificate to import is not a CA: no basicConstraints cA TRUE, or no keyCertSign. */
    public static final String IMPORT_NOT_A_CA = "import.not_a_ca";
    /** The key to import is not one of {@link KeyAlgorithm} (another curve, RSA below 2048 bits, DSA, ...). */
    public static final String IMPORT_UNSUPPORTED_KEY = "import.unsupported_key";
    /** A key or certificate could not be encoded (PKCS#12, PEM). */
    public static final String ENCODING_FAILED = "pki.encoding_failed";

    public PkiException(String code, String message) {
        super(code, message);
    }

    public PkiException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
