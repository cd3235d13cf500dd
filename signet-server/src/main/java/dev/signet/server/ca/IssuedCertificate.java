package dev.signet.server.ca;

import dev.signet.core.pki.RevocationReason;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A certificate a Signet CA issued, as the inventory records it.
 *
 * @param id the stable internal id
 * @param ca the issuing CA's name
 * @param serial the serial number, lower-case hex; unique per CA
 * @param subject the subject name, as {@code CN=..,O=..}
 * @param sans subject alternative names, as {@code dns:example.com}, {@code ip:10.0.0.1}, {@code
 *     email:a@example.com}, {@code uri:...}
 * @param profile the profile it was issued under ({@code tls-server}, ..., {@code sub-ca} for an
 *     intermediate CA, {@code ocsp-signing} for the CA's own OCSP responder)
 * @param keyAlgorithm the subject key's algorithm id ({@code ec-p256}, ...)
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param status valid, revoked, or expired (valid but past notAfter) when it was read
 * @param revokedAt when it was revoked
 * @param revocationReason why
 * @param requestedBy who asked for it ({@code signet} for the responder certificates Signet makes)
 * @param issuedAt when it was issued
 * @param certificate the certificate itself
 */
public record IssuedCertificate(
        String id,
        String ca,
        String serial,
        String subject,
        List<String> sans,
        String profile,
        String keyAlgorithm,
        Instant notBefore,
        Instant notAfter,
        Status status,
        Optional<Instant> revokedAt,
        Optional<RevocationReason> revocationReason,
        String requestedBy,
        Instant issuedAt,
        X509Certificate certificate) {

    /** A certificate's state in the inventory. */
    public enum Status {
        VALID,
        REVOKED,
        /** Not revoked, and past its notAfter. */
        EXPIRED
    }

    public IssuedCertificate {
        Objects.requireNonNull(serial, "serial");
        sans = List.copyOf(sans);
        Objects.requireNonNull(revokedAt, "revokedAt");
        Objects.requireNonNull(revocationReason, "revocationReason");
        Objects.requireNonNull(certificate, "certificate");
    }
}
