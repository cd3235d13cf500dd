package dev.signet.core.pki;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/**
 * One revoked certificate, as a CRL entry (<a href="https://www.rfc-editor.org/rfc/rfc5280#section-5.1.2.6">RFC
 * 5280 §5.1.2.6</a>) lists it. Recording revocations, and refusing to revoke twice, is the caller's
 * job.
 *
 * @param serial the certificate's serial number, positive
 * @param revokedAt when it was revoked; CRLs and OCSP carry whole seconds
 * @param reason why
 */
public record RevokedCertificate(BigInteger serial, Instant revokedAt, RevocationReason reason) {
    public RevokedCertificate {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(revokedAt, "revokedAt");
        Objects.requireNonNull(reason, "reason");
        if (serial.signum() <= 0) {
            throw new IllegalArgumentException("a serial number is positive");
        }
    }
}
