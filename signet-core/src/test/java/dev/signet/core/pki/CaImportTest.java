package dev.signet.core.pki;

import static dev.signet.core.pki.TestPki.assertFailsWith;
import static dev.signet.core.pki.TestPki.csr;
import static dev.signet.core.pki.Tools.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Importing an existing CA (PKCS#12 or PEM) made by OpenSSL or by Signet. */
class CaImportTest {
    private static final char[] PASSWORD = "correct horse".toCharArray();

    @TempDir
    Path dir;

    private void opensslCa() throws Exception {
        ok(
                dir,
                Tools.openssl(),
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "30",
                "-subj",
                "/CN=Corp Root/O=Corp",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
    }

    private byte[] opensslPkcs12() throws Exception {
        opensslCa();
        ok(
                dir,
                Tools.openssl(),
                "pkcs12",
                "-export",
                "-inkey",
                "ca.key",
                "-in",
                "ca.pem",
                "-out",
                "ca.p12",
                "-passout",
                "pass:" + new String(PASSWORD));
        return Files.readAllBytes(dir.resolve("ca.p12"));
    }

    private void assertIssuesVerifiableLeaf(CertificateAuthority ca) throws Exception {
        X509Certificate leaf = new Issuer(ca, TestPki.URLS, TestPki.CLOCK)
                .issue(csr("CN=imported.example.test", KeyAlgorithm.EC_P256), Profiles.TLS_SERVER);
        List<X509Certificate> chain = ca.chain();
        Files.writeString(dir.resolve("anchor.pem"), Pem.certificate(chain.get(chain.size() - 1)));
        Files.writeString(dir.resolve("untrusted.pem"), Pem.certificates(chain));
        Files.writeString(dir.resolve("leaf.pem"), Pem.certificate(leaf));
        assertThat(ok(
                        dir,
                        Tools.openssl(),
                        "verify",
                        "-CAfile",
                        "anchor.pem",
                        "-untrusted",
                        "untrusted.pem",
                        "-purpose",
                        "sslserver",
                        "leaf.pem"))
                .contains("leaf.pem: OK");
    }

    @Test
    void importFromWhenOpensslPkcs12ThenIssuesLeafOpensslVerifies() throws Exception {
        CertificateAuthority ca = CertificateAuthority.importFrom(opensslPkcs12(), PASSWORD);

        assertThat(ca.certificate().getSubjectX500Principal().getName()).isEqualTo("O=Corp,CN=Corp Root");
        assertThat(ca.signer().algorithm()).isEqualTo(KeyAlgorithm.EC_P256);
        assertIssuesVerifiableLeaf(ca);
    }

    @Test
    void importFromWhenWrongPasswordThenBadPassword() throws Exception {
        byte[] pkcs12 = opensslPkcs12();

        assertFailsWith(
                PkiException.IMPORT_BAD_PASSWORD, () -> CertificateAuthority.importFrom(pkcs12, "wrong".toCharArray()));
    }

    @Test
    void importFromWhenGarbageOrEmptyThenMalformed() {
        assertFailsWith(
                PkiException.IMPORT_MALFORMED,
                () -> CertificateAuthority.importFrom("not a p12".getBytes(StandardCharsets.US_ASCII), PASSWORD));
        assertFailsWith(PkiException.IMPORT_MALFORMED, () -> CertificateAuthority.importFrom(new byte[0], PASSWORD));
    }

    @Test
    void importFromPemWhenOpensslEncryptedPkcs8ThenIssuesAndWrongOrMissingPasswordRefused() throws Exception {
        opensslCa();
        ok(
                dir,
                Tools.openssl(),
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-256-cbc",
                "-in",
                "ca.key",
                "-out",
                "ca.enc.key",
                "-passout",
                "pass:" + new String(PASSWORD));
        String certificate = Files.readString(dir.resolve("ca.pem"));
        String key = Files.readString(dir.resolve("ca.enc.key"));

        assertIssuesVerifiableLeaf(CertificateAuthority.importFromPem(certificate, key, PASSWORD));
        assertFailsWith(
                PkiException.IMPORT_BAD_PASSWORD,
                () -> CertificateAuthority.importFromPem(certificate, key, "wrong".toCharArray()));
        assertFailsWith(PkiException.IMPORT_BAD_PASSWORD, () -> CertificateAuthority.importFromPem(certificate, key));
    }

    @Test
    void importFromPemWhenOpensslPlainKeyThenImports() throws Exception {
        opensslCa();

        CertificateAuthority ca = CertificateAuthority.importFromPem(
                Files.readString(dir.resolve("ca.pem")), Files.readString(dir.resolve("ca.key")));

        assertIssuesVerifiableLeaf(ca);
    }

    @ParameterizedTest
    @EnumSource(
            value = KeyAlgorithm.class,
            names = {"EC_P256", "ED25519", "RSA_2048", "ML_DSA_65"})
    void importFromPemWhenSignetIntermediateWithChainThenSameCaBack(KeyAlgorithm algorithm) throws Exception {
        CertificateAuthority original = TestPki.intermediate(algorithm);

        CertificateAuthority imported = CertificateAuthority.importFromPem(
                Pem.certificates(original.chain()),
                Pem.privateKey(TestPki.keyPair(algorithm).getPrivate(), PASSWORD),
                PASSWORD);

        assertThat(imported.chain()).isEqualTo(original.chain());
        assertThat(imported.signer().algorithm()).isEqualTo(algorithm);
        X509Certificate leaf = new Issuer(imported, TestPki.URLS, TestPki.CLOCK)
                .issue(csr("CN=after-import", KeyAlgorithm.EC_P256), Profiles.TLS_CLIENT);
        TestPki.assertPkixValid(leaf, imported.chain());
    }

    @Test
    void importFromPemWhenKeyOfAnotherCertificateThenKeyMismatch() throws Exception {
        opensslCa();
        String certificate = Files.readString(dir.resolve("ca.pem"));

        assertFailsWith(
                PkiException.IMPORT_KEY_MISMATCH,
                () -> CertificateAuthority.importFromPem(
                        certificate,
                        Pem.privateKey(KeyAlgorithm.EC_P256.generateKeyPair().getPrivate())));
        assertFailsWith(
                PkiException.IMPORT_KEY_MISMATCH,
                () -> CertificateAuthority.importFromPem(
                        certificate,
                        Pem.privateKey(TestPki.keyPair(KeyAlgorithm.ED25519).getPrivate())));
    }

    @Test
    void importFromPemWhenEndEntityCertificateThenNotACa() {
        X509Certificate leaf = TestPki.issuer().issue(csr("CN=leaf", KeyAlgorithm.EC_P256), Profiles.TLS_SERVER);

        assertFailsWith(
                PkiException.IMPORT_NOT_A_CA,
                () -> CertificateAuthority.importFromPem(
                        Pem.certificate(leaf),
                        Pem.privateKey(TestPki.keyPair(KeyAlgorithm.EC_P256).getPrivate())));
    }

    @Test
    void importFromPemWhenChainOutOfOrderOrGarbageThenMalformed() {
        CertificateAuthority original = TestPki.intermediate(KeyAlgorithm.EC_P256);
        List<X509Certificate> reversed = new ArrayList<>(original.chain());
        Collections.reverse(reversed);
        String key = Pem.privateKey(TestPki.keyPair(KeyAlgorithm.EC_P256).getPrivate());

        assertFailsWith(
                PkiException.IMPORT_MALFORMED,
                () -> CertificateAuthority.importFromPem(Pem.certificates(reversed), key));
        assertFailsWith(PkiException.IMPORT_MALFORMED, () -> CertificateAuthority.importFromPem("", key));
        assertFailsWith(
                PkiException.IMPORT_MALFORMED,
                () -> CertificateAuthority.importFromPem(Pem.certificates(original.chain()), "garbage"));
        assertFailsWith(
                PkiException.IMPORT_MALFORMED,
                () -> CertificateAuthority.importFromPem(key, Pem.certificates(original.chain())));
    }
}
