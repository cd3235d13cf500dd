package dev.signet.core.pki;

import static dev.signet.core.pki.TestPki.assertFailsWith;
import static dev.signet.core.pki.TestPki.csr;
import static dev.signet.core.pki.Tools.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real peers: OpenSSL 3 ({@code openssl verify}, {@code req}, {@code pkcs12}) and the JDK's {@code
 * keytool}. OpenSSL before 3.5 has no ML-DSA, so ML-DSA chains are checked by Java's PKIX in
 * {@link IssuerTest} only.
 */
class InteropTest {
    @TempDir
    Path dir;

    private void writeChain(CertificateAuthority ca, X509Certificate leaf) throws Exception {
        Files.writeString(dir.resolve("root.pem"), Pem.certificate(TestPki.ROOT.certificate()));
        Files.writeString(
                dir.resolve("intermediate.pem"),
                Pem.certificates(ca.chain().subList(0, ca.chain().size() - 1)));
        Files.writeString(dir.resolve("leaf.pem"), Pem.certificate(leaf));
    }

    private String verify(String... purpose) throws Exception {
        String[] base = {Tools.openssl(), "verify", "-CAfile", "root.pem", "-untrusted", "intermediate.pem"};
        String[] command = new String[base.length + purpose.length + 1];
        System.arraycopy(base, 0, command, 0, base.length);
        System.arraycopy(purpose, 0, command, base.length, purpose.length);
        command[command.length - 1] = "leaf.pem";
        return ok(dir, command);
    }

    @ParameterizedTest
    @CsvSource({
        "tls-server, sslserver",
        "tls-client, sslclient",
        "timestamping, timestampsign",
        "ocsp-signing, ocsphelper",
        "code-signing, any",
    })
    void opensslVerifyWhenBuiltInProfileThenOkForItsPurpose(String profile, String purpose) throws Exception {
        CertificateAuthority ca = TestPki.intermediate(KeyAlgorithm.EC_P256);
        X509Certificate leaf = new Issuer(ca, TestPki.URLS, TestPki.CLOCK)
                .issue(csr("CN=" + profile, KeyAlgorithm.EC_P256), Profiles.named(profile));
        writeChain(ca, leaf);

        assertThat(verify("-purpose", purpose)).contains("leaf.pem: OK");
        assertThat(verify("-x509_strict")).contains("leaf.pem: OK");
    }

