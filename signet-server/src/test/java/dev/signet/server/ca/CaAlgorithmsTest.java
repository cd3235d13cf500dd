package dev.signet.server.ca;

import static dev.signet.server.ca.Tools.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.ca.CaCalls.Answer;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import dev.signet.server.token.Scopes;
import dev.signet.server.token.TokenService;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The slow and the new key algorithms, once each (on SQLite; the storage is the same as for the
 * others): an RSA-4096 root over an Ed25519 intermediate checked by {@code openssl}, and an ML-DSA-65
 * chain (FIPS 204), which OpenSSL 3.0 cannot read, checked by Java's PKIX and a Bouncy Castle OCSP
 * client.
 */
class CaAlgorithmsTest {
    @TempDir
    Path dataDir;

    @TempDir
    Path dir;

    TestServer server;
    CaCalls calls;
    String token;

    @BeforeEach
    void start() {
        server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir));
        calls = new CaCalls(server);
        User root = server.running()
                .context()
                .getBean(SetupService.class)
                .createAdminFromShell("root", null, CaApiContractTest.PASSWORD);
        token = server.running()
                .context()
                .getBean(TokenService.class)
                .create(root, "test", Set.of(Scopes.CA_ADMIN, Scopes.CA_ISSUE), Optional.empty(), "test")
                .secret();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void createWhenRsa4096RootAndEd25519IntermediateThenOpensslVerifiesTheirLeaf() throws Exception {
        calls.post("/api/v1/ca", token, Map.of("name", "rsa-root", "key", "rsa-4096"))
                .isOk(201);
        calls.post("/api/v1/ca", token, Map.of("name", "ed-issuing", "key", "ed25519", "parent", "rsa-root"))
                .isOk(201);
        JsonNode leaf = calls.post(
                        "/api/v1/ca/ed-issuing/generate",
                        token,
                        Map.of(
                                "profile", "tls-server",
                                "subject", "CN=ed.example.test",
                                "sans", List.of("dns:ed.example.test"),
                                "format", "pem",
                                "password", CaApiContractTest.KEY_PASSWORD))
                .isOk(201)
                .json();
        List<X509Certificate> chain =
                CaApiContractTest.certificates(leaf.path("chainPem").asString());
        Files.writeString(dir.resolve("int.pem"), CaApiContractTest.pem(chain.get(0)));
        Files.writeString(dir.resolve("root.pem"), CaApiContractTest.pem(chain.get(1)));
        Files.writeString(dir.resolve("leaf.pem"), leaf.path("certificatePem").asString());

        assertThat(ok(
                        dir,
                        Tools.openssl(),
                        "verify",
                        "-x509_strict",
                        "-purpose",
                        "sslserver",
                        "-CAfile",
                        "root.pem",
                        "-untrusted",
                        "int.pem",
                        "leaf.pem"))
                .contains("leaf.pem: OK");
        assertThat(ok(dir, Tools.openssl(), "x509", "-in", "root.pem", "-noout", "-text"))
                .contains("Public-Key: (4096 bit)")
                .contains("sha384WithRSAEncryption");
    }

    @Test
    void createWhenMlDsaChainThenJavaPkixAcceptsItsCodeSigningCertificateAndOcspAnswers() throws Exception {
        calls.post("/api/v1/ca", token, Map.of("name", "pq-root", "key", "ml-dsa-65"))
                .isOk(201);
        calls.post("/api/v1/ca", token, Map.of("name", "pq-issuing", "key", "ml-dsa-65", "parent", "pq-root"))
                .isOk(201);
        Answer generated = calls.post(
                        "/api/v1/ca/pq-issuing/generate",
                        token,
                        Map.of(
                                "profile", "code-signing",
                                "subject", "CN=Release Signing,O=Example",
                                "key", "ml-dsa-65",
                                "format", "pem",
                                "password", CaApiContractTest.KEY_PASSWORD))
                .isOk(201);
        assertThat(generated.text("keyAlgorithm")).isEqualTo("ml-dsa-65");
        X509Certificate leaf =
                CaApiContractTest.certificates(generated.text("certificatePem")).getFirst();
        List<X509Certificate> chain = CaApiContractTest.certificates(generated.text("chainPem"));

        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(chain.get(1), null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
                .validate(
                        CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf, chain.get(0))),
                        parameters);

        byte[] response = calls.send(
                        "POST",
                        server.uri("/ca/pq-issuing/ocsp"),
                        null,
                        "application/ocsp-request",
                        CaApiContractTest.ocspRequest(chain.get(0), leaf.getSerialNumber())
                                .getEncoded(),
                        "*/*")
                .isOk(200)
                .bytes();
        BasicOCSPResp basic = CaApiContractTest.basic(response, chain.get(0));
        assertThat(basic.getResponses()[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
        assertThat(basic.getResponses()[0].getCertID().getSerialNumber())
                .isEqualTo(new BigInteger(generated.text("serial"), 16));
    }
}
