package dev.signet.server.signing;

import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.sign.DigestAlgorithm;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A signing key as Signet manages it: never its private key.
 *
 * @param id the stable internal id
 * @param name the unique name (case-insensitively); the scope {@code sign:NAME} refers to it
 * @param algorithm the key's algorithm
 * @param ca the name of the CA that issued its code-signing certificate
 * @param serial the certificate's serial, lower-case hex
 * @param subject the certificate's subject, as {@code CN=..,O=..}
 * @param notBefore start of the certificate's validity
 * @param notAfter end of the certificate's validity
 * @param status the certificate's status now
 * @param exportable whether an administrator may export the private key (chosen at creation only)
 * @param stepUp whether signing in the console needs a second factor used within the step-up window
 * @param createdAt when it was created
 * @param createdBy who created it
 * @param chain its certificate, then its CA's chain up to the root
 */
public record SigningKey(
        String id,
        String name,
        KeyAlgorithm algorithm,
        String ca,
        String serial,
        String subject,
        Instant notBefore,
        Instant notAfter,
        Status status,
        boolean exportable,
        boolean stepUp,
        Instant createdAt,
        String createdBy,
        List<X509Certificate> chain) {

    /** The certificate's status. */
    public enum Status {
        VALID,
        /** Revoked by its CA: the key signs nothing more. */
        REVOKED,
        /** Past its notAfter (or before its notBefore): the key signs nothing until renewed. */
        EXPIRED
    }

    public SigningKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(algorithm, "algorithm");
        chain = List.copyOf(chain);
    }

    /** The key's certificate. */
    public X509Certificate certificate() {
        return chain.getFirst();
    }

    /** The digest the key's signatures are made over: what clients must hash files with. */
    public DigestAlgorithm digestAlgorithm() {
        return DigestAlgorithm.forKey(algorithm);
    }

    /** The JCA name of the key's signature algorithm, for example {@code SHA256withECDSA}. */
    public String signatureAlgorithm() {
        return algorithm.signatureAlgorithm();
    }

    /** The scope a token needs to sign with this key. */
    public String scope() {
        return dev.signet.server.token.Scopes.sign(name);
    }
}
