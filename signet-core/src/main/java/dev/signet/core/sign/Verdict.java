package dev.signet.core.sign;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link SignatureVerifier}: valid, or the first check that failed, as a stable {@link
 * #code()} and a sentence for people.
 *
 * @param valid true only when every check passed ({@code code} is {@value #VALID})
 * @param code one of the constants below
 * @param reason why, for people; may change between versions
 * @param signer the signer's certificate, when it could be found
 * @param chain the certification path, signer first, up to the trust anchor; empty when none was built
 * @param signingTime the signingTime the signer claims (a signed attribute), or null
 * @param timestampTime the genTime of a valid time-stamp token, or null
 */
public record Verdict(
        boolean valid,
        String code,
        String reason,
        X509Certificate signer,
        List<X509Certificate> chain,
        Instant signingTime,
        Instant timestampTime) {
    /** Every check passed. */
    public static final String VALID = "valid";
    /** Not a signature Signet can read: not CMS, no signer certificate, no signed attributes, ... */
    public static final String MALFORMED = "malformed";
    /** The content (file, JAR entry, digest) is not what was signed. */
    public static final String DIGEST_MISMATCH = "digest_mismatch";
    /** The signature value does not verify under the signer's key. */
    public static final String SIGNATURE_INVALID = "signature_invalid";
    /** No certification path from the signer to a trust anchor. */
    public static final String UNTRUSTED = "untrusted";
    /** The signer's certificate lacks extended key usage id-kp-codeSigning. */
    public static final String NOT_CODE_SIGNING = "not_code_signing";
    /** A certificate of the path was revoked before the validation time. */
    public static final String REVOKED = "revoked";
    /** The signer's certificate had expired at the validation time. */
    public static final String EXPIRED = "expired";
    /** The signer's certificate was not yet valid at the validation time. */
    public static final String NOT_YET_VALID = "not_yet_valid";
    /** A time-stamp token is present and is not valid. */
    public static final String TIMESTAMP_INVALID = "timestamp_invalid";
    /** No CRL or OCSP answer settled a certificate's revocation status. */
    public static final String REVOCATION_UNKNOWN = "revocation_unknown";

    public Verdict {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(reason, "reason");
        chain = chain == null ? List.of() : List.copyOf(chain);
        if (valid != code.equals(VALID)) {
            throw new IllegalArgumentException("valid is true exactly for code " + VALID);
        }
    }

    static Verdict failed(String code, String reason) {
        return new Verdict(false, code, reason, null, List.of(), null, null);
    }

    Verdict withSigner(X509Certificate signer, Instant signingTime, Instant timestampTime) {
        return new Verdict(valid, code, reason, signer, chain, signingTime, timestampTime);
    }
}