    @Test
    void opensslVerifyWhenServerCertificateCheckedAsTimestampingThenFails() throws Exception {
        CertificateAuthority ca = TestPki.intermediate(KeyAlgorithm.EC_P256);
        writeChain(
                ca,
                new Issuer(ca, TestPki.URLS, TestPki.CLOCK)
                        .issue(csr("CN=s", KeyAlgorithm.EC_P256), Profiles.TLS_SERVER));

        Tools.Result result = Tools.run(
                dir,
                Tools.openssl(),
                "verify",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "intermediate.pem",
                "-purpose",
                "timestampsign",
                "leaf.pem");

        assertThat(result.exit()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("unsuitable certificate purpose");
    }

    @ParameterizedTest
    @EnumSource(
            value = KeyAlgorithm.class,
            names = {"EC_P256", "EC_P384", "ED25519", "RSA_2048", "RSA_3072", "RSA_4096"})
    void opensslVerifyWhenIssuerAndLeafOfAlgorithmThenOk(KeyAlgorithm algorithm) throws Exception {
        CertificateAuthority ca = TestPki.intermediate(algorithm);
        X509Certificate leaf =
                new Issuer(ca, TestPki.URLS, TestPki.CLOCK).issue(csr("CN=leaf", algorithm), Profiles.TLS_SERVER);
        writeChain(ca, leaf);

        assertThat(verify("-purpose", "sslserver", "-x509_strict")).contains("leaf.pem: OK");
    }

    @Test
    void issueWhenCsrFromOpensslReqThenIssuedAndVerifies() throws Exception {
        ok(
                dir,
                Tools.openssl(),
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "key.pem",
                "-subj",
                "/CN=openssl.example.test",
                "-addext",
                "subjectAltName=DNS:openssl.example.test",
                "-out",
                "req.pem");
        CertificateAuthority ca = TestPki.intermediate(KeyAlgorithm.EC_P256);

        X509Certificate leaf = new Issuer(ca, TestPki.URLS, TestPki.CLOCK)
                .issue(Files.readAllBytes(dir.resolve("req.pem")), Profiles.TLS_SERVER);
        writeChain(ca, leaf);

        assertThat(verify("-purpose", "sslserver")).contains("leaf.pem: OK");
        assertThat(leaf.getSubjectAlternativeNames()).hasSize(1);
        String matches = ok(dir, Tools.openssl(), "x509", "-in", "leaf.pem", "-noout", "-pubkey");
        assertThat(matches).isEqualTo(ok(dir, Tools.openssl(), "pkey", "-in", "key.pem", "-pubout"));
    }

    @Test
    void issueWhenOpensslReqSignedWithSha1ThenForbiddenAlgorithm() throws Exception {
        ok(
                dir,
                Tools.openssl(),
                "req",
                "-new",
                "-newkey",
                "rsa:2048",
                "-sha1",
                "-nodes",
                "-keyout",
                "key.pem",
                "-subj",
                "/CN=sha1",
                "-outform",
                "DER",
                "-out",
                "req.der");

        assertFailsWith(
                PkiException.CSR_FORBIDDEN_ALGORITHM,
                () -> TestPki.issuer().issue(Files.readAllBytes(dir.resolve("req.der")), Profiles.TLS_SERVER));
    }

    @Test
    void issueWhenOpensslReqWithRsa1024ThenKeyTooSmall() throws Exception {
        ok(
                dir,
                Tools.openssl(),
                "req",
                "-new",
                "-newkey",
                "rsa:1024",
                "-nodes",
                "-keyout",
                "key.pem",
                "-subj",
                "/CN=small",
                "-out",
                "req.pem");

        assertFailsWith(
                PkiException.CSR_KEY_TOO_SMALL,
                () -> TestPki.issuer().issue(Files.readAllBytes(dir.resolve("req.pem")), Profiles.TLS_SERVER));
    }

    @Test
    void issueWhenCsrFromKeytoolThenIssuedAndImportsBack() throws Exception {
        String keytool = Tools.keytool();
        ok(
                dir,
                keytool,
                "-genkeypair",
                "-keystore",
                "ks.p12",
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit",
                "-alias",
                "me",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=keytool.example.test",
                "-noprompt");
        ok(
                dir,
                keytool,
                "-certreq",
                "-keystore",
                "ks.p12",
                "-storepass",
                "changeit",
                "-alias",
                "me",
                "-ext",
                "SAN=dns:keytool.example.test",
                "-file",
                "req.pem");
        CertificateAuthority ca = TestPki.intermediate(KeyAlgorithm.EC_P256);

        X509Certificate leaf = new Issuer(ca, TestPki.URLS, TestPki.CLOCK)
                .issue(Files.readAllBytes(dir.resolve("req.pem")), Profiles.TLS_CLIENT);
        Files.writeString(
                dir.resolve("reply.pem"),
                Pem.certificates(List.of(leaf, ca.certificate(), TestPki.ROOT.certificate())));

        ok(
                dir,
                keytool,
                "-importcert",
                "-keystore",
                "ks.p12",
                "-storepass",
                "changeit",
                "-alias",
                "me",
                "-file",
                "reply.pem",
                "-noprompt",
                "-trustcacerts");
        assertThat(ok(dir, keytool, "-list", "-v", "-keystore", "ks.p12", "-storepass", "changeit", "-alias", "me"))
                .contains("Certificate chain length: 3");
    }

    @Test
    void generateWhenPkcs12ThenOpensslReportsAes256CbcPbkdf2AndKeytoolLists() throws Exception {
        Credential credential = TestPki.issuer()
                .generate(
                        Profiles.TLS_SERVER,
                        KeyRequest.of(new X500Name("CN=gen.example.test"), San.dns("gen.example.test")));
        Files.write(dir.resolve("out.p12"), credential.pkcs12("s3cret pass".toCharArray(), "gen"));

        String info =
                ok(dir, Tools.openssl(), "pkcs12", "-info", "-nokeys", "-in", "out.p12", "-passin", "pass:s3cret pass");
        assertThat(info)
                .contains("MAC: sha256")
                .contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC")
                .contains("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC")
                .contains("PRF hmacWithSHA256")
                .doesNotContain("RC2")
                .doesNotContain("3DES")
                .contains("subject=CN = gen.example.test");
        String listed = ok(
                dir,
                Tools.keytool(),
                "-list",
                "-v",
                "-storetype",
                "PKCS12",
                "-keystore",
                "out.p12",
                "-storepass",
                "s3cret pass");
        assertThat(listed).contains("Alias name: gen", "PrivateKeyEntry", "Certificate chain length: 3");

        Tools.Result wrong = Tools.run(
                dir, Tools.openssl(), "pkcs12", "-info", "-nokeys", "-in", "out.p12", "-passin", "pass:wrong");
        assertThat(wrong.exit()).isNotZero();
    }

    @Test
    void generateWhenPemThenOpensslReadsEncryptedKeyMatchingCertificate() throws Exception {
        Credential credential = TestPki.issuer()
                .generate(
                        Profiles.TLS_CLIENT,
                        KeyRequest.of(new X500Name("CN=pem")).withAlgorithm(KeyAlgorithm.RSA_2048));
        Files.writeString(
                dir.resolve("key.pem"), credential.privateKeyPem("pw".toCharArray()), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("chain.pem"), credential.certificatePem());

        String fromKey = ok(dir, Tools.openssl(), "pkey", "-in", "key.pem", "-passin", "pass:pw", "-pubout");
        String fromCert = ok(dir, Tools.openssl(), "x509", "-in", "chain.pem", "-noout", "-pubkey");

        assertThat(fromKey).isEqualTo(fromCert);
    }
}
