package dev.signet.core.pki;

import static dev.signet.core.pki.TestPki.assertFailsWith;
import static dev.signet.core.pki.TestPki.csr;
import static dev.signet.core.pki.Tools.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** CRLs (RFC 5280 §5) read by OpenSSL 3 and enforced by {@code openssl verify} and Java's PKIX. */
class CrlsTest {
    private static final Duration DAY = Duration.ofDays(1);

    @TempDir
    Path dir;

    private final CertificateAuthority intermediate = TestPki.intermediate(KeyAlgorithm.EC_P256);
    private final X509Certificate leaf =
            TestPki.issuer().issue(csr("CN=revoke-me", KeyAlgorithm.EC_P256), Profiles.TLS_SERVER);

    private static X509CRL crl(CertificateAuthority ca, long number, RevokedCertificate... revoked) {
        return Crls.sign(ca, BigInteger.valueOf(number), List.of(revoked), DAY, TestPki.CLOCK);
    }

    private RevokedCertificate revoked(X509Certificate certificate, RevocationReason reason) {
        return new RevokedCertificate(certificate.getSerialNumber(), TestPki.CLOCK.instant(), reason);
    }

    @Test
    void signWhenEntriesThenOpensslCrlShowsNumberNextUpdateSerialAndReason() throws Exception {
        Instant fixed = Instant.parse("2026-03-01T10:00:00.750Z");
        X509CRL crl = Crls.sign(
                intermediate,
                BigInteger.valueOf(42),
                List.of(revoked(leaf, RevocationReason.KEY_COMPROMISE)),
                Duration.ofHours(36),
                Clock.fixed(fixed, ZoneOffset.UTC));
        Files.write(dir.resolve("x.crl"), Crls.der(crl));

        String text = ok(dir, Tools.openssl(), "crl", "-inform", "DER", "-in", "x.crl", "-noout", "-text");

        assertThat(text)
                .contains("Version 2")
                .contains("X509v3 CRL Number: \n                42")
                .contains("Last Update: Mar  1 10:00:00 2026 GMT")
                .contains("Next Update: Mar  2 22:00:00 2026 GMT")
                .contains("Serial Number: " + opensslHex(leaf.getSerialNumber()))
                .contains("Key Compromise")
                .contains("X509v3 Authority Key Identifier");
        assertThat(crl.getThisUpdate()).isEqualTo(Date.from(Instant.parse("2026-03-01T10:00:00Z")));
    }

