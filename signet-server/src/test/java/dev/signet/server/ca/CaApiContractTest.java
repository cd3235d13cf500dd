package dev.signet.server.ca;

import static dev.signet.server.ca.Tools.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.ca.CaCalls.Answer;
import dev.signet.server.store.Store;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import dev.signet.server.token.Scopes;
import dev.signet.server.token.TokenService;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The certificate authority over real HTTP against a real server, on SQLite and on PostgreSQL, with
 * the machine's {@code openssl} and the JDK's {@code keytool} and {@code CertPathValidator} as the
 * relying parties: CAs, issuance from their CSRs for every profile, "generate for me", revocation
 * seen through the CRL at the certificate's CDP and the OCSP responder at its AIA, the offline root,
 * imports, scopes, the inventory, and bad input answered with a stable code and nothing stored.
 */
abstract class CaApiContractTest {
    static final String PASSWORD = "violet quartz harbour lantern 7319";
    static final String KEY_PASSWORD = "s3cret pass phrase";

    @TempDir
    Path dataDir;

    @TempDir
    Path dir;

    MutableClock clock;
    TestServer server;
    CaCalls calls;
    User root;
    String admin;
    String issuer;

    abstract TestDatabases.Kind kind();

    @BeforeEach
    void start() {
        clock = MutableClock.startingNow();
        server = TestServer.start(TestDatabases.settings(kind(), dataDir), clock);
        calls = new CaCalls(server);
        root = bean(SetupService.class).createAdminFromShell("root", null, PASSWORD);
        admin = token(Scopes.CA_ADMIN, Scopes.CA_ISSUE);
        issuer = token(Scopes.CA_ISSUE);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ------------------------------------------------------------------ issuance and interop

    @Test
    void issueWhenCsrsFromOpensslAndKeytoolForEachProfileThenOpensslVerifiesTheChainForItsPurpose() throws Exception {
        JsonNode rootCa = createCa("Root-1", "ec-p256", null);
        assertThat(rootCa.propertyNames())
                .containsExactlyInAnyOrder(
                        "id",
                        "name",
                        "kind",
                        "status",
                        "keyAlgorithm",
                        "subject",
                        "parent",
                        "notBefore",
                        "notAfter",
                        "serial",
                        "crlUrl",
                        "ocspUrl",
                        "certUrl");
        assertThat(rootCa.path("kind").asString()).isEqualTo("root");
        assertThat(rootCa.path("status").asString()).isEqualTo("active");
        assertThat(rootCa.path("subject").asString()).isEqualTo("CN=Root-1");
        assertThat(rootCa.path("parent").isNull()).isTrue();
        assertThat(rootCa.path("serial").asString()).matches("[0-9a-f]+");
        assertThat(rootCa.path("crlUrl").asString()).isEqualTo(server.base() + "/ca/Root-1/crl");
        assertThat(rootCa.path("ocspUrl").asString()).isEqualTo(server.base() + "/ca/Root-1/ocsp");
        assertThat(rootCa.path("certUrl").asString()).isEqualTo(server.base() + "/ca/Root-1/cert");

        JsonNode intCa = createCa("issuing", "rsa-3072", "root-1", Map.of("subject", "CN=Issuing CA,O=Signet Tests"));
        assertThat(intCa.path("kind").asString()).isEqualTo("intermediate");
        assertThat(intCa.path("parent").asString()).isEqualTo("Root-1");
        assertThat(intCa.path("keyAlgorithm").asString()).isEqualTo("rsa-3072");
        assertThat(intCa.path("subject").asString()).isEqualTo("CN=Issuing CA,O=Signet Tests");
        assertThat(calls.get("/api/v1/ca", issuer).isOk(200).json().path("cas"))
                .extracting(n -> n.path("name").asString())
                .containsExactly("Root-1", "issuing");
        assertThat(calls.get("/api/v1/ca/ISSUING", issuer).isOk(200).json()).isEqualTo(intCa);

        Answer chain = calls.get("/api/v1/ca/issuing/chain", issuer).isOk(200);
        assertThat(chain.contentType()).startsWith("application/pem-certificate-chain");
        List<X509Certificate> certificates = certificates(chain.body());
        assertThat(certificates).hasSize(2);
        Files.writeString(dir.resolve("int.pem"), pem(certificates.get(0)));
        Files.writeString(dir.resolve("root.pem"), pem(certificates.get(1)));
        Answer p7b = calls.get("/api/v1/ca/issuing/chain?format=p7b", issuer).isOk(200);
        assertThat(p7b.contentType()).startsWith("application/pkcs7-mime");
        Files.write(dir.resolve("chain.p7b"), p7b.bytes());
        assertThat(ok(dir, Tools.openssl(), "pkcs7", "-inform", "DER", "-in", "chain.p7b", "-print_certs", "-noout"))
                .contains("subject=CN = Issuing CA, O = Signet Tests")
                .contains("subject=CN = Root-1");

        Map<String, String> purposes = new LinkedHashMap<>();
        purposes.put("tls-server", "sslserver");
        purposes.put("tls-client", "sslclient");
        purposes.put("code-signing", "any");
        purposes.put("timestamping", "timestampsign");
        for (var entry : purposes.entrySet()) {
            String profile = entry.getKey();
            String csr = opensslCsr(
                    profile + ".example.test",
                    profile.startsWith("tls") ? "subjectAltName=DNS:" + profile + ".example.test" : null);
            Answer issued = calls.post("/api/v1/ca/issuing/issue", issuer, Map.of("profile", profile, "csrPem", csr))
                    .isOk(201);
            JsonNode json = issued.json();
            assertThat(json.path("profile").asString()).isEqualTo(profile);
            assertThat(json.path("ca").asString()).isEqualTo("issuing");
            assertThat(json.path("status").asString()).isEqualTo("valid");
            assertThat(json.path("keyAlgorithm").asString()).isEqualTo("ec-p256");
            assertThat(json.path("subject").asString()).isEqualTo("CN=" + profile + ".example.test");
            assertThat(json.path("serial").asString()).matches("[0-9a-f]{1,40}");
            assertThat(certificates(json.path("chainPem").asString())).hasSize(2);
            assertThat(issued.headers().firstValue("Location"))
                    .hasValue("/api/v1/certificates/" + json.path("serial").asString() + "?ca=issuing");
            Files.writeString(
                    dir.resolve("leaf.pem"), json.path("certificatePem").asString());

            assertThat(verify("-purpose", entry.getValue())).as(profile).contains("leaf.pem: OK");
        }

        for (String profile : List.of("tls-client", "tls-server")) {
            String csr = keytoolCsr(profile, "keytool-" + profile + ".example.test");
            JsonNode json = calls.post("/api/v1/ca/issuing/issue", issuer, Map.of("profile", profile, "csrPem", csr))
                    .isOk(201)
                    .json();
            assertThat(json.path("sans").get(0).asString()).isEqualTo("dns:keytool-" + profile + ".example.test");
            Files.writeString(
                    dir.resolve("leaf.pem"), json.path("certificatePem").asString());
            assertThat(verify("-purpose", profile.equals("tls-client") ? "sslclient" : "sslserver"))
                    .contains("leaf.pem: OK");
        }

        String serial = calls.get("/api/v1/certificates?profile=tls-server&q=keytool", issuer)
                .isOk(200)
                .json()
                .path("certificates")
                .get(0)
                .path("serial")
                .asString();
        Answer shown = calls.get("/api/v1/certificates/" + serial, issuer).isOk(200);
        X509Certificate leaf = certificates(shown.text("certificatePem")).getFirst();
        Answer der = calls.get("/api/v1/certificates/" + serial + "?format=der", issuer)
                .isOk(200);
        assertThat(der.contentType()).startsWith("application/pkix-cert");
        assertThat(der.bytes()).isEqualTo(leaf.getEncoded());
        Answer pem = calls.get(
                        "/api/v1/certificates/" + serial.toUpperCase(java.util.Locale.ROOT) + "?format=pem", issuer)
                .isOk(200);
        assertThat(certificates(pem.body())).containsExactly(leaf);
        Answer withChain = calls.get("/api/v1/certificates/" + serial + "?format=p7b", issuer)
                .isOk(200);
        Files.write(dir.resolve("leaf.p7b"), withChain.bytes());
        assertThat(ok(dir, Tools.openssl(), "pkcs7", "-inform", "DER", "-in", "leaf.p7b", "-print_certs", "-noout")
                        .lines()
                        .filter(l -> l.startsWith("subject="))
                        .count())
                .isEqualTo(3);

        List<AuditRecord> issuedEvents = bean(AuditLog.class).recent(50, "certificate.issued");
        assertThat(issuedEvents)
                .filteredOn(r -> "root".equals(r.actor()))
                .hasSize(6)
                .allSatisfy(r -> assertThat(r.details()).contains("\"ca\":\"issuing\""));
        assertThat(bean(AuditLog.class).recent(10, "ca.created"))
                .extracting(AuditRecord::subject, AuditRecord::actor)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("Root-1", "root"),
                        org.assertj.core.groups.Tuple.tuple("issuing", "root"));
    }

