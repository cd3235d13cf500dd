package dev.signet.server.ca;

import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.PublicationUrls;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A certificate authority as Signet manages it: never its key.
 *
 * @param id the stable internal id
 * @param name the unique name; also the CA's id in its publication URLs
 * @param kind how it came to be
 * @param status whether its key is in the database ({@link Status#ACTIVE}) or exported ({@link
 *     Status#OFFLINE})
 * @param keyAlgorithm the CA key's algorithm
 * @param subject its subject name, as {@code CN=..,O=..}
 * @param parent the name of the Signet CA that issued it; empty for a root, and for an imported CA
 *     whose issuer is not in Signet
 * @param notBefore start of the CA certificate's validity
 * @param notAfter end of the CA certificate's validity; nothing it issues outlives it
 * @param serial the CA certificate's serial, lower-case hex
 * @param urls where its CRL, OCSP responder and certificate are published; every certificate it
 *     issues names them
 * @param chain its certificate, then its issuers' up to the root (or as far as an import went)
 * @param crlPeriod how long each of its CRLs is valid (nextUpdate - thisUpdate)
 * @param createdAt when it was created or imported
 * @param createdBy who did it
 */
public record CaInfo(
        String id,
        String name,
        Kind kind,
        Status status,
        KeyAlgorithm keyAlgorithm,
        String subject,
        Optional<String> parent,
        Instant notBefore,
        Instant notAfter,
        String serial,
        PublicationUrls urls,
        List<X509Certificate> chain,
        Duration crlPeriod,
        Instant createdAt,
        String createdBy) {

    /** How a CA came to be. */
    public enum Kind {
        /** Self-signed, made by Signet. */
        ROOT,
        /** Issued by another Signet CA. */
        INTERMEDIATE,
        /** Brought in with its key from PKCS#12 or PEM. */
        IMPORTED
    }

    /** Whether the CA can sign now. */
    public enum Status {
        /** Its key is in the database (sealed): it issues, revokes and signs CRLs. */
        ACTIVE,
        /** Its key was exported and removed: it signs nothing until brought online again. */
        OFFLINE
    }

    public CaInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parent, "parent");
        chain = List.copyOf(chain);
    }

    /** The CA's own certificate. */
    public X509Certificate certificate() {
        return chain.getFirst();
    }

    public boolean online() {
        return status == Status.ACTIVE;
    }
}
