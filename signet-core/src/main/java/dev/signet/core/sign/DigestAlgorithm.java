package dev.signet.core.sign;

import dev.signet.core.pki.KeyAlgorithm;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * The digests Signet signs over: SHA-2 of <a href="https://csrc.nist.gov/pubs/fips/180-4/upd1/final">FIPS
 * 180-4</a>, named as in the API ({@code sha256}) and identified in CMS by their NIST OIDs (<a
 * href="https://www.rfc-editor.org/rfc/rfc5754#section-2">RFC 5754 §2</a>).
 */
public enum DigestAlgorithm {
    SHA256("sha256", "SHA-256", 32, NISTObjectIdentifiers.id_sha256),
    SHA384("sha384", "SHA-384", 48, NISTObjectIdentifiers.id_sha384),
    SHA512("sha512", "SHA-512", 64, NISTObjectIdentifiers.id_sha512);

    private final String id;
    private final String jcaName;
    private final int length;
    private final ASN1ObjectIdentifier oid;

    DigestAlgorithm(String id, String jcaName, int length, ASN1ObjectIdentifier oid) {
        this.id = id;
        this.jcaName = jcaName;
        this.length = length;
        this.oid = oid;
    }

    /** The API name, for example {@code sha256}. */
    public String id() {
        return id;
    }

    /** The JCA name, for example {@code SHA-256}. */
    public String jcaName() {
        return jcaName;
    }

    /** The digest length in bytes. */
    public int length() {
        return length;
    }

    public ASN1ObjectIdentifier oid() {
        return oid;
    }

    /** The AlgorithmIdentifier, parameters absent as RFC 5754 §2 says they SHOULD be. */
    public AlgorithmIdentifier algorithmIdentifier() {
        return new AlgorithmIdentifier(oid);
    }

    /** The name in a JAR manifest or signature file attribute, for example {@code SHA-256}. */
    String manifestName() {
        return jcaName;
    }

    /** A new digest from the JDK's provider (the SHA-NI accelerated one on x86). */
    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jcaName + " is unavailable on this JDK", e);
        }
    }

    /** The digest of {@code data}. */
    public byte[] digest(byte[] data) {
        return newDigest().digest(data);
    }

    /** The algorithm named {@code id} ({@code sha256}, case-insensitive; {@code SHA-256} also works). */
    public static Optional<DigestAlgorithm> byId(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String folded = id.toLowerCase(Locale.ROOT).replace("-", "");
        for (DigestAlgorithm algorithm : values()) {
            if (algorithm.id.equals(folded)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }

    /** The algorithm with this OID, or empty. */
    public static Optional<DigestAlgorithm> byOid(ASN1ObjectIdentifier oid) {
        for (DigestAlgorithm algorithm : values()) {
            if (algorithm.oid.equals(oid)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }

    /**
     * The one digest a key's signatures use, the hash of its signature algorithm: P-256, RSA-2048 and
     * RSA-3072 → SHA-256; P-384 and RSA-4096 → SHA-384; Ed25519 → SHA-512 (<a
     * href="https://www.rfc-editor.org/rfc/rfc8419#section-3.1">RFC 8419 §3.1</a>); ML-DSA-65 →
     * SHA-512 (<a href="https://www.rfc-editor.org/rfc/rfc9882#section-3.3">RFC 9882 §3.3</a>).
     */
    public static DigestAlgorithm forKey(KeyAlgorithm key) {
        String signature = key.signatureAlgorithm();
        if (signature.startsWith("SHA256")) {
            return SHA256;
        }
        if (signature.startsWith("SHA384")) {
            return SHA384;
        }
        return SHA512;
    }
}