    @Test
    void generateWhenPkcs12OrPemThenOpensslAndKeytoolOpenItAndTheKeyIsNotStored() throws Exception {
        createCa("root", "ec-p256", null);
        createCa("issuing", "ec-p384", "root");
        writeChainFiles("issuing");
        long sealedBefore = sealedSecrets();

        Map<String, Object> request = new LinkedHashMap<>();
        request.put("profile", "tls-server");
        request.put("subject", "CN=gen.example.test,O=Signet Tests");
        request.put("sans", List.of("dns:gen.example.test", "ip:10.0.0.1"));
        request.put("format", "p12");
        request.put("password", KEY_PASSWORD);
        Answer p12 = calls.post("/api/v1/ca/issuing/generate", issuer, request).isOk(201);
        assertThat(p12.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        assertThat(p12.json().path("sans"))
                .extracting(JsonNode::asString)
                .containsExactly("dns:gen.example.test", "ip:10.0.0.1");
        assertThat(p12.json().path("keyAlgorithm").asString()).isEqualTo("ec-p256");
        Files.write(dir.resolve("out.p12"), Base64.getDecoder().decode(p12.text("pkcs12Base64")));

        assertThat(ok(
                        dir,
                        Tools.openssl(),
                        "pkcs12",
                        "-info",
                        "-nokeys",
                        "-in",
                        "out.p12",
                        "-passin",
                        "pass:" + KEY_PASSWORD))
                .contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC")
                .contains("subject=CN = gen.example.test, O = Signet Tests")
                .doesNotContain("RC2")
                .doesNotContain("3DES");
        assertThat(ok(
                        dir,
                        Tools.keytool(),
                        "-list",
                        "-v",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        "out.p12",
                        "-storepass",
                        KEY_PASSWORD))
                .contains("PrivateKeyEntry", "Certificate chain length: 3");
        ok(
                dir,
                Tools.openssl(),
                "pkcs12",
                "-in",
                "out.p12",
                "-passin",
                "pass:" + KEY_PASSWORD,
                "-clcerts",
                "-nokeys",
                "-out",
                "leaf.pem");
        assertThat(verify("-purpose", "sslserver")).contains("leaf.pem: OK");

        Answer pem = calls.post(
                        "/api/v1/ca/issuing/generate",
                        issuer,
                        Map.of(
                                "profile", "tls-client",
                                "subject", "CN=pem client",
                                "sans", List.of("email:client@example.test"),
                                "key", "rsa-2048",
                                "validityDays", 30,
                                "format", "pem",
                                "password", KEY_PASSWORD))
                .isOk(201);
        assertThat(pem.text("privateKeyPem")).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat(certificates(pem.text("chainPem"))).hasSize(2);
        Files.writeString(dir.resolve("key.pem"), pem.text("privateKeyPem"));
        Files.writeString(dir.resolve("leaf.pem"), pem.text("certificatePem"));
        assertThat(ok(dir, Tools.openssl(), "pkey", "-in", "key.pem", "-passin", "pass:" + KEY_PASSWORD, "-pubout"))
                .isEqualTo(ok(dir, Tools.openssl(), "x509", "-in", "leaf.pem", "-noout", "-pubkey"));
        assertThat(verify("-purpose", "sslclient")).contains("leaf.pem: OK");
        assertThat(Duration.between(
                        java.time.Instant.parse(pem.text("notBefore")), java.time.Instant.parse(pem.text("notAfter"))))
                .isBetween(Duration.ofDays(30), Duration.ofDays(30).plusMinutes(1));

        // Nothing new was sealed: the generated keys left in the answers and nowhere else.
        assertThat(sealedSecrets()).isEqualTo(sealedBefore);
        calls.post(
                        "/api/v1/ca/issuing/generate",
                        issuer,
                        Map.of("profile", "tls-server", "subject", "CN=x", "password", "short"))
                .isProblem(400, "password.too_short");
    }

    @Test
    void revokeWhenCertificateRevokedThenCrlAtItsCdpAndOcspAtItsAiaSayRevokedToOpensslAndJava() throws Exception {
        createCa("root", "ec-p256", null);
        createCa("issuing", "ec-p384", "root");
        writeChainFiles("issuing");
        String csr = opensslCsr("www.example.test", "subjectAltName=DNS:www.example.test");
        JsonNode issued = calls.post("/api/v1/ca/issuing/issue", issuer, Map.of("profile", "tls-server", "csrPem", csr))
                .isOk(201)
                .json();
        String serial = issued.path("serial").asString();
        Files.writeString(dir.resolve("leaf.pem"), issued.path("certificatePem").asString());
        X509Certificate leaf =
                certificates(issued.path("certificatePem").asString()).getFirst();
        X509Certificate intermediate =
                certificates(Files.readString(dir.resolve("int.pem"))).getFirst();
        X509Certificate rootCert =
                certificates(Files.readString(dir.resolve("root.pem"))).getFirst();

        String cdp = crlDistributionPoint(leaf);
        assertThat(cdp).isEqualTo(server.base() + "/ca/issuing/crl");
        assertThat(ocspUrl(leaf)).isEqualTo(server.base() + "/ca/issuing/ocsp");
        assertThat(calls.fetch(caIssuersUrl(leaf), "*/*").isOk(200).bytes()).isEqualTo(intermediate.getEncoded());

        assertThat(opensslOcsp())
                .contains("leaf.pem: good")
                .contains("Response verify OK")
                .contains("OCSP Nonce");
        pkix(List.of(leaf, intermediate), rootCert, crls(cdp, crlDistributionPoint(intermediate)));
        long numberBefore = crlNumber(calls.fetch(cdp, "*/*").bytes());

        JsonNode revoked = calls.post(
                        "/api/v1/ca/issuing/revoke",
                        admin,
                        Map.of("serial", serial.toUpperCase(java.util.Locale.ROOT), "reason", "keyCompromise"))
                .isOk(200)
                .json();
        assertThat(revoked.path("status").asString()).isEqualTo("revoked");
        assertThat(revoked.path("revocationReason").asString()).isEqualTo("key-compromise");
        assertThat(revoked.path("revokedAt").asString()).isNotBlank();
        calls.post("/api/v1/ca/issuing/revoke", admin, Map.of("serial", serial, "reason", "superseded"))
                .isProblem(409, "certificate.already_revoked");
        calls.post("/api/v1/ca/issuing/revoke", admin, Map.of("serial", "0abc", "reason", "superseded"))
                .isProblem(404, "certificate.not_found");
        calls.post("/api/v1/ca/root/revoke", admin, Map.of("serial", serial, "reason", "superseded"))
                .isProblem(404, "certificate.not_found");

        Answer derCrl = calls.fetch(cdp, "*/*").isOk(200);
        assertThat(derCrl.contentType()).startsWith("application/pkix-crl");
        assertThat(crlNumber(derCrl.bytes())).isEqualTo(numberBefore + 1);
        Files.write(dir.resolve("int.crl"), derCrl.bytes());
        assertThat(ok(dir, Tools.openssl(), "crl", "-inform", "DER", "-in", "int.crl", "-noout", "-text"))
                .contains("Serial Number: ")
                .contains(serial.toUpperCase(java.util.Locale.ROOT))
                .contains("Key Compromise")
                .contains("Issuer: CN = issuing");
        Answer pemCrl = calls.fetch(cdp, "application/x-pem-file").isOk(200);
        assertThat(pemCrl.body()).startsWith("-----BEGIN X509 CRL-----");
        assertThat(calls.fetch(cdp + "?format=pem", "*/*").body()).isEqualTo(pemCrl.body());
        Files.writeString(dir.resolve("int.crl.pem"), pemCrl.body());
        Tools.Result checked = Tools.run(
                dir,
                Tools.openssl(),
                "verify",
                "-crl_check",
                "-CRLfile",
                "int.crl.pem",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "int.pem",
                "leaf.pem");
        assertThat(checked.exit()).isNotZero();
        assertThat(checked.output()).contains("certificate revoked");

        assertThat(opensslOcsp())
                .contains("leaf.pem: revoked")
                .contains("Reason: keyCompromise")
                .contains("Response verify OK");
        List<X509CRL> crls = crls(cdp, crlDistributionPoint(intermediate));
        assertThatThrownBy(() -> pkix(List.of(leaf, intermediate), rootCert, crls))
                .isInstanceOfSatisfying(
                        CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(CertPathValidatorException.BasicReason.REVOKED));

        // OCSP over GET (RFC 6960 A.1), URL-encoded as the RFC says and with the raw base64 too.
        OCSPReq request = ocspRequestWithSlash(intermediate, leaf.getSerialNumber());
        String base64 = Base64.getEncoder().encodeToString(request.getEncoded());
        for (String path : List.of(URLEncoder.encode(base64, StandardCharsets.US_ASCII), base64)) {
            Answer get = calls.fetch(server.base() + "/ca/issuing/ocsp/" + path, "*/*")
                    .isOk(200);
            assertThat(get.contentType()).startsWith("application/ocsp-response");
            BasicOCSPResp basic = basic(get.bytes(), intermediate);
            assertThat(basic.getResponses()[0].getCertStatus()).isInstanceOf(RevokedStatus.class);
            assertThat(basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce))
                    .isNotNull();
        }
        // Bad OCSP input: a malformedRequest OCSP response, never a 500; an unknown CA: unauthorized.
        assertThat(ocspStatus(ocspPost("issuing", "not an OCSP request".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(OCSPResp.MALFORMED_REQUEST);
        assertThat(ocspStatus(ocspPost("issuing", new byte[0]))).isEqualTo(OCSPResp.MALFORMED_REQUEST);
        assertThat(ocspStatus(ocspPost("issuing", new byte[20_000]))).isEqualTo(OCSPResp.MALFORMED_REQUEST);
        assertThat(ocspStatus(calls.fetch(server.base() + "/ca/issuing/ocsp/not-base64!!", "*/*")
                        .isOk(200)
                        .bytes()))
                .isEqualTo(OCSPResp.MALFORMED_REQUEST);
        assertThat(ocspStatus(ocspPost("nosuchca", request.getEncoded()))).isEqualTo(OCSPResp.UNAUTHORIZED);
        assertThat(ocspStatus(ocspPost("root", request.getEncoded()))).isEqualTo(OCSPResp.UNAUTHORIZED);
        calls.fetch(server.base() + "/ca/nosuchca/crl", "*/*").isProblem(404, "ca.not_found");

        assertThat(bean(AuditLog.class).recent(10, "certificate.revoked"))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.actor()).isEqualTo("root");
                    assertThat(r.subject()).isEqualTo(serial);
                    assertThat(r.reason()).isEqualTo("key-compromise");
                });

        // The CRL is signed again past half its period (lazily, or by the scheduled pass), numbered up.
        clock.advance(Duration.ofHours(13));
        long lazily = crlNumber(calls.fetch(cdp, "*/*").bytes());
        assertThat(lazily).isEqualTo(numberBefore + 2);
        assertThat(crlNumber(calls.fetch(cdp, "*/*").bytes())).isEqualTo(lazily);
        clock.advance(Duration.ofHours(13));
        bean(CaService.class).maintain();
        assertThat(storedCrlNumber("issuing")).isEqualTo(lazily + 1);
        assertThat(crlNumber(calls.get("/api/v1/ca/issuing/crl", issuer).bytes()))
                .isEqualTo(lazily + 1);
        X509CRL latest = crl(calls.fetch(cdp, "*/*").bytes());
        assertThat(latest.getRevokedCertificate(leaf.getSerialNumber())).isNotNull();
        assertThat(latest.getThisUpdate().toInstant()).isAfter(clock.instant().minusSeconds(5));
    }