    static String opensslHex(BigInteger serial) {
        String hex = serial.toString(16).toUpperCase(java.util.Locale.ROOT);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    @Test
    void signWhenSignedThenVerifiesUnderCaKeyAndCarriesNumberAndAki() throws Exception {
        X509CRL crl = crl(intermediate, 7, revoked(leaf, RevocationReason.SUPERSEDED));

        crl.verify(intermediate.certificate().getPublicKey());
        X509CRLHolder holder = new X509CRLHolder(crl.getEncoded());
        assertThat(CRLNumber.getInstance(
                                holder.getExtension(Extension.cRLNumber).getParsedValue())
                        .getCRLNumber())
                .isEqualTo(7);
        assertThat(holder.getExtension(Extension.authorityKeyIdentifier)).isNotNull();
        assertThat(crl.getIssuerX500Principal())
                .isEqualTo(intermediate.certificate().getSubjectX500Principal());
        X509CRLEntry entry = crl.getRevokedCertificate(leaf.getSerialNumber());
        assertThat(entry.getRevocationReason()).isEqualTo(java.security.cert.CRLReason.SUPERSEDED);
    }

    @Test
    void signWhenUnspecifiedReasonThenEntryHasNoReasonCode() {
        X509CRL crl = crl(intermediate, 1, revoked(leaf, RevocationReason.UNSPECIFIED));

        X509CRLEntry entry = crl.getRevokedCertificate(leaf.getSerialNumber());
        assertThat(entry).isNotNull();
        assertThat(entry.getExtensionValue(Extension.reasonCode.getId())).isNull();
    }

    @Test
    void pemWhenCrlThenOpensslReadsIt() throws Exception {
        Files.writeString(dir.resolve("x.pem"), Crls.pem(crl(intermediate, 3)));

        assertThat(Files.readString(dir.resolve("x.pem"))).startsWith("-----BEGIN X509 CRL-----");
        assertThat(ok(dir, Tools.openssl(), "crl", "-in", "x.pem", "-noout", "-text"))
                .contains("No Revoked Certificates.");
    }

    @Test
    void opensslVerifyWhenRevokedThenCertificateRevokedAndBeforeThenOk() throws Exception {
        Files.writeString(dir.resolve("root.pem"), Pem.certificate(TestPki.ROOT.certificate()));
        Files.writeString(dir.resolve("int.pem"), Pem.certificate(intermediate.certificate()));
        Files.writeString(dir.resolve("leaf.pem"), Pem.certificate(leaf));
        String rootCrl = Crls.pem(crl(TestPki.ROOT, 1));
        String[] verify = {
            Tools.openssl(),
            "verify",
            "-crl_check_all",
            "-CRLfile",
            "crl.pem",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "int.pem",
            "leaf.pem"
        };

        Files.writeString(dir.resolve("crl.pem"), rootCrl + Crls.pem(crl(intermediate, 1)));
        assertThat(ok(dir, verify)).contains("leaf.pem: OK");

        Files.writeString(
                dir.resolve("crl.pem"),
                rootCrl + Crls.pem(crl(intermediate, 2, revoked(leaf, RevocationReason.KEY_COMPROMISE))));
        Tools.Result result = Tools.run(dir, verify);
        assertThat(result.exit()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("certificate revoked");
    }

    @Test
    void certPathValidatorWhenRevokedThenRejectsAndBeforeThenAccepts() throws Exception {
        X509CRL rootCrl = crl(TestPki.ROOT, 1);

        validate(List.of(rootCrl, crl(intermediate, 1)));

        assertThatThrownBy(() -> validate(
                        List.of(rootCrl, crl(intermediate, 2, revoked(leaf, RevocationReason.KEY_COMPROMISE)))))
                .isInstanceOfSatisfying(
                        CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(CertPathValidatorException.BasicReason.REVOKED));
    }

    @Test
    void certPathValidatorWhenIntermediateRevokedByRootThenRejects() {
        X509CRL rootCrl = crl(TestPki.ROOT, 2, revoked(intermediate.certificate(), RevocationReason.CA_COMPROMISE));

        assertThatThrownBy(() -> validate(List.of(rootCrl, crl(intermediate, 1))))
                .isInstanceOf(CertPathValidatorException.class)
                .hasMessageContaining("revoked");
    }

    private void validate(List<X509CRL> crls) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        var path = factory.generateCertPath(List.of(
                (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(leaf.getEncoded())),
                (X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(intermediate.certificate().getEncoded()))));
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(TestPki.ROOT.certificate(), null)));
        parameters.setRevocationEnabled(true);
        parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
        CertPathValidator.getInstance("PKIX").validate(path, parameters);
    }

    @Test
    void signWhenSerialListedTwiceThenCrlInvalid() {
        RevokedCertificate entry = revoked(leaf, RevocationReason.SUPERSEDED);
        assertFailsWith(PkiException.CRL_INVALID, () -> crl(intermediate, 1, entry, entry));
    }

    @Test
    void signWhenNumberNegativeOrOver20OctetsOrPeriodNotPositiveThenCrlInvalid() {
        assertFailsWith(
                PkiException.CRL_INVALID,
                () -> Crls.sign(intermediate, BigInteger.valueOf(-1), List.of(), DAY, TestPki.CLOCK));
        assertFailsWith(
                PkiException.CRL_INVALID,
                () -> Crls.sign(intermediate, BigInteger.ONE.shiftLeft(159), List.of(), DAY, TestPki.CLOCK));
        assertFailsWith(
                PkiException.CRL_INVALID,
                () -> Crls.sign(intermediate, BigInteger.ONE, List.of(), Duration.ZERO, TestPki.CLOCK));
    }

    @Test
    void signWhenCaHasNoCrlSignThenRefused() {
        Profile noCrlSign = Profiles.SUB_CA.toBuilder()
                .keyUsage(KeyUse.KEY_CERT_SIGN, KeyUse.DIGITAL_SIGNATURE)
                .build();
        CertificateAuthority ca = CertificateAuthority.createIntermediate(
                TestPki.ROOT,
                TestPki.URLS,
                new X500Name("CN=No CRL Sign"),
                KeyAlgorithm.EC_P256,
                noCrlSign,
                DAY,
                TestPki.CLOCK);

        assertFailsWith(PkiException.CA_CRL_SIGN_NOT_ALLOWED, () -> crl(ca, 1));
    }

    @ParameterizedTest
    @EnumSource(RevocationReason.class)
    void byIdWhenEveryReasonThenRoundTripsAndCodeMatchesRfc5280(RevocationReason reason) {
        assertThat(RevocationReason.byId(reason.id())).contains(reason);
        assertThat(RevocationReason.byCode(reason.code())).contains(reason);
        assertThat(java.security.cert.CRLReason.values()[reason.code()].name().replace("_", "-"))
                .isEqualToIgnoringCase(reason.id());
    }

    @Test
    void byIdWhenHoldOrRemoveFromCrlOrUnknownThenEmpty() {
        assertThat(RevocationReason.byId("certificate-hold")).isEmpty();
        assertThat(RevocationReason.byCode(6)).isEmpty();
        assertThat(RevocationReason.byCode(8)).isEmpty();
        assertThat(RevocationReason.byCode(7)).isEmpty();
        assertThat(RevocationReason.byId(null)).isEmpty();
        assertThat(RevocationReason.byId("KEY-COMPROMISE")).contains(RevocationReason.KEY_COMPROMISE);
    }
}
