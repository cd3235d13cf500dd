package dev.signet.core.sign;

import dev.signet.core.pki.RevocationStatus;
import java.security.cert.X509Certificate;

/**
 * Where {@link SignatureVerifier} learns whether a certificate is revoked: CRLs and OCSP over the
 * network ({@link NetworkRevocation}), or a CA's own records in the server.
 */
@FunctionalInterface
public interface RevocationSource {
    /**
     * The status of {@code cert}, issued by {@code issuer}: {@link RevocationStatus.Good}, {@link
     * RevocationStatus.Revoked} with time and reason, or {@link RevocationStatus.Unknown} when no
     * source could say. Implementations MUST NOT return null or throw for an unreachable source.
     */
    RevocationStatus check(X509Certificate cert, X509Certificate issuer);
}
