package dev.signet.core.pki;

import static dev.signet.core.pki.TestPki.assertFailsWith;
import static dev.signet.core.pki.TestPki.csr;
import static dev.signet.core.testing.Cases.between;
import static dev.signet.core.testing.Cases.bytes;
import static dev.signet.core.testing.Cases.forAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class IssuerTest {
    private static final Issuer ISSUER = TestPki.issuer();

    @ParameterizedTest
    @ValueSource(strings = {"code-signing", "tls-server", "tls-client", "timestamping", "ocsp-signing"})
    void issueWhenBuiltInProfileThenCarriesProfileExtensionsAndPointers(String name) throws Exception {
        Profile profile = Profiles.named(name);
        byte[] request = csr("CN=leaf,O=Signet", KeyAlgorithm.EC_P256);

        X509Certificate certificate = ISSUER.issue(request, profile);
        X509CertificateHolder holder = new X509CertificateHolder(certificate.getEncoded());

        assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
        assertThat(holder.getExtension(Extension.basicConstraints).isCritical()).isTrue();
        assertThat(holder.getExtension(Extension.keyUsage).isCritical()).isTrue();
        assertThat(certificate.getKeyUsage()[0]).isTrue();
        assertThat(certificate.getExtendedKeyUsage()).hasSize(1);
        assertThat(holder.getExtension(Extension.extendedKeyUsage).isCritical())
                .isEqualTo(profile.extendedKeyUsageCritical());
        byte[] aki = org.bouncycastle.asn1.x509.AuthorityKeyIdentifier.getInstance(
                        holder.getExtension(Extension.authorityKeyIdentifier).getParsedValue())
                .getKeyIdentifierObject()
                .getOctets();
        byte[] issuerSki = SubjectKeyIdentifier.getInstance(
                        new X509CertificateHolder(ISSUER.ca().certificate().getEncoded())
                                .getExtension(Extension.subjectKeyIdentifier)
                                .getParsedValue())
                .getKeyIdentifier();
        assertThat(aki).isEqualTo(issuerSki);
        assertThat(holder.getExtension(Extension.subjectKeyIdentifier)).isNotNull();
        assertThat(CRLDistPoint.getInstance(holder.getExtension(Extension.cRLDistributionPoints)
                                .getParsedValue())
                        .toString())
                .contains("http://pki.example.test/ca/test-ca/crl");
        var aia = AuthorityInformationAccess.getInstance(
                        holder.getExtension(Extension.authorityInfoAccess).getParsedValue())
                .getAccessDescriptions();
        assertThat(aia)
                .extracting(d -> d.getAccessMethod() + " " + d.getAccessLocation())
                .containsExactly(
                        "1.3.6.1.5.5.7.48.1 6: http://pki.example.test/ca/test-ca/ocsp",
                        "1.3.6.1.5.5.7.48.2 6: http://pki.example.test/ca/test-ca/cert");
        assertThat(holder.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck) != null)
                .isEqualTo(profile.ocspNoCheck());
        assertThat(certificate.getSerialNumber().signum()).isPositive();
        assertThat(certificate.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
    }

    @Test
    void issueWhenSansAllowedThenCopiedIntoCertificate() throws Exception {
        byte[] request = csr("CN=web", KeyAlgorithm.EC_P256, San.dns("web.example.test"), San.ip("192.0.2.7"));

        X509Certificate certificate = ISSUER.issue(request, Profiles.TLS_SERVER);

        assertThat(certificate.getSubjectAlternativeNames())
                .extracting(l -> (Object) l.get(1))
                .containsExactly("web.example.test", "192.0.2.7");
    }

    @Test
    void issueWhenPemRequestThenIssued() {
        String pem = "-----BEGIN CERTIFICATE REQUEST-----\n"
                + Base64.getMimeEncoder().encodeToString(csr("CN=pem", KeyAlgorithm.EC_P256))
                + "\n-----END CERTIFICATE REQUEST-----\n";

        X509Certificate certificate = ISSUER.issue(pem.getBytes(StandardCharsets.US_ASCII), Profiles.TLS_CLIENT);

        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=pem");
    }

    @Test
    void issueWhenRandomBytesThenMalformed() {
        forAll(
                500,
                r -> bytes(r, 0, 400),
                junk -> assertFailsWith(PkiException.CSR_MALFORMED, () -> ISSUER.issue(junk, Profiles.TLS_SERVER)));
    }

    @Test
    void issueWhenTruncatedAnywhereThenMalformed() {
        byte[] request = csr("CN=truncated", KeyAlgorithm.EC_P256, San.dns("t.example.test"));
        for (int length = 0; length < request.length; length++) {
            byte[] truncated = Arrays.copyOf(request, length);
            assertFailsWith(PkiException.CSR_MALFORMED, () -> ISSUER.issue(truncated, Profiles.TLS_SERVER));
        }
    }

    @Test
    void issueWhenTrailingBytesThenMalformed() {
        byte[] request = csr("CN=trailing", KeyAlgorithm.EC_P256);
        byte[] longer = Arrays.copyOf(request, request.length + 1);

        assertFailsWith(PkiException.CSR_MALFORMED, () -> ISSUER.issue(longer, Profiles.TLS_SERVER));
    }

    @ParameterizedTest
    @EnumSource(
            value = KeyAlgorithm.class,
            names = {"EC_P256", "ED25519", "RSA_2048", "ML_DSA_65"})
    void issueWhenSignatureByteFlippedThenBadSignature(KeyAlgorithm algorithm) {
        Profile anyKey = Profiles.TLS_SERVER.toBuilder()
                .allowedKeys(List.of(KeyAlgorithm.values()))
                .build();
        byte[] request = csr("CN=flipped", algorithm);
        forAll(20, r -> between(r, 1, 255), mask -> {
            byte[] tampered = request.clone();
            tampered[tampered.length - 1] ^= (byte) (int) mask;
            assertFailsWith(PkiException.CSR_BAD_SIGNATURE, () -> ISSUER.issue(tampered, anyKey));
        });
    }

    @Test
    void issueWhenSubjectByteChangedAfterSigningThenBadSignature() {
        byte[] request = csr("CN=aaaa", KeyAlgorithm.EC_P256);
        byte[] tampered = new String(request, StandardCharsets.ISO_8859_1)
                .replace("aaaa", "aaab")
                .getBytes(StandardCharsets.ISO_8859_1);

        assertFailsWith(PkiException.CSR_BAD_SIGNATURE, () -> ISSUER.issue(tampered, Profiles.TLS_SERVER));
    }

    @ParameterizedTest
    @EnumSource(
            value = KeyAlgorithm.class,
            names = {"EC_P256", "ED25519", "RSA_2048", "ML_DSA_65"})
    void issueWhenSignedByAnotherKeyOfSameAlgorithmThenBadSignature(KeyAlgorithm algorithm) throws Exception {
        Profile anyKey = Profiles.TLS_SERVER.toBuilder()
                .allowedKeys(List.of(KeyAlgorithm.values()))
                .build();
        // A valid signature, but not by the key the request names: no proof of possession.
        var subjectKey = algorithm.generateKeyPair();
        byte[] request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=other"), subjectKey.getPublic())
                .build(new SignerContentSigner(TestPki.signer(algorithm)))
                .getEncoded();

        assertFailsWith(PkiException.CSR_BAD_SIGNATURE, () -> ISSUER.issue(request, anyKey));
    }

    @Test
    void issueWhenSignatureAlgorithmOfAnotherKeyFamilyThenBadSignature() throws Exception {
        // An RSA subject key under an ecdsa-with-SHA256 signature (made by some EC key).
        var rsa = TestPki.keyPair(KeyAlgorithm.RSA_2048);
        byte[] request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=mixed"), rsa.getPublic())
                .build(new SignerContentSigner(TestPki.signer(KeyAlgorithm.EC_P256)))
                .getEncoded();

        assertFailsWith(PkiException.CSR_BAD_SIGNATURE, () -> ISSUER.issue(request, Profiles.TLS_SERVER));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SHA384withECDSA", "SHA512withECDSA", "SHA384withRSA", "SHA512withRSA"})
    void issueWhenSignedWithLongerHashThenIssued(String signatureAlgorithm) throws Exception {
        var keyPair =
                TestPki.keyPair(signatureAlgorithm.endsWith("RSA") ? KeyAlgorithm.RSA_2048 : KeyAlgorithm.EC_P256);
        byte[] request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=hash"), keyPair.getPublic())
                .build(new JcaContentSignerBuilder(signatureAlgorithm).build(keyPair.getPrivate()))
                .getEncoded();

        assertThat(ISSUER.issue(request, Profiles.TLS_SERVER).getPublicKey()).isEqualTo(keyPair.getPublic());
    }

    @Test
    void issueWhenRsa1024ThenKeyTooSmall() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        var keyPair = generator.generateKeyPair();
        byte[] request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=small"), keyPair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(keyPair.getPrivate()))
                .getEncoded();

        assertFailsWith(PkiException.CSR_KEY_TOO_SMALL, () -> ISSUER.issue(request, Profiles.TLS_SERVER));
    }

    @Test
    void issueWhenSignedWithSha1ThenForbiddenAlgorithm() throws Exception {
        var keyPair = TestPki.keyPair(KeyAlgorithm.RSA_2048);
        byte[] request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=sha1"), keyPair.getPublic())
                .build(new JcaContentSignerBuilder("SHA1withRSA").build(keyPair.getPrivate()))
                .getEncoded();

        assertFailsWith(PkiException.CSR_FORBIDDEN_ALGORITHM, () -> ISSUER.issue(request, Profiles.TLS_SERVER));
    }

    @Test
    void issueWhenKeyNotAllowedByProfileThenKeyNotAllowed() {
        byte[] request = csr("CN=pq", KeyAlgorithm.ML_DSA_65);

        assertFailsWith(PkiException.PROFILE_KEY_NOT_ALLOWED, () -> ISSUER.issue(request, Profiles.TLS_SERVER));
    }

    @Test
    void issueWhenValidityOverProfileMaximumThenValidityTooLong() {
        byte[] request = csr("CN=long", KeyAlgorithm.EC_P256);

        assertFailsWith(
                PkiException.PROFILE_VALIDITY_TOO_LONG,
                () -> ISSUER.issue(request, Profiles.TLS_SERVER, Duration.ofDays(399)));
        assertFailsWith(
                PkiException.PROFILE_BAD_VALIDITY, () -> ISSUER.issue(request, Profiles.TLS_SERVER, Duration.ZERO));
    }

    @Test
    void issueWhenSanTypeNotAllowedThenSanNotAllowed() {
        byte[] request = csr("CN=mail", KeyAlgorithm.EC_P256, San.email("a@example.test"));

        assertFailsWith(PkiException.PROFILE_SAN_NOT_ALLOWED, () -> ISSUER.issue(request, Profiles.TLS_SERVER));
        assertFailsWith(
                PkiException.PROFILE_SAN_NOT_ALLOWED,
                () -> ISSUER.issue(
                        csr("CN=t", KeyAlgorithm.EC_P256, San.dns("t.example.test")), Profiles.TIMESTAMPING));
    }

    @Test
    void issueWhenDnsSanMalformedThenBadSan() {
        byte[] request = csr("CN=bad", KeyAlgorithm.EC_P256, San.dns("bad name.example.test"));

        assertFailsWith(PkiException.CSR_BAD_SAN, () -> ISSUER.issue(request, Profiles.TLS_SERVER));
    }

    @Test
    void issueWhenSubjectAttributeNotAllowedThenSubjectNotAllowed() {
        byte[] request = csr("CN=x,E=x@example.test", KeyAlgorithm.EC_P256);

        assertFailsWith(PkiException.PROFILE_SUBJECT_NOT_ALLOWED, () -> ISSUER.issue(request, Profiles.TLS_SERVER));
    }

    @Test
    void issueWhenSubjectEmptyThenEmptySubject() {
        byte[] request = csr("", KeyAlgorithm.EC_P256, San.dns("x.example.test"));

        assertFailsWith(PkiException.CSR_EMPTY_SUBJECT, () -> ISSUER.issue(request, Profiles.TLS_SERVER));
    }

    @Test
    void generateWhenPkcs12ThenJavaKeyStoreOpensKeyAndChain() throws Exception {
        Credential credential = ISSUER.generate(
                Profiles.TLS_CLIENT, KeyRequest.of(new X500Name("CN=generated"), San.email("g@example.test")));
        char[] password = "correct horse".toCharArray();

        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(credential.pkcs12(password, "generated")), password);

        assertThat(store.isKeyEntry("generated")).isTrue();
        assertThat(store.getKey("generated", password).getEncoded())
                .isEqualTo(credential.privateKey().getEncoded());
        assertThat(store.getCertificateChain("generated")).hasSize(3);
        assertThat(credential.toString()).contains("redacted");
    }

    @Test
    void generateWhenEncryptedPemThenDecryptsToSameKey() throws Exception {
        Credential credential = ISSUER.generate(
                Profiles.CODE_SIGNING, KeyRequest.of(new X500Name("CN=signer")).withAlgorithm(KeyAlgorithm.ED25519));
        char[] password = "pw".toCharArray();

        String pem = credential.privateKeyPem(password);
        PKCS8EncryptedPrivateKeyInfo info;
        try (PEMParser parser = new PEMParser(new java.io.StringReader(pem))) {
            info = (PKCS8EncryptedPrivateKeyInfo) parser.readObject();
        }
        var decrypted = info.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                .setProvider(Providers.BC)
                .build(password));

        assertThat(pem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat(info.getEncryptionAlgorithm().getAlgorithm()).isEqualTo(PKCSObjectIdentifiers.id_PBES2);
        assertThat(decrypted.getEncoded()).isEqualTo(credential.privateKey().getEncoded());
        assertThat(credential.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(credential.certificatePem()).contains("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void generateWhenAlgorithmNotAllowedThenKeyNotAllowed() {
        assertFailsWith(
                PkiException.PROFILE_KEY_NOT_ALLOWED,
                () -> ISSUER.generate(
                        Profiles.TLS_SERVER,
                        KeyRequest.of(new X500Name("CN=x")).withAlgorithm(KeyAlgorithm.ML_DSA_65)));
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void issueWhenCaAndLeafOfAnyAlgorithmThenJavaPkixAccepts(KeyAlgorithm algorithm) throws Exception {
        CertificateAuthority ca = TestPki.intermediate(algorithm);
        Profile anyKey = Profiles.CODE_SIGNING.toBuilder()
                .allowedKeys(List.of(KeyAlgorithm.values()))
                .build();

        X509Certificate leaf = new Issuer(ca, TestPki.URLS, TestPki.CLOCK).issue(csr("CN=leaf", algorithm), anyKey);

        TestPki.assertPkixValid(leaf, ca.chain());
        assertThat(leaf.getSigAlgName()).isEqualToIgnoringCase(algorithm.signatureAlgorithm());
    }
}
