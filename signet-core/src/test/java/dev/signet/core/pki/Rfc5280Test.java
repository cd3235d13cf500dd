package dev.signet.core.pki;

import static dev.signet.core.pki.TestPki.assertFailsWith;
import static dev.signet.core.pki.TestPki.csr;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.Test;

/** RFC 5280 rules the CA keeps, one named test each. */
class Rfc5280Test {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    @Test
    void section4_2_1_9_pathLengthWhenSubCaUnderPathLenZeroIntermediateThenRefused() {
        CertificateAuthority intermediate = TestPki.intermediate(KeyAlgorithm.EC_P256);
        assertThat(intermediate.certificate().getBasicConstraints()).isZero();

        assertFailsWith(
                PkiException.CA_PATH_LENGTH_EXCEEDED,
                () -> CertificateAuthority.createIntermediate(
                        intermediate,
                        TestPki.URLS,
                        new X500Name("CN=too deep"),
                        KeyAlgorithm.EC_P256,
                        Profiles.SUB_CA,
                        Duration.ofDays(30),
                        TestPki.CLOCK));
    }

    @Test
    void section4_2_1_9_pathLengthWhenChildAsksAsMuchAsParentThenRefused() {
        Clock clock = at(T0);
        CertificateAuthority root = CertificateAuthority.createRoot(
                new X500Name("CN=r"), KeyAlgorithm.EC_P256, Duration.ofDays(3650), clock);
        CertificateAuthority one = CertificateAuthority.createIntermediate(
                root,
                TestPki.URLS,
                new X500Name("CN=one"),
                KeyAlgorithm.EC_P256,
                Profiles.subCa(1),
                Duration.ofDays(365),
                clock);

        CertificateAuthority two = CertificateAuthority.createIntermediate(
                one,
                TestPki.URLS,
                new X500Name("CN=two"),
                KeyAlgorithm.EC_P256,
                Profiles.subCa(0),
                Duration.ofDays(30),
                clock);

        assertThat(two.certificate().getBasicConstraints()).isZero();
        assertThat(two.chain()).hasSize(3);
        assertFailsWith(
                PkiException.CA_PATH_LENGTH_EXCEEDED,
                () -> CertificateAuthority.createIntermediate(
                        one,
                        TestPki.URLS,
                        new X500Name("CN=x"),
                        KeyAlgorithm.EC_P256,
                        Profiles.subCa(1),
                        Duration.ofDays(30),
                        clock));
    }

    @Test
    void section4_2_1_12_keyUsageVsExtendedKeyUsageWhenIssuedThenConsistent() {
        for (Profile profile : List.of(
                Profiles.CODE_SIGNING,
                Profiles.TLS_SERVER,
                Profiles.TLS_CLIENT,
                Profiles.TIMESTAMPING,
                Profiles.OCSP_SIGNING)) {
            X509Certificate certificate = TestPki.issuer().issue(csr("CN=ku", KeyAlgorithm.EC_P256), profile);
            boolean[] keyUsage = certificate.getKeyUsage();
            for (ExtendedUse purpose : profile.extendedKeyUsage()) {
                assertThat(purpose.consistentKeyUses()).anyMatch(use -> keyUsage[use.ordinal()]);
            }
            assertThat(keyUsage[5]).as("keyCertSign on an end entity").isFalse();
        }
    }

    @Test
    void section4_2_1_3_keyUsageWhenKeyEnciphermentOnEcKeyThenMismatch() {
        Profile rsaStyle = Profiles.TLS_SERVER.toBuilder()
                .keyUsage(KeyUse.DIGITAL_SIGNATURE, KeyUse.KEY_ENCIPHERMENT)
                .build();

        assertFailsWith(
                PkiException.PROFILE_KEY_USAGE_MISMATCH,
                () -> TestPki.issuer().issue(csr("CN=ec", KeyAlgorithm.EC_P256), rsaStyle));
        assertThat(TestPki.issuer()
                        .issue(csr("CN=rsa", KeyAlgorithm.RSA_2048), rsaStyle)
                        .getKeyUsage()[2])
                .isTrue();
    }

