package dev.signet.server.ca;

import dev.signet.core.SignetException;

/**
 * A CA operation the server refuses, with a stable code. Refusals of the certificate rules themselves
 * (a bad CSR, a profile's limits) are {@link dev.signet.core.pki.PkiException}s from the core and
 * pass through unchanged; these are the server's own: names, state (offline, already revoked) and
 * lookups. Either way nothing is stored when one is thrown.
 */
public final class CaException extends SignetException {
    /** No CA has that name or id (404). */
    public static final String CA_NOT_FOUND = "ca.not_found";
    /** A CA of that name exists already, compared case-insensitively (409). */
    public static final String CA_TAKEN = "ca.taken";
    /** The name is not 1 to 64 of {@code [A-Za-z0-9._-]} starting with a letter or digit (400). */
    public static final String CA_NAME_INVALID = "ca.name_invalid";
    /** The CA's key is offline: it cannot issue, revoke or sign CRLs until brought online (409). */
    public static final String CA_OFFLINE = "ca.offline";
    /** The CA's own certificate was revoked by its parent: it issues nothing more (409). */
    public static final String CA_REVOKED = "ca.revoked";
    /** The CA is online already (409). */
    public static final String CA_ONLINE = "ca.online";
    /** A root has no path length constraint; set one on its intermediates (400). */
    public static final String CA_ROOT_PATH_LENGTH = "ca.root_path_length";
    /** Only a root CA can be taken offline (400). */
    public static final String CA_NOT_ROOT = "ca.not_root";
    /** The key brought online is not the CA's: another certificate or another key (400). */
    public static final String CA_KEY_MISMATCH = "ca.key_mismatch";
    /** The CA's key is not one Signet can store (a hardware-backed signer) (400). */
    public static final String CA_KEY_NOT_EXPORTABLE = "ca.key_not_exportable";
    /** The key algorithm named is none of {@link dev.signet.core.pki.KeyAlgorithm}'s ids (400). */
    public static final String KEY_UNKNOWN = "key.unknown";
    /** The subject is not a distinguished name such as {@code CN=name,O=Example} (400). */
    public static final String SUBJECT_INVALID = "subject.invalid";
    /** A subject alternative name is not {@code dns:}, {@code ip:}, {@code email:} or {@code uri:} text (400). */
    public static final String SAN_INVALID = "csr.bad_san";
    /** The profile is Signet's own (sub-ca, ocsp-signing): CAs and responders are made by the CA service (400). */
    public static final String PROFILE_RESERVED = "profile.reserved";
    /** A password for an exported key is too short (400). */
    public static final String PASSWORD_TOO_SHORT = "password.too_short";
    /** No certificate has that serial (under that CA) (404). */
    public static final String CERTIFICATE_NOT_FOUND = "certificate.not_found";
    /** The certificate is revoked already; revocation is final (409). */
    public static final String CERTIFICATE_ALREADY_REVOKED = "certificate.already_revoked";
    /** The serial exists under more than one CA: name the CA (400). */
    public static final String CERTIFICATE_AMBIGUOUS = "certificate.ambiguous";
    /** The serial is not hexadecimal, or longer than 20 octets (400). */
    public static final String SERIAL_INVALID = "serial.invalid";
    /** The revocation reason is not one of {@link dev.signet.core.pki.RevocationReason}'s ids (400). */
    public static final String REASON_UNKNOWN = "revocation.reason_unknown";
    /** A validity in days is out of range (400). */
    public static final String VALIDITY_INVALID = "profile.bad_validity";

    public CaException(String code, String message) {
        super(code, message);
    }

    public CaException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