    @Test
    void ocspResponderWhenTwoThirdsOfItsLifeHavePassedThenRenewedAndStillAnswering() throws Exception {
        createCa("root", "ec-p256", null);
        createCa("issuing", "ed25519", "root");
        X509Certificate intermediate = bean(CaService.class).chain("issuing").getFirst();
        JsonNode leaf = calls.post(
                        "/api/v1/ca/issuing/generate",
                        issuer,
                        Map.of("profile", "tls-client", "subject", "CN=client", "password", KEY_PASSWORD))
                .isOk(201)
                .json();
        BigInteger serial = new BigInteger(leaf.path("serial").asString(), 16);
        X509CertificateHolder first = basic(
                        ocspPost("issuing", ocspRequest(intermediate, serial).getEncoded()), intermediate)
                .getCerts()[0];

        clock.advance(Duration.ofDays(21));
        BasicOCSPResp later =
                basic(ocspPost("issuing", ocspRequest(intermediate, serial).getEncoded()), intermediate);
        X509CertificateHolder second = later.getCerts()[0];
        assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        assertThat(later.getResponses()[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
        assertThat(calls.get("/api/v1/certificates?ca=issuing&profile=ocsp-signing", issuer)
                        .json()
                        .path("total")
                        .asLong())
                .isEqualTo(2);
        assertThat(bean(AuditLog.class).recent(20, "certificate.issued"))
                .filteredOn(r -> CaService.SYSTEM_ACTOR.equals(r.actor()))
                .hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void revokeWhenTwoNodesRevokeAtOnceThenCrlNumbersOnlyGrowAndTheLastCrlListsEveryRevocation() throws Exception {
        createCa("root", "ec-p256", null);
        createCa("issuing", "ec-p256", "root");
        List<String> serials = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            serials.add(generate("CN=client " + i, List.of(), "tls-client", 30));
        }
        // A second node: its own caches and locks, the same database.
        CaService here = bean(CaService.class);
        CaService otherNode = new CaService(
                bean(Store.class),
                bean(dev.signet.server.store.KeyRing.class),
                bean(AuditLog.class),
                clock,
                server::base,
                CaService.Settings.defaults());
        long before = storedCrlNumber("issuing");

        List<java.util.concurrent.Future<IssuedCertificate>> revocations = new ArrayList<>();
        try (var executor = java.util.concurrent.Executors.newFixedThreadPool(6)) {
            for (int i = 0; i < serials.size(); i++) {
                CaService node = i % 2 == 0 ? here : otherNode;
                String serial = serials.get(i);
                revocations.add(executor.submit(
                        () -> node.revoke("issuing", serial, dev.signet.core.pki.RevocationReason.SUPERSEDED, "root")));
            }
            for (var revocation : revocations) {
                assertThat(revocation.get().status()).isEqualTo(IssuedCertificate.Status.REVOKED);
            }
        }

        // Every revocation signed one CRL, each numbered one more than the one it replaced.
        assertThat(storedCrlNumber("issuing")).isEqualTo(before + serials.size());
        X509CRL crl = crl(
                calls.fetch(server.base() + "/ca/issuing/crl", "*/*").isOk(200).bytes());
        assertThat(crlNumber(crl.getEncoded())).isEqualTo(before + serials.size());
        for (String serial : serials) {
            assertThat(crl.getRevokedCertificate(new BigInteger(serial, 16)))
                    .as(serial)
                    .isNotNull();
        }
        assertThat(bean(AuditLog.class).recent(50, "certificate.revoked")).hasSize(serials.size());
    }

    @Test
    void revokeWhenIntermediateRevokedByItsRootThenItIssuesNothingAndTheRootPublishesIt() throws Exception {
        createCa("root", "ec-p256", null);
        JsonNode intCa = createCa("issuing", "ec-p256", "root");
        writeChainFiles("issuing");
        X509Certificate rootCert =
                certificates(Files.readString(dir.resolve("root.pem"))).getFirst();
        String csr = opensslCsr("late.example.test", null);
        issue("tls-client", csr).isOk(201);

        calls.post(
                        "/api/v1/ca/root/revoke",
                        admin,
                        Map.of("serial", intCa.path("serial").asString(), "reason", "ca-compromise"))
                .isOk(200);

        issue("tls-client", csr).isProblem(409, "ca.revoked");
        calls.post("/api/v1/ca", admin, Map.of("name", "below", "key", "ec-p256", "parent", "issuing"))
                .isProblem(409, "ca.revoked");
        BasicOCSPResp basic = basic(
                ocspPost(
                        "root",
                        ocspRequest(
                                        rootCert,
                                        new BigInteger(intCa.path("serial").asString(), 16))
                                .getEncoded()),
                rootCert);
        assertThat(basic.getResponses()[0].getCertStatus()).isInstanceOf(RevokedStatus.class);
        X509CRL rootCrl = crl(calls.fetch(server.base() + "/ca/root/crl", "*/*").bytes());
        assertThat(rootCrl.getRevokedCertificate(
                        new BigInteger(intCa.path("serial").asString(), 16)))
                .isNotNull();
        // It still publishes for what it issued.
        calls.fetch(server.base() + "/ca/issuing/crl", "*/*").isOk(200);
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void issueWhenInputIsBadThenStableCodesAndNothingIsStored() throws Exception {
        createCa("root", "ec-p256", null);
        createCa("issuing", "ec-p384", "root");
        String good = opensslCsr("good.example.test", "subjectAltName=DNS:good.example.test");
        byte[] der = java.util.Base64.getMimeDecoder()
                .decode(good.replaceAll("-----[A-Z ]+-----", "").strip());
        byte[] broken = der.clone();
        broken[broken.length - 3] ^= 0x01; // inside the signature value
        String brokenPem = "-----BEGIN CERTIFICATE REQUEST-----\n"
                + Base64.getMimeEncoder().encodeToString(broken)
                + "\n-----END CERTIFICATE REQUEST-----\n";
        String body = good.replaceAll("-----[A-Z ]+-----", "").strip();
        String truncated = "-----BEGIN CERTIFICATE REQUEST-----\n" + body.substring(0, body.length() / 2)
                + "\n-----END CERTIFICATE REQUEST-----\n";
        String rsa1024 = opensslCsr("small", null, "-newkey", "rsa:1024");
        String sha1 = opensslCsr("sha1", null, "-newkey", "rsa:2048", "-sha1");
        String emailSan = opensslCsr("mail", "subjectAltName=email:someone@example.test");
        Stored before = stored();

        issue("tls-server", "this is not a CSR").isProblem(400, "csr.malformed");
        issue("tls-server", truncated).isProblem(400, "csr.malformed");
        issue("tls-server", brokenPem).isProblem(400, "csr.bad_signature");
        issue("tls-server", rsa1024).isProblem(400, "csr.key_too_small");
        issue("tls-server", sha1).isProblem(400, "csr.forbidden_algorithm");
        issue("tls-server", emailSan).isProblem(400, "profile.san_not_allowed");
        issue("no-such-profile", good).isProblem(400, "profile.unknown");
        issue("sub-ca", good).isProblem(400, "profile.reserved");
        issue("ocsp-signing", good).isProblem(400, "profile.reserved");
        calls.post(
                        "/api/v1/ca/issuing/issue",
                        issuer,
                        Map.of("profile", "tls-server", "csrPem", good, "validityDays", 399))
                .isProblem(400, "profile.validity_too_long");
        calls.post(
                        "/api/v1/ca/issuing/issue",
                        issuer,
                        Map.of("profile", "tls-server", "csrPem", good, "validityDays", 0))
                .isProblem(400, "profile.bad_validity");
        calls.post("/api/v1/ca/issuing/issue", issuer, Map.of("profile", "tls-server"))
                .isProblem(400, "csr.malformed");
        calls.post("/api/v1/ca/issuing/issue", issuer, "{\"profile\":\"tls-server\",\"csr\":\"x\"}")
                .isProblem(400, "request.invalid");
        calls.post("/api/v1/ca/issuing/issue", issuer, "{not json").isProblem(400, "request.malformed");
        calls.post("/api/v1/ca/nope/issue", issuer, Map.of("profile", "tls-server", "csrPem", good))
                .isProblem(404, "ca.not_found");
        calls.post(
                        "/api/v1/ca/issuing/generate",
                        issuer,
                        Map.of(
                                "profile",
                                "tls-server",
                                "subject",
                                "CN=x",
                                "sans",
                                List.of("smtp:x@example.test"),
                                "password",
                                KEY_PASSWORD))
                .isProblem(400, "csr.bad_san");
        calls.post(
                        "/api/v1/ca/issuing/generate",
                        issuer,
                        Map.of(
                                "profile",
                                "tls-server",
                                "subject",
                                "CN=x",
                                "sans",
                                List.of("email:x@example.test"),
                                "password",
                                KEY_PASSWORD))
                .isProblem(400, "profile.san_not_allowed");
        calls.post(
                        "/api/v1/ca/issuing/generate",
                        issuer,
                        Map.of(
                                "profile",
                                "tls-server",
                                "subject",
                                "CN=x",
                                "key",
                                "ml-dsa-65",
                                "password",
                                KEY_PASSWORD))
                .isProblem(400, "profile.key_not_allowed");
        calls.post(
                        "/api/v1/ca/issuing/generate",
                        issuer,
                        Map.of("profile", "tls-server", "subject", "not a name", "password", KEY_PASSWORD))
                .isProblem(400, "subject.invalid");
        calls.post(
                        "/api/v1/ca/issuing/generate",
                        issuer,
                        Map.of("profile", "tls-server", "subject", "CN=x", "format", "jks", "password", KEY_PASSWORD))
                .isProblem(400, "request.invalid");
        calls.post("/api/v1/ca/issuing/revoke", admin, Map.of("serial", "xyz", "reason", "superseded"))
                .isProblem(400, "serial.invalid");
        calls.post("/api/v1/ca/issuing/revoke", admin, Map.of("serial", "1234", "reason", "certificateHold"))
                .isProblem(400, "revocation.reason_unknown");
        calls.post("/api/v1/ca", admin, Map.of("name", "ROOT", "key", "ec-p256"))
                .isProblem(409, "ca.taken");
        calls.post("/api/v1/ca", admin, Map.of("name", "../x", "key", "ec-p256"))
                .isProblem(400, "ca.name_invalid");
        calls.post("/api/v1/ca", admin, Map.of("name", "x".repeat(65), "key", "ec-p256"))
                .isProblem(400, "ca.name_invalid");
        calls.post("/api/v1/ca", admin, Map.of("name", "dsa", "key", "dsa-1024"))
                .isProblem(400, "key.unknown");
        calls.post("/api/v1/ca", admin, Map.of("name", "sub", "key", "ec-p256", "parent", "nope"))
                .isProblem(404, "ca.not_found");
        calls.post("/api/v1/ca", admin, Map.of("name", "sub", "key", "ec-p256", "parent", "issuing"))
                .isProblem(400, "ca.path_length_exceeded");
        calls.post(
                        "/api/v1/ca",
                        admin,
                        Map.of("name", "sub", "key", "ec-p256", "parent", "root", "subject", "CN=x,DC=example"))
                .isProblem(400, "profile.subject_not_allowed");
        calls.post("/api/v1/ca", admin, Map.of("name", "old", "key", "ec-p256", "validityDays", 20000))
                .isProblem(400, "profile.validity_too_long");
        calls.get("/api/v1/certificates/zz", issuer).isProblem(400, "serial.invalid");
        calls.get("/api/v1/certificates/abcdef", issuer).isProblem(404, "certificate.not_found");
        calls.get("/api/v1/certificates?status=lost", issuer).isProblem(400, "request.invalid");
        calls.get("/api/v1/ca/nope/chain", issuer).isProblem(404, "ca.not_found");

        assertThat(stored()).isEqualTo(before);
    }

    // ------------------------------------------------------------------ offline root, import

    @Test
    void offlineRootWhenExportedThenKeyIsGoneIntermediateStillIssuesAndItComesBackOnline() throws Exception {
        JsonNode rootCa = createCa("root", "ec-p256", null);
        createCa("issuing", "ec-p384", "root");
        createCa("other", "ec-p256", null);
        writeChainFiles("issuing");
        String csr = opensslCsr("after.example.test", "subjectAltName=DNS:after.example.test");

        calls.post("/api/v1/ca/root/offline", admin, Map.of("password", "too short"))
                .isProblem(400, "password.too_short");
        calls.post("/api/v1/ca/issuing/offline", admin, Map.of("password", PASSWORD))
                .isProblem(400, "ca.not_root");
        long crlNumber = storedCrlNumber("root");
        Answer exported = calls.post("/api/v1/ca/root/offline", admin, Map.of("password", PASSWORD))
                .isOk(200);
        assertThat(exported.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        byte[] pkcs12 = Base64.getDecoder().decode(exported.text("pkcs12Base64"));
        assertThat(sealedKeyOf("root")).isEmpty();
        assertThat(sealedKeyOf("issuing")).isPresent();
        assertThat(calls.get("/api/v1/ca/root", issuer).json().path("status").asString())
                .isEqualTo("offline");
        assertThat(storedCrlNumber("root")).isEqualTo(crlNumber + 1);
        Files.write(dir.resolve("root.p12"), pkcs12);
        assertThat(ok(
                        dir,
                        Tools.openssl(),
                        "pkcs12",
                        "-info",
                        "-nokeys",
                        "-in",
                        "root.p12",
                        "-passin",
                        "pass:" + PASSWORD))
                .contains("subject=CN = root")
                .contains("AES-256-CBC");

        issue("root", "tls-server", csr).isProblem(409, "ca.offline");
        calls.post("/api/v1/ca/root/revoke", admin, Map.of("serial", "1234", "reason", "superseded"))
                .isProblem(409, "ca.offline");
        calls.post("/api/v1/ca", admin, Map.of("name", "second", "key", "ec-p256", "parent", "root"))
                .isProblem(409, "ca.offline");
        calls.post("/api/v1/ca/root/offline", admin, Map.of("password", PASSWORD))
                .isProblem(409, "ca.offline");
        JsonNode leaf = issue("issuing", "tls-server", csr).isOk(201).json();
        Files.writeString(dir.resolve("leaf.pem"), leaf.path("certificatePem").asString());
        assertThat(verify("-purpose", "sslserver")).contains("leaf.pem: OK");
        // Still published while offline: the last CRL signed, and OCSP for its intermediate.
        assertThat(crlNumber(calls.fetch(rootCa.path("crlUrl").asString(), "*/*")
                        .isOk(200)
                        .bytes()))
                .isEqualTo(crlNumber + 1);
        X509Certificate rootCert =
                certificates(Files.readString(dir.resolve("root.pem"))).getFirst();
        X509Certificate intermediate =
                certificates(Files.readString(dir.resolve("int.pem"))).getFirst();
        assertThat(basic(
                                ocspPost(
                                        "root",
                                        ocspRequest(rootCert, intermediate.getSerialNumber())
                                                .getEncoded()),
                                rootCert)
                        .getResponses()[0]
                        .getCertStatus())
                .isEqualTo(CertificateStatus.GOOD);

        String otherP12 = calls.post("/api/v1/ca/other/offline", admin, Map.of("password", PASSWORD))
                .isOk(200)
                .text("pkcs12Base64");
        calls.post("/api/v1/ca/root/online", admin, Map.of("pkcs12Base64", otherP12, "password", PASSWORD))
                .isProblem(400, "ca.key_mismatch");
        calls.post(
                        "/api/v1/ca/root/online",
                        admin,
                        Map.of("pkcs12Base64", exported.text("pkcs12Base64"), "password", "wrong password here!"))
                .isProblem(400, "import.bad_password");
        calls.post("/api/v1/ca/root/online", admin, Map.of("pkcs12Base64", "bm90IGEgcDEy", "password", PASSWORD))
                .isProblem(400, "import.malformed");
        assertThat(sealedKeyOf("root")).isEmpty();

        JsonNode online = calls.post(
                        "/api/v1/ca/root/online",
                        admin,
                        Map.of("pkcs12Base64", exported.text("pkcs12Base64"), "password", PASSWORD))
                .isOk(200)
                .json();
        assertThat(online.path("status").asString()).isEqualTo("active");
        assertThat(sealedKeyOf("root")).isPresent();
        calls.post(
                        "/api/v1/ca/root/online",
                        admin,
                        Map.of("pkcs12Base64", exported.text("pkcs12Base64"), "password", PASSWORD))
                .isProblem(409, "ca.online");
        createCa("second", "ec-p256", "root");
        assertThat(bean(AuditLog.class).recent(10, "ca.offline"))
                .extracting(AuditRecord::subject, AuditRecord::actor)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("root", "root"),
                        org.assertj.core.groups.Tuple.tuple("other", "root"));
        assertThat(bean(AuditLog.class).recent(10, "ca.online"))
                .extracting(AuditRecord::subject)
                .containsExactly("root");
    }

    @Test
    void importWhenExistingCaFromPemOrPkcs12ThenItIssuesUnderTheCompanyRoot() throws Exception {
        // The company's root and issuing CA, made by openssl.
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
                "company-root.key",
                "-out",
                "root.pem",
                "-subj",
                "/CN=Company Root/O=Company",
                "-days",
                "3650",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
        ok(
                dir,
                Tools.openssl(),
                "req",
                "-new",
                "-newkey",
                "rsa:3072",
                "-nodes",
                "-keyout",
                "company-int.key",
                "-out",
                "company-int.csr",
                "-subj",
                "/CN=Company Issuing/O=Company");
        Files.writeString(
                dir.resolve("ext.cnf"),
                "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\n"
                        + "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
        ok(
                dir,
                Tools.openssl(),
                "x509",
                "-req",
                "-in",
                "company-int.csr",
                "-CA",
                "root.pem",
                "-CAkey",
                "company-root.key",
                "-CAcreateserial",
                "-days",
                "1000",
                "-extfile",
                "ext.cnf",
                "-out",
                "int.pem");
        // The server's clock stood still since the test began; openssl's certificates start now.
        clock.advance(Duration.between(clock.instant(), java.time.Instant.now()).plusSeconds(1));
        String intPem = Files.readString(dir.resolve("int.pem"));
        String rootPem = Files.readString(dir.resolve("root.pem"));

        Map<String, Object> pemImport = new LinkedHashMap<>();
        pemImport.put("name", "company-issuing");
        pemImport.put("certificatesPem", intPem + rootPem);
        pemImport.put("privateKeyPem", Files.readString(dir.resolve("company-int.key")));
        Stored before = stored();
        calls.post("/api/v1/ca/import", issuer, pemImport).isProblem(403, "auth.insufficient_scope");
        Map<String, Object> wrongKey = new LinkedHashMap<>(pemImport);
        wrongKey.put("privateKeyPem", Files.readString(dir.resolve("company-root.key")));
        calls.post("/api/v1/ca/import", admin, wrongKey).isProblem(400, "import.key_mismatch");
        calls.post("/api/v1/ca/import", admin, Map.of("name", "x", "certificatesPem", rootPem))
                .isProblem(400, "request.invalid");
        assertThat(stored()).isEqualTo(before);

        JsonNode imported =
                calls.post("/api/v1/ca/import", admin, pemImport).isOk(201).json();
        assertThat(imported.path("kind").asString()).isEqualTo("imported");
        assertThat(imported.path("keyAlgorithm").asString()).isEqualTo("rsa-3072");
        assertThat(imported.path("subject").asString()).isEqualTo("CN=Company Issuing,O=Company");
        assertThat(imported.path("parent").isNull()).isTrue();
        calls.post(
                        "/api/v1/ca/import",
                        admin,
                        Map.of(
                                "name",
                                "again",
                                "certificatesPem",
                                intPem,
                                "privateKeyPem",
                                Files.readString(dir.resolve("company-int.key"))))
                .isProblem(409, "ca.taken");

        JsonNode leaf = issue(
                        "company-issuing",
                        "tls-server",
                        opensslCsr("svc.company.test", "subjectAltName=DNS:svc.company.test"))
                .isOk(201)
                .json();
        Files.writeString(dir.resolve("leaf.pem"), leaf.path("certificatePem").asString());
        assertThat(verify("-purpose", "sslserver")).contains("leaf.pem: OK");
        assertThat(certificates(leaf.path("chainPem").asString())).hasSize(2);

        // A PKCS#12 export of the company's root, made by openssl 3 (AES-256-CBC, PBKDF2).
        ok(
                dir,
                Tools.openssl(),
                "pkcs12",
                "-export",
                "-in",
                "root.pem",
                "-inkey",
                "company-root.key",
                "-out",
                "root.p12",
                "-passout",
                "pass:" + KEY_PASSWORD);
        JsonNode fromP12 = calls.post(
                        "/api/v1/ca/import",
                        admin,
                        Map.of(
                                "name",
                                "company-root",
                                "pkcs12Base64",
                                Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("root.p12"))),
                                "password",
                                KEY_PASSWORD))
                .isOk(201)
                .json();
        assertThat(fromP12.path("subject").asString()).isEqualTo("CN=Company Root,O=Company");
        JsonNode sub = createCa("signet-under-company", "ec-p256", "company-root");
        assertThat(sub.path("parent").asString()).isEqualTo("company-root");
        assertThat(bean(AuditLog.class).recent(10, "ca.imported"))
                .extracting(AuditRecord::subject)
                .containsExactlyInAnyOrder("company-issuing", "company-root");
    }

    // ------------------------------------------------------------------ scopes, inventory

    @Test
    void scopesWhenTokenLacksTheScopeThenForbiddenAndPublicationNeedsNoToken() throws Exception {
        createCa("root", "ec-p256", null);
        createCa("issuing", "ec-p256", "root");
        String csr = opensslCsr("scoped.example.test", null);
        String serial = issue("tls-client", csr).isOk(201).text("serial");
        String readUsers = token(Scopes.USERS_READ);
        String adminOnly = token(Scopes.CA_ADMIN);

        calls.post("/api/v1/ca", issuer, Map.of("name", "x", "key", "ec-p256"))
                .isProblem(403, "auth.insufficient_scope");
        calls.post("/api/v1/ca/issuing/revoke", issuer, Map.of("serial", serial))
                .isProblem(403, "auth.insufficient_scope");
        calls.post("/api/v1/ca/root/offline", issuer, Map.of("password", PASSWORD))
                .isProblem(403, "auth.insufficient_scope");
        calls.get("/api/v1/ca", readUsers).isProblem(403, "auth.insufficient_scope");
        calls.get("/api/v1/certificates", readUsers).isProblem(403, "auth.insufficient_scope");
        calls.post("/api/v1/ca/issuing/issue", adminOnly, Map.of("profile", "tls-client", "csrPem", csr))
                .isProblem(403, "auth.insufficient_scope");
        calls.get("/api/v1/ca", null).isProblem(401, "auth.token_required");
        calls.get("/api/v1/ca", adminOnly).isOk(200);
        calls.get("/api/v1/certificates/" + serial, issuer).isOk(200);

        assertThat(calls.fetch(server.base() + "/ca/issuing/crl", "*/*")
                        .isOk(200)
                        .contentType())
                .startsWith("application/pkix-crl");
        assertThat(calls.fetch(server.base() + "/ca/ISSUING/cert", "*/*")
                        .isOk(200)
                        .contentType())
                .startsWith("application/pkix-cert");
        calls.post("/api/v1/ca/issuing/revoke", adminOnly, Map.of("serial", serial, "reason", "superseded"))
                .isOk(200);
    }

    @Test
    void certificatesWhenSearchingAndFilteringByExpiryThenTheInventoryAnswers() throws Exception {
        createCa("root", "ec-p256", null);
        createCa("issuing", "ec-p256", "root");
        String soon = generate("CN=alpha.example.test", List.of("dns:alpha.example.test"), "tls-server", 10);
        String later = generate("CN=beta.example.test", List.of("dns:api.beta.example.test"), "tls-server", 30);
        String client = generate("CN=Carol Client", List.of("email:carol@example.test"), "tls-client", 90);
        String signer = generate("CN=Release Signing,O=Example", List.of(), "code-signing", 365);

        assertThat(serials("")).hasSize(4 + 2 + 1); // and the two OCSP responders, and the intermediate itself
        assertThat(serials("q=ALPHA")).containsExactly(soon);
        assertThat(serials("q=api.beta")).containsExactly(later);
        assertThat(serials("q=carol@")).containsExactly(client);
        assertThat(serials("q=" + signer.substring(0, 12))).containsExactly(signer);
        assertThat(serials("q=%25")).isEmpty();
        assertThat(serials("profile=tls-server")).containsExactlyInAnyOrder(soon, later);
        assertThat(serials("ca=issuing&profile=code-signing")).containsExactly(signer);
        assertThat(serials("ca=root&profile=sub-ca")).hasSize(1);
        assertThat(serials("profile=tls-server&expiringWithinDays=15")).containsExactly(soon);
        assertThat(serials("profile=tls-server&expiringWithinDays=45")).containsExactly(soon, later);
        assertThat(serials("expiringWithinDays=45")).hasSize(4); // the OCSP responders live 30 days
        JsonNode page = calls.get("/api/v1/certificates?profile=tls-server&limit=1&offset=1", issuer)
                .isOk(200)
                .json();
        assertThat(page.path("total").asLong()).isEqualTo(2);
        assertThat(page.path("certificates")).hasSize(1);
        assertThat(page.path("certificates").get(0).propertyNames())
                .containsExactlyInAnyOrder(
                        "serial",
                        "ca",
                        "subject",
                        "sans",
                        "profile",
                        "keyAlgorithm",
                        "notBefore",
                        "notAfter",
                        "status",
                        "revokedAt",
                        "revocationReason");

        calls.post("/api/v1/ca/issuing/revoke", admin, Map.of("serial", client, "reason", "affiliation-changed"))
                .isOk(200);
        assertThat(serials("status=revoked")).containsExactly(client);
        assertThat(serials("status=valid&profile=tls-client")).isEmpty();

        clock.advance(Duration.ofDays(20));
        assertThat(serials("status=expired")).containsExactly(soon);
        assertThat(serials("profile=tls-server&expiringWithinDays=15")).containsExactly(later);
        assertThat(calls.get("/api/v1/certificates/" + soon, issuer)
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("expired");
        assertThat(calls.get("/api/v1/certificates/" + client, issuer)
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("revoked");

        // A serial used by two CAs (made here by hand; random 128-bit serials do not collide) needs ca=.
        Store store = bean(Store.class);
        String rootId = calls.get("/api/v1/ca/root", issuer).text("id");
        store.jdbc()
                .sql("INSERT INTO ca_certificate (id, ca_id, serial, subject, subject_key, sans, sans_key, profile,"
                        + " key_algorithm, not_before, not_after, status, der, requested_by, issued_at)"
                        + " SELECT 'copy', ?, serial, subject, subject_key, sans, sans_key, profile, key_algorithm,"
                        + " not_before, not_after, status, der, requested_by, issued_at FROM ca_certificate"
                        + " WHERE serial = ?")
                .params(rootId, signer)
                .update();
        calls.get("/api/v1/certificates/" + signer, issuer).isProblem(400, "certificate.ambiguous");
        assertThat(calls.get("/api/v1/certificates/" + signer + "?ca=issuing", issuer)
                        .isOk(200)
                        .text("ca"))
                .isEqualTo("issuing");
        assertThatThrownBy(() -> store.jdbc()
                        .sql(
                                "INSERT INTO ca_certificate (id, ca_id, serial, subject, subject_key, profile, key_algorithm,"
                                        + " not_before, not_after, status, der, issued_at) VALUES ('dup', ?, ?, 's', 's', 'p',"
                                        + " 'k', 0, 0, 'VALID', 'x', 0)")
                        .params(rootId, signer)
                        .update())
                .isInstanceOf(org.springframework.dao.DataAccessException.class);
    }

    // ------------------------------------------------------------------ helpers

    <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }

    String token(String... scopes) {
        return bean(TokenService.class)
                .create(root, "test", Set.of(scopes), Optional.empty(), "test")
                .secret();
    }

    JsonNode createCa(String name, String key, String parent) {
        return createCa(name, key, parent, Map.of());
    }

    JsonNode createCa(String name, String key, String parent, Map<String, Object> more) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("key", key);
        if (parent != null) {
            body.put("parent", parent);
        }
        body.putAll(more);
        Answer created = calls.post("/api/v1/ca", admin, body).isOk(201);
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/ca/" + name);
        return created.json();
    }

    Answer issue(String profile, String csrPem) {
        return issue("issuing", profile, csrPem);
    }

    Answer issue(String ca, String profile, String csrPem) {
        return calls.post("/api/v1/ca/" + ca + "/issue", issuer, Map.of("profile", profile, "csrPem", csrPem));
    }

    String generate(String subject, List<String> sans, String profile, int days) {
        return calls.post(
                        "/api/v1/ca/issuing/generate",
                        issuer,
                        Map.of(
                                "profile",
                                profile,
                                "subject",
                                subject,
                                "sans",
                                sans,
                                "validityDays",
                                days,
                                "format",
                                "pem",
                                "password",
                                KEY_PASSWORD))
                .isOk(201)
                .text("serial");
    }

    List<String> serials(String query) {
        JsonNode list =
                calls.get("/api/v1/certificates?" + query, issuer).isOk(200).json();
        List<String> serials = new ArrayList<>();
        list.path("certificates").forEach(c -> serials.add(c.path("serial").asString()));
        assertThat(list.path("total").asLong()).isEqualTo(serials.size());
        return serials;
    }

    /** A PEM CSR made by {@code openssl req} (EC P-256 unless {@code keyOptions} say otherwise). */
    String opensslCsr(String cn, String extension, String... keyOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(Tools.openssl(), "req", "-new"));
        if (keyOptions.length == 0) {
            command.addAll(List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"));
        } else {
            command.addAll(List.of(keyOptions));
        }
        command.addAll(List.of("-nodes", "-keyout", "csr.key", "-subj", "/CN=" + cn, "-out", "req.pem"));
        if (extension != null) {
            command.addAll(List.of("-addext", extension));
        }
        ok(dir, command.toArray(String[]::new));
        return Files.readString(dir.resolve("req.pem"));
    }

    /** A PEM CSR made by {@code keytool -certreq} for an EC P-256 key with a DNS SAN. */
    String keytoolCsr(String alias, String dns) throws Exception {
        ok(
                dir,
                Tools.keytool(),
                "-genkeypair",
                "-keystore",
                "ks.p12",
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + dns,
                "-noprompt");
        ok(
                dir,
                Tools.keytool(),
                "-certreq",
                "-keystore",
                "ks.p12",
                "-storepass",
                "changeit",
                "-alias",
                alias,
                "-ext",
                "SAN=dns:" + dns,
                "-file",
                alias + ".csr");
        return Files.readString(dir.resolve(alias + ".csr"));
    }

    void writeChainFiles(String ca) throws Exception {
        List<X509Certificate> chain = certificates(
                calls.get("/api/v1/ca/" + ca + "/chain", issuer).isOk(200).body());
        Files.writeString(dir.resolve("int.pem"), pem(chain.get(0)));
        Files.writeString(dir.resolve("root.pem"), pem(chain.get(chain.size() - 1)));
    }

    String verify(String... options) throws Exception {
        List<String> command =
                new ArrayList<>(List.of(Tools.openssl(), "verify", "-CAfile", "root.pem", "-untrusted", "int.pem"));
        command.addAll(List.of(options));
        command.add("leaf.pem");
        return ok(dir, command.toArray(String[]::new));
    }

    String opensslOcsp() throws Exception {
        return ok(
                dir,
                Tools.openssl(),
                "ocsp",
                "-issuer",
                "int.pem",
                "-cert",
                "leaf.pem",
                "-url",
                server.base() + "/ca/issuing/ocsp",
                "-CAfile",
                "root.pem",
                "-resp_text");
    }

    static List<X509Certificate> certificates(String pem) throws Exception {
        List<X509Certificate> list = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            list.add((X509Certificate) c);
        }
        return list;
    }

    static String pem(X509Certificate certificate) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    static X509CRL crl(byte[] der) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    }

