package dev.signet.core.pki;

import dev.signet.core.crypto.Secure;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jcajce.spec.EdDSAParameterSpec;
import org.bouncycastle.jcajce.spec.MLDSAParameterSpec;

/**
 * The key algorithms a Signet CA and its certificates may use, each with its signature algorithm
 * and the JCA provider that runs it.
 *
 * <p>Signature algorithms: ECDSA with the hash that matches the curve (<a
 * href="https://www.rfc-editor.org/rfc/rfc5758#section-3.2">RFC 5758 §3.2</a>), PureEdDSA Ed25519 (<a
 * href="https://www.rfc-editor.org/rfc/rfc8410#section-3">RFC 8410 §3</a>), RSA PKCS#1 v1.5 (<a
 * href="https://www.rfc-editor.org/rfc/rfc4055#section-5">RFC 4055 §5</a>) with SHA-256 for 2048 and
 * 3072 bits and SHA-384 for 4096 bits (so the hash is not the weakest link of the larger key, as
 * for P-384), and pure ML-DSA-65 (FIPS 204; <a href="https://www.rfc-editor.org/rfc/rfc9881">RFC
 * 9881</a>).
 *
 * <p>Providers, chosen by measurement (docs/benchmarks.md): the JDK's SunEC for ECDSA signing (faster
 * than Bouncy Castle on JDK 25, slower on JDK 17) and Bouncy Castle for ECDSA verification (about
 * 2.5× SunEC's rate), the JDK's SunRsaSign for RSA, Bouncy Castle for
 * Ed25519 (about 16× SunEC's signing rate) and for ML-DSA (the JDK has it only from 24 on, and the
 * baseline is 21).
 */
