package dev.signet.core.pki;

import java.security.PublicKey;

/**
 * The signer port: whatever holds a CA's private key and signs with it. A key in memory ({@link
 * KeySigner}) today, a PKCS#11 token or a remote KMS tomorrow; the CA code only ever calls this.
 *
 * <p>Like Bouncy Castle's {@code ContentSigner}, to which {@link CertificateAuthority} adapts it, a
 * signer is handed the exact bytes to sign (the DER of a TBSCertificate, <a
 * href="https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.3">RFC 5280 §4.1.1.3</a>) and returns
 * the signature value in the encoding of its {@link #algorithm()}'s signature algorithm.
 */
public interface Signer {
    /** The key's algorithm; it fixes the signature algorithm. */
    KeyAlgorithm algorithm();

    /** The public half of the signing key. Implementations MUST NOT return null. */
    PublicKey publicKey();

    /**
     * The signature over {@code data}.
     *
     * @throws PkiException {@code ca.signer_failed} when the signer cannot sign
     */
    byte[] sign(byte[] data);
}