    static long crlNumber(byte[] der) throws Exception {
        byte[] extension = crl(der).getExtensionValue(Extension.cRLNumber.getId());
        return ASN1Integer.getInstance(ASN1OctetString.getInstance(extension).getOctets())
                .getValue()
                .longValueExact();
    }

    List<X509CRL> crls(String... urls) throws Exception {
        List<X509CRL> crls = new ArrayList<>();
        for (String url : urls) {
            crls.add(crl(calls.fetch(url, "*/*").isOk(200).bytes()));
        }
        return crls;
    }

    /** Java's own PKIX validation with CRLs (no OCSP, no fetching), at the server clock's time. */
    void pkix(List<X509Certificate> path, X509Certificate anchor, List<X509CRL> crls) throws Exception {
        CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        parameters.setRevocationEnabled(true);
        parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
        parameters.setDate(Date.from(clock.instant()));
        CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
    }

    static String crlDistributionPoint(X509Certificate certificate) throws Exception {
        Extension extension = new JcaX509CertificateHolder(certificate).getExtension(Extension.cRLDistributionPoints);
        GeneralNames names = (GeneralNames) CRLDistPoint.getInstance(extension.getParsedValue())
                .getDistributionPoints()[0]
                .getDistributionPoint()
                .getName();
        return ASN1IA5String.getInstance(names.getNames()[0].getName()).getString();
    }

