package dev.signet.core.sign;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A plain signature over a blob's digest, for tools that do not speak CMS: the signature is the key's
 * signature algorithm ({@link #signatureAlgorithm()}, a JCA name such as {@code SHA256withECDSA}) over
 * the digest bytes as the message ({@link CmsSigner#signRaw}), with the certificate chain and, when
 * present, an RFC 3161 token whose imprint is the digest of the signature value.
 *
 * <p>JSON form (written and read by the CLI; the server returns the parts):
 *
 * <pre>{@code
 * {"format":"signet-bundle-v1","signatureAlgorithm":"SHA256withECDSA","digestAlgorithm":"sha256",
 *  "digest":"<hex>","signature":"<base64>","chain":["-----BEGIN CERTIFICATE-----..."],
 *  "timestamp":"<base64>"|null}
 * }</pre>
 *
 * @param signatureAlgorithm the JCA signature algorithm
 * @param digestAlgorithm the digest of the blob
 * @param digest the blob's digest, the signed message
 * @param signature the signature value
 * @param chain the signer's certificate first, then its CAs
 * @param timestamp a DER TimeStampToken over {@code digestAlgorithm(signature)}, or null
 */
public record SignatureBundle(
        String signatureAlgorithm,
        DigestAlgorithm digestAlgorithm,
        byte[] digest,
        byte[] signature,
        List<X509Certificate> chain,
        byte[] timestamp) {
    /** The {@code format} value of the JSON form. */
    public static final String FORMAT = "signet-bundle-v1";

    public SignatureBundle {
        Objects.requireNonNull(signatureAlgorithm, "signatureAlgorithm");
        Objects.requireNonNull(digestAlgorithm, "digestAlgorithm");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(signature, "signature");
        chain = List.copyOf(chain);
    }

    /**
     * Signs {@code digest} with {@code signer} and, when {@code timestamper} is not null, time-stamps
     * the signature value.
     *
     * @throws SignException {@code sign.digest_length} or {@code sign.timestamp_failed}
     */
    public static SignatureBundle sign(CmsSigner signer, byte[] digest, Timestamper timestamper) {
        byte[] signature = signer.signRaw(digest);
        DigestAlgorithm algorithm = signer.digestAlgorithm();
        byte[] token = timestamper == null ? null : timestamper.timestamp(algorithm, algorithm.digest(signature));
        return new SignatureBundle(signer.signatureAlgorithm(), algorithm, digest, signature, signer.chain(), token);
    }
}