public enum KeyAlgorithm {
    EC_P256("ec-p256", "EC", "SunEC", new ECGenParameterSpec("secp256r1"), "SHA256withECDSA", "SunEC"),
    EC_P384("ec-p384", "EC", "SunEC", new ECGenParameterSpec("secp384r1"), "SHA384withECDSA", "SunEC"),
    ED25519("ed25519", "Ed25519", "BC", new EdDSAParameterSpec(EdDSAParameterSpec.Ed25519), "Ed25519", "BC"),
    RSA_2048(
            "rsa-2048",
            "RSA",
            "SunRsaSign",
            new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4),
            "SHA256withRSA",
            "SunRsaSign"),
    RSA_3072(
            "rsa-3072",
            "RSA",
            "SunRsaSign",
            new RSAKeyGenParameterSpec(3072, RSAKeyGenParameterSpec.F4),
            "SHA256withRSA",
            "SunRsaSign"),
    RSA_4096(
            "rsa-4096",
            "RSA",
            "SunRsaSign",
            new RSAKeyGenParameterSpec(4096, RSAKeyGenParameterSpec.F4),
            "SHA384withRSA",
            "SunRsaSign"),
    ML_DSA_65("ml-dsa-65", "ML-DSA-65", "BC", MLDSAParameterSpec.ml_dsa_65, "ML-DSA-65", "BC");

    /** RSA moduli below this many bits are refused everywhere (NIST SP 800-131A). */
    public static final int MIN_RSA_BITS = 2048;

    private final String id;
    private final String keyAlgorithm;
    private final String keyProvider;
    private final AlgorithmParameterSpec keySpec;
    private final String signatureAlgorithm;
    private final String signatureProvider;

    KeyAlgorithm(
            String id,
            String keyAlgorithm,
            String keyProvider,
            AlgorithmParameterSpec keySpec,
            String signatureAlgorithm,
            String signatureProvider) {
        this.id = id;
        this.keyAlgorithm = keyAlgorithm;
        this.keyProvider = keyProvider;
        this.keySpec = keySpec;
        this.signatureAlgorithm = signatureAlgorithm;
        this.signatureProvider = signatureProvider;
    }

    /** The name used by the CLI and API, for example {@code ec-p256}. */
    public String id() {
        return id;
    }

    /** The JCA signature algorithm name this key signs with, for example {@code SHA256withECDSA}. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** The JCA provider that signs with this algorithm. */
    public Provider signatureProvider() {
        return Providers.named(signatureProvider);
    }

    /**
     * The JCA provider that verifies this algorithm's signatures (a CSR's proof of possession, for
     * example). Chosen by measurement like the signing one: for ECDSA, SunEC signs fast with
     * precomputed tables but verifies a P-256 signature in about 920 µs, Bouncy Castle in about 370
     * µs (docs/benchmarks.md, "Certificate issuance"); for the others the signing provider is kept.
     */
    public Provider verifyProvider() {
        return keyAlgorithm.equals("EC") ? Providers.BC : signatureProvider();
    }

    /** The RSA modulus size, or empty for other families. */
    public OptionalInt rsaBits() {
        return keySpec instanceof RSAKeyGenParameterSpec rsa ? OptionalInt.of(rsa.getKeysize()) : OptionalInt.empty();
    }

    /** A new key pair, from {@link Secure#random()}. */
    public KeyPair generateKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(keyAlgorithm, Providers.named(keyProvider));
            generator.initialize(keySpec, Secure.random());
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(this + " key generation is unavailable on this JDK", e);
        }
    }

    /**
     * Decodes a PKCS#8 private key of this algorithm with the provider that generates such keys, so
     * that {@link KeySigner} signs with it as with a generated one.
     *
     * @throws java.security.spec.InvalidKeySpecException when the bytes are not a key of this family
     */
    PrivateKey decodePrivateKey(byte[] pkcs8) throws java.security.spec.InvalidKeySpecException {
        try {
            return KeyFactory.getInstance(keyAlgorithm, Providers.named(keyProvider))
                    .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(this + " keys are unavailable on this JDK", e);
        }
    }

    /** The algorithm named {@code id} ({@link #id()}, case-insensitive). */
    public static Optional<KeyAlgorithm> byId(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String folded = id.toLowerCase(Locale.ROOT);
        for (KeyAlgorithm algorithm : values()) {
            if (algorithm.id.equals(folded)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }

    /**
     * The algorithm of a subject public key (<a href="https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.7">RFC
     * 5280 §4.1.2.7</a>), or empty when it is none of Signet's: another curve, another RSA size,
     * DSA, and so on. RSA keys below {@link #MIN_RSA_BITS} are refused with {@code csr.key_too_small}.
     *
     * @throws PkiException {@code csr.malformed} when the key cannot be read, {@code
     *     csr.key_too_small} for a small RSA key
     */
    public static Optional<KeyAlgorithm> of(SubjectPublicKeyInfo key) {
        ASN1ObjectIdentifier oid = key.getAlgorithm().getAlgorithm();
        if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            int bits = rsaModulusBits(key);
            if (bits < MIN_RSA_BITS) {
                throw new PkiException(
                        PkiException.CSR_KEY_TOO_SMALL,
                        "RSA key of " + bits + " bits; at least " + MIN_RSA_BITS + " are required");
            }
            for (KeyAlgorithm algorithm : values()) {
                if (algorithm.rsaBits().orElse(-1) == bits) {
                    return Optional.of(algorithm);
                }
            }
            return Optional.empty();
        }
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            var parameters = key.getAlgorithm().getParameters();
            if (SECObjectIdentifiers.secp256r1.equals(parameters)) {
                return Optional.of(EC_P256);
            }
            if (SECObjectIdentifiers.secp384r1.equals(parameters)) {
                return Optional.of(EC_P384);
            }
            return Optional.empty();
        }
        if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            return Optional.of(ED25519);
        }
        if (oid.equals(NISTObjectIdentifiers.id_ml_dsa_65)) {
            return Optional.of(ML_DSA_65);
        }
        return Optional.empty();
    }

    private static int rsaModulusBits(SubjectPublicKeyInfo key) {
        try {
            BigInteger modulus = RSAPublicKey.getInstance(key.parsePublicKey()).getModulus();
            return modulus.bitLength();
        } catch (IOException | RuntimeException e) {
            throw new PkiException(PkiException.CSR_MALFORMED, "the RSA public key cannot be read", e);
        }
    }
}
