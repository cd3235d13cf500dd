package dev.signet.core.pki;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;

/**
 * A certificate authority: its certificate chain (its own certificate first, up to the root) and
 * the {@link Signer} that holds its key. Storing either is the caller's job.
 *
 * <p>A root is self-signed (<a href="https://www.rfc-editor.org/rfc/rfc5280#section-3.2">RFC 5280
 * §3.2</a>) with cA TRUE and no path length constraint, keyCertSign, cRLSign and digitalSignature
 * (critical), and SKI = AKI; it carries no CRL or OCSP pointers, since nothing can revoke it. An
 * intermediate is issued by its parent through the parent's {@link Issuer} with a sub-CA {@link
 * Profile}, so it passes every check an issued certificate does.
 *
 * @param chain this CA's certificate, then its issuers' up to the root
 * @param signer the CA's key; its public key matches the CA certificate's
 */
public record CertificateAuthority(List<X509Certificate> chain, Signer signer) {
    public CertificateAuthority {
        chain = List.copyOf(chain);
        Objects.requireNonNull(signer, "signer");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a CA needs its certificate");
        }
        if (chain.get(0).getBasicConstraints() < 0) {
            throw new PkiException(PkiException.CA_NOT_A_CA, "the certificate is not a CA certificate (cA FALSE)");
        }
        if (!Arrays.equals(
                chain.get(0).getPublicKey().getEncoded(), signer.publicKey().getEncoded())) {
            throw new PkiException(PkiException.CA_SIGNER_FAILED, "the signer's key is not the CA certificate's key");
        }
    }

    /** This CA's own certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** The signer port wrapped as a Bouncy Castle operator; a new one per signature. */
    ContentSigner contentSigner() {
        return new SignerContentSigner(signer);
    }

    /** A self-signed root CA over a new key of {@code algorithm}; its {@link KeySigner} holds the key. */
    public static CertificateAuthority createRoot(
            X500Name name, KeyAlgorithm algorithm, Duration validity, Clock clock) {
        return createRoot(name, KeySigner.generate(algorithm), validity, clock);
    }

    /**
     * A self-signed root CA whose key is behind {@code signer}, valid from now for {@code validity}.
     */
    public static CertificateAuthority createRoot(X500Name name, Signer signer, Duration validity, Clock clock) {
        Objects.requireNonNull(name, "name");
        if (name.getRDNs().length == 0) {
            throw new PkiException(PkiException.CSR_EMPTY_SUBJECT, "a root CA needs a name");
        }
        if (validity.isNegative() || validity.isZero()) {
            throw new PkiException(PkiException.PROFILE_BAD_VALIDITY, "validity must be positive");
        }
        Instant now = Certs.seconds(clock.instant());
        SubjectPublicKeyInfo key =
                SubjectPublicKeyInfo.getInstance(signer.publicKey().getEncoded());
        byte[] keyId = Certs.keyIdentifier(key);
        try {
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                    name, Certs.serial(), Date.from(now), Date.from(now.plus(validity)), name, key);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId));
            builder.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(keyId));
            X509Certificate root = Certs.toX509(builder.build(new SignerContentSigner(signer)));
            return new CertificateAuthority(List.of(root), signer);
        } catch (CertIOException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "root certificate cannot be encoded", e);
        }
    }

    /**
     * An intermediate CA named {@code name} under {@code parent}, over a new key of {@code
     * algorithm}, issued with {@code profile} (a CA profile such as {@link Profiles#subCa(int)}).
     *
     * @throws PkiException as {@link Issuer#issue(byte[], Profile, Duration)} does, notably {@code
     *     ca.path_length_exceeded}
     */
    public static CertificateAuthority createIntermediate(
            CertificateAuthority parent,
            PublicationUrls parentUrls,
            X500Name name,
            KeyAlgorithm algorithm,
            Profile profile,
            Duration validity,
            Clock clock) {
        if (!profile.ca()) {
            throw new PkiException(PkiException.PROFILE_INVALID, "profile " + profile.name() + " is not a CA profile");
        }
        KeySigner signer = KeySigner.generate(algorithm);
        byte[] csr = Issuer.csr(name, List.of(), signer);
        X509Certificate certificate = new Issuer(parent, parentUrls, clock).issue(csr, profile, validity);
        List<X509Certificate> chain = new ArrayList<>(parent.chain().size() + 1);
        chain.add(certificate);
        chain.addAll(parent.chain());
        return new CertificateAuthority(chain, signer);
    }

    /**
     * An existing CA from a PKCS#12 file (<a href="https://www.rfc-editor.org/rfc/rfc7292">RFC 7292</a>)
     * holding exactly one private key and its certificate chain, CA certificate first. The steps:
     * the chain is in order, each certificate issued by the next ({@code import.malformed}); the
     * first is a CA, basicConstraints cA TRUE and keyUsage keyCertSign (<a
     * href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.9">RFC 5280 §4.2.1.9</a>, {@code
     * import.not_a_ca}); its key is one of {@link KeyAlgorithm} ({@code import.unsupported_key}); the
     * private key signs what the certificate's public key verifies ({@code import.key_mismatch}). The
     * chain may stop below the root (the company's root stays with the company).
     *
     * @throws PkiException {@code import.malformed}, {@code import.bad_password}, {@code
     *     import.not_a_ca}, {@code import.unsupported_key} or {@code import.key_mismatch}
     */
    public static CertificateAuthority importFrom(byte[] pkcs12, char[] password) {
        return CaImport.pkcs12(pkcs12, password);
    }

    /**
     * An existing CA from PEM: {@code certificates} holds CERTIFICATE blocks, the CA first then its
     * issuers; {@code privateKey} one unencrypted PKCS#8 PRIVATE KEY (or a traditional EC/RSA key)
     * block. Same steps as {@link #importFrom(byte[], char[])}.
     */
    public static CertificateAuthority importFromPem(String certificates, String privateKey) {
        return CaImport.pem(certificates, privateKey, java.util.Optional.empty());
    }

    /**
     * As {@link #importFromPem(String, String)}, with an ENCRYPTED PRIVATE KEY block (PKCS#8, <a
     * href="https://www.rfc-editor.org/rfc/rfc5958">RFC 5958</a>) opened with {@code password}.
     */
    public static CertificateAuthority importFromPem(String certificates, String privateKey, char[] password) {
        return CaImport.pem(certificates, privateKey, java.util.Optional.of(password));
    }
}