    static String ocspUrl(X509Certificate certificate) throws Exception {
        return accessLocation(certificate, AccessDescription.id_ad_ocsp);
    }

    static String caIssuersUrl(X509Certificate certificate) throws Exception {
        return accessLocation(certificate, AccessDescription.id_ad_caIssuers);
    }

    private static String accessLocation(X509Certificate certificate, org.bouncycastle.asn1.ASN1ObjectIdentifier method)
            throws Exception {
        Extension extension = new JcaX509CertificateHolder(certificate).getExtension(Extension.authorityInfoAccess);
        for (AccessDescription d : AuthorityInformationAccess.getInstance(extension.getParsedValue())
                .getAccessDescriptions()) {
            if (d.getAccessMethod().equals(method)) {
                GeneralName name = d.getAccessLocation();
                return ASN1IA5String.getInstance(name.getName()).getString();
            }
        }
        throw new AssertionError("no access location " + method);
    }

    static OCSPReq ocspRequest(X509Certificate issuerCertificate, BigInteger serial) throws Exception {
        return ocspRequest(issuerCertificate, serial, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    }

    static OCSPReq ocspRequest(X509Certificate issuerCertificate, BigInteger serial, byte[] nonce) throws Exception {
        var digests = new JcaDigestCalculatorProviderBuilder().build();
        CertificateID id = new CertificateID(
                digests.get(CertificateID.HASH_SHA1), new JcaX509CertificateHolder(issuerCertificate), serial);
        return new OCSPReqBuilder()
                .addRequest(id)
                .setRequestExtensions(new Extensions(new Extension(
                        OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                        false,
                        new DEROctetString(new DEROctetString(nonce)))))
                .build();
    }

    /** A request whose base64 holds "/" (so GET has to carry it), found by varying the nonce. */
    static OCSPReq ocspRequestWithSlash(X509Certificate issuerCertificate, BigInteger serial) throws Exception {
        for (int i = 0; ; i++) {
            OCSPReq request =
                    ocspRequest(issuerCertificate, serial, BigInteger.valueOf(i).toByteArray());
            String base64 = Base64.getEncoder().encodeToString(request.getEncoded());
            if (base64.contains("/") && base64.contains("+")) {
                return request;
            }
        }
    }

    byte[] ocspPost(String ca, byte[] request) {
        Answer answer = calls.send(
                        "POST",
                        server.uri("/ca/" + ca + "/ocsp"),
                        null,
                        "application/ocsp-request",
                        request,
                        "application/ocsp-response")
                .isOk(200);
        assertThat(answer.contentType()).startsWith("application/ocsp-response");
        return answer.bytes();
    }

    static int ocspStatus(byte[] response) throws Exception {
        return new OCSPResp(response).getStatus();
    }

    /** The successful, signed response, its signature checked with the responder certificate it carries. */
    static BasicOCSPResp basic(byte[] response, X509Certificate issuerCertificate) throws Exception {
        OCSPResp resp = new OCSPResp(response);
        assertThat(resp.getStatus()).isEqualTo(OCSPResp.SUCCESSFUL);
        BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
        X509CertificateHolder responder = basic.getCerts()[0];
        assertThat(responder.getIssuer().getEncoded())
                .isEqualTo(issuerCertificate.getSubjectX500Principal().getEncoded());
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder()
                        .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                        .build(responder)))
                .isTrue();
        return basic;
    }

    Optional<String> sealedKeyOf(String ca) {
        return bean(Store.class)
                .jdbc()
                .sql("SELECT private_key FROM ca WHERE name_key = ?")
                .param(ca)
                .query((rs, n) -> Optional.ofNullable(rs.getString(1)))
                .single();
    }

    long storedCrlNumber(String ca) {
        return bean(Store.class)
                .jdbc()
                .sql("SELECT l.crl_number FROM ca_crl l JOIN ca c ON c.id = l.ca_id WHERE c.name_key = ?")
                .param(ca)
                .query(Long.class)
                .single();
    }

    /** Sealed secrets of any kind: CA keys, responder keys, server secrets. */
    long sealedSecrets() {
        Store store = bean(Store.class);
        return store.jdbc()
                        .sql("SELECT COUNT(*) FROM ca WHERE private_key IS NOT NULL")
                        .query(Long.class)
                        .single()
                + store.jdbc()
                        .sql("SELECT COUNT(*) FROM ca_responder")
                        .query(Long.class)
                        .single()
                + store.jdbc()
                        .sql("SELECT COUNT(*) FROM app_secret")
                        .query(Long.class)
                        .single();
    }

    /** What a refused request must leave alone. */
    record Stored(long cas, long certificates, long revoked, long auditEntries, long crlNumbers) {}

    Stored stored() {
        Store store = bean(Store.class);
        return new Stored(
                store.jdbc().sql("SELECT COUNT(*) FROM ca").query(Long.class).single(),
                store.jdbc()
                        .sql("SELECT COUNT(*) FROM ca_certificate")
                        .query(Long.class)
                        .single(),
                store.jdbc()
                        .sql("SELECT COUNT(*) FROM ca_certificate WHERE status = 'REVOKED'")
                        .query(Long.class)
                        .single(),
                bean(AuditLog.class).size(),
                store.jdbc()
                        .sql("SELECT COALESCE(SUM(crl_number), 0) FROM ca_crl")
                        .query(Long.class)
                        .single());
    }
}