    @Test
    void section6_1_4_nameChainingWhenIssuedThenIssuerEqualsCaSubjectBytes() {
        Issuer issuer = TestPki.issuer();

        X509Certificate certificate = issuer.issue(csr("CN=chained", KeyAlgorithm.EC_P256), Profiles.TLS_CLIENT);

        assertThat(certificate.getIssuerX500Principal().getEncoded())
                .isEqualTo(issuer.ca().certificate().getSubjectX500Principal().getEncoded());
        assertThat(issuer.ca().certificate().getIssuerX500Principal())
                .isEqualTo(TestPki.ROOT.certificate().getSubjectX500Principal());
    }

    @Test
    void section4_1_2_2_serialWhenManyIssuedThenUniquePositiveAtMost20Octets() {
        Issuer issuer = TestPki.issuer();
        byte[] request = csr("CN=serial", KeyAlgorithm.EC_P256);
        Set<BigInteger> serials = new HashSet<>();
        int longEnough = 0;
        for (int i = 0; i < 1000; i++) {
            BigInteger serial = issuer.issue(request, Profiles.TLS_CLIENT).getSerialNumber();
            assertThat(serial.signum()).isPositive();
            assertThat(serial.toByteArray().length).isLessThanOrEqualTo(20);
            assertThat(serials.add(serial)).as("serial reused: " + serial).isTrue();
            if (serial.bitLength() > 120) {
                longEnough++;
            }
        }
        // 128 random bits: about 99.6% of serials use more than 120 of them.
        assertThat(longEnough).isGreaterThan(980);
    }

    @Test
    void section4_1_2_5_validityWhenRequestOutlivesIssuerThenCappedAtIssuerNotAfter() {
        Clock clock = at(T0);
        CertificateAuthority root = CertificateAuthority.createRoot(
                new X500Name("CN=short"), KeyAlgorithm.EC_P256, Duration.ofDays(30), clock);

        X509Certificate leaf = new Issuer(root, TestPki.URLS, clock)
                .issue(csr("CN=leaf", KeyAlgorithm.EC_P256), Profiles.TLS_SERVER, Duration.ofDays(90));

        assertThat(leaf.getNotAfter()).isEqualTo(root.certificate().getNotAfter());
        assertThat(leaf.getNotBefore()).isEqualTo(root.certificate().getNotBefore());
        X509Certificate later = new Issuer(root, TestPki.URLS, at(T0.plus(Duration.ofDays(1))))
                .issue(csr("CN=leaf", KeyAlgorithm.EC_P256), Profiles.TLS_SERVER, Duration.ofDays(7));
        assertThat(later.getNotBefore().toInstant())
                .isEqualTo(T0.plus(Duration.ofDays(1)).minusSeconds(60));
        assertThat(later.getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofDays(8)));
    }

    @Test
    void section4_1_2_5_validityWhenIssuerExpiredThenNotValidNow() {
        CertificateAuthority root = CertificateAuthority.createRoot(
                new X500Name("CN=old"), KeyAlgorithm.EC_P256, Duration.ofDays(30), at(T0));
        Issuer afterExpiry = new Issuer(root, TestPki.URLS, at(T0.plus(Duration.ofDays(31))));

        assertFailsWith(
                PkiException.CA_NOT_VALID_NOW,
                () -> afterExpiry.issue(csr("CN=late", KeyAlgorithm.EC_P256), Profiles.TLS_SERVER));
    }

    @Test
    void section3_2_rootWhenCreatedThenSelfSignedCaWithMatchingKeyIdentifiers() throws Exception {
        X509Certificate root = TestPki.ROOT.certificate();

        root.verify(root.getPublicKey());
        assertThat(root.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
        assertThat(root.getKeyUsage()[5]).isTrue();
        assertThat(root.getKeyUsage()[6]).isTrue();
        assertThat(root.getSubjectX500Principal()).isEqualTo(root.getIssuerX500Principal());
    }
}
