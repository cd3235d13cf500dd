package dev.signet.core.pki;

import static dev.signet.core.pki.TestPki.assertFailsWith;
import static dev.signet.core.pki.TestPki.csr;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OCSP responder (RFC 6960) against {@code openssl ocsp} as the client, and Bouncy Castle's parser. */
class OcspResponderTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @TempDir
    Path dir;

    private final CertificateAuthority ca = TestPki.intermediate(KeyAlgorithm.EC_P256);
    private final Issuer issuer = TestPki.issuer();
    private final KeySigner responderSigner = KeySigner.generate(KeyAlgorithm.EC_P256);
    private final X509Certificate responderCertificate = issuer.issue(
            Issuer.csr(new org.bouncycastle.asn1.x500.X500Name("CN=Signet OCSP"), java.util.List.of(), responderSigner),
            Profiles.OCSP_SIGNING);
    private final X509Certificate leaf = issuer.issue(csr("CN=ocsp-leaf", KeyAlgorithm.EC_P256), Profiles.TLS_SERVER);
    private final Map<BigInteger, RevocationStatus> statuses = new ConcurrentHashMap<>();
    private final OcspResponder responder = new OcspResponder(
            ca.certificate(),
            responderCertificate,
            responderSigner,
            serial -> Optional.ofNullable(statuses.get(serial)),
            Duration.ofHours(1),
            TestPki.CLOCK);
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private String url() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] answer = responder.respond(exchange.getRequestBody().readAllBytes());
            exchange.getResponseHeaders().add("Content-Type", "application/ocsp-response");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private String opensslOcsp(X509Certificate certificate) throws Exception {
        Files.writeString(dir.resolve("root.pem"), Pem.certificate(TestPki.ROOT.certificate()));
        Files.writeString(dir.resolve("int.pem"), Pem.certificate(ca.certificate()));
        Files.writeString(dir.resolve("leaf.pem"), Pem.certificate(certificate));
        return Tools.ok(
                dir,
                Tools.openssl(),
                "ocsp",
                "-issuer",
                "int.pem",
                "-cert",
                "leaf.pem",
                "-url",
                url(),
                "-CAfile",
                "root.pem",
                "-resp_text");
    }

    @Test
    void opensslOcspWhenGoodThenGoodAndVerifiedWithNonce() throws Exception {
        statuses.put(leaf.getSerialNumber(), RevocationStatus.good());

        String output = opensslOcsp(leaf);

        assertThat(output).contains("Response verify OK").contains("leaf.pem: good");
        assertThat(output).contains("OCSP Nonce").doesNotContainIgnoringCase("no nonce");
        assertThat(output).contains("Responder Id: ").contains("Cert Status: good");
    }

    @Test
    void opensslOcspWhenRevokedThenRevokedWithReason() throws Exception {
        statuses.put(leaf.getSerialNumber(), RevocationStatus.good());
        assertThat(opensslOcsp(leaf)).contains("leaf.pem: good");
        stop();

        statuses.put(
                leaf.getSerialNumber(),
                RevocationStatus.revoked(Instant.now(TestPki.CLOCK), RevocationReason.KEY_COMPROMISE));
        String output = opensslOcsp(leaf);

        assertThat(output)
                .contains("Response verify OK")
                .contains("leaf.pem: revoked")
                .contains("Reason: keyCompromise")
                .contains("Revocation Time:");
    }

    @Test
    void opensslOcspWhenSerialNeverIssuedThenUnknown() throws Exception {
        String output = opensslOcsp(leaf);

        assertThat(output).contains("Response verify OK").contains("leaf.pem: unknown");
    }

    private OCSPReq request(X509Certificate issuerCertificate, BigInteger serial, Extension... extensions)
            throws Exception {
        DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
        CertificateID id = new CertificateID(
                digests.get(CertificateID.HASH_SHA1),
                new X509CertificateHolder(issuerCertificate.getEncoded()),
                serial);
        OCSPReqBuilder builder = new OCSPReqBuilder().addRequest(id);
        if (extensions.length > 0) {
            builder.setRequestExtensions(new Extensions(extensions));
        }
        return builder.build();
    }

    private static Extension nonce(int length) throws Exception {
        return new Extension(
                OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                false,
                new DEROctetString(new DEROctetString(new byte[length])));
    }

    @Test
    void respondWhenRevokedThenSignatureVerifiesUnderResponderKeyAndFieldsAreSet() throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        statuses.put(
                leaf.getSerialNumber(), RevocationStatus.revoked(NOW.minusSeconds(60), RevocationReason.SUPERSEDED));
        OcspResponder fixed = new OcspResponder(
                ca.certificate(),
                responderCertificate,
                responderSigner,
                serial -> Optional.ofNullable(statuses.get(serial)),
                Duration.ofHours(4),
                clock);

        OCSPResp response = new OCSPResp(fixed.respond(
                request(ca.certificate(), leaf.getSerialNumber(), nonce(32)).getEncoded()));

        assertThat(response.getStatus()).isEqualTo(OCSPRespBuilder.SUCCESSFUL);
        BasicOCSPResp basic = (BasicOCSPResp) response.getResponseObject();
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(responderCertificate)))
                .isTrue();
        assertThat(basic.getCerts()).hasSize(1);
        assertThat(basic.getCerts()[0].getEncoded()).isEqualTo(responderCertificate.getEncoded());
        DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
        assertThat(basic.getResponderId())
                .isEqualTo(new RespID(
                        basic.getCerts()[0].getSubjectPublicKeyInfo(), digests.get(CertificateID.HASH_SHA1)));
        assertThat(basic.getResponderId().toASN1Primitive().getKeyHash()).isNotNull();
        assertThat(basic.getProducedAt().toInstant()).isEqualTo(NOW);
        SingleResp single = basic.getResponses()[0];
        assertThat(single.getThisUpdate().toInstant()).isEqualTo(NOW);
        assertThat(single.getNextUpdate().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(4)));
        RevokedStatus revoked = (RevokedStatus) single.getCertStatus();
        assertThat(revoked.getRevocationReason()).isEqualTo(CRLReason.superseded);
        assertThat(revoked.getRevocationTime().toInstant()).isEqualTo(NOW.minusSeconds(60));
        assertThat(basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce).getExtnValue())
                .isEqualTo(nonce(32).getExtnValue());
    }

    @Test
    void respondWhenGoodWithoutNonceThenGoodAndNoNonce() throws Exception {
        statuses.put(leaf.getSerialNumber(), RevocationStatus.good());

        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(responder.respond(
                        request(ca.certificate(), leaf.getSerialNumber()).getEncoded()))
                .getResponseObject();

        assertThat(basic.getResponses()[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
        assertThat(basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce)).isNull();
    }

    @Test
    void respondWhenNonceOver32OctetsOrEmptyThenMalformedRequest() throws Exception {
        for (int length : new int[] {0, 33, 64}) {
            OCSPResp response =
                    new OCSPResp(responder.respond(request(ca.certificate(), leaf.getSerialNumber(), nonce(length))
                            .getEncoded()));
            assertThat(response.getStatus()).as("nonce of %d", length).isEqualTo(OCSPRespBuilder.MALFORMED_REQUEST);
        }
    }

    @Test
    void respondWhenGarbageOrEmptyOrTruncatedThenMalformedRequest() throws Exception {
        byte[] valid = request(ca.certificate(), leaf.getSerialNumber()).getEncoded();
        byte[][] bad = {
            new byte[0],
            "GET / HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            java.util.Arrays.copyOf(valid, valid.length - 3),
            java.util.Arrays.copyOf(valid, valid.length + 2),
            new byte[] {0x30, (byte) 0x80, 0, 0}
        };
        for (byte[] request : bad) {
            assertThat(new OCSPResp(responder.respond(request)).getStatus())
                    .isEqualTo(OCSPRespBuilder.MALFORMED_REQUEST);
        }
    }

    @Test
    void respondWhenIssuerIsAnotherCaThenUnauthorized() throws Exception {
        OCSPResp response = new OCSPResp(responder.respond(
                request(TestPki.ROOT.certificate(), leaf.getSerialNumber()).getEncoded()));

        assertThat(response.getStatus()).isEqualTo(OCSPRespBuilder.UNAUTHORIZED);
        assertThat(response.getResponseObject()).isNull();
    }

    @Test
    void respondWhenLookupFailsThenInternalError() throws Exception {
        OcspResponder failing = new OcspResponder(
                ca.certificate(),
                responderCertificate,
                responderSigner,
                serial -> {
                    throw new IllegalStateException("database down");
                },
                Duration.ofHours(1),
                TestPki.CLOCK);

        OCSPResp response = new OCSPResp(failing.respond(
                request(ca.certificate(), leaf.getSerialNumber()).getEncoded()));

        assertThat(response.getStatus()).isEqualTo(OCSPRespBuilder.INTERNAL_ERROR);
    }

    @Test
    void respondWhenSerialUnknownThenUnknownStatus() throws Exception {
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(responder.respond(
                        request(ca.certificate(), BigInteger.TEN).getEncoded()))
                .getResponseObject();

        assertThat(basic.getResponses()[0].getCertStatus()).isInstanceOf(UnknownStatus.class);
    }

    @Test
    void newWhenResponderIsNotOcspSignerOrKeyDiffersThenBadResponder() {
        X509Certificate tls = issuer.issue(
                Issuer.csr(
                        new org.bouncycastle.asn1.x500.X500Name("CN=not ocsp"), java.util.List.of(), responderSigner),
                Profiles.TLS_CLIENT);
        assertFailsWith(
                PkiException.OCSP_BAD_RESPONDER,
                () -> new OcspResponder(
                        ca.certificate(),
                        tls,
                        responderSigner,
                        s -> Optional.empty(),
                        Duration.ofHours(1),
                        TestPki.CLOCK));
        assertFailsWith(
                PkiException.OCSP_BAD_RESPONDER,
                () -> new OcspResponder(
                        ca.certificate(),
                        responderCertificate,
                        KeySigner.generate(KeyAlgorithm.EC_P256),
                        s -> Optional.empty(),
                        Duration.ofHours(1),
                        TestPki.CLOCK));
        assertFailsWith(
                PkiException.OCSP_BAD_RESPONDER,
                () -> new OcspResponder(
                        TestPki.ROOT.certificate(),
                        responderCertificate,
                        responderSigner,
                        s -> Optional.empty(),
                        Duration.ofHours(1),
                        TestPki.CLOCK));
    }

    @Test
    void ocspSigningProfileWhenIssuedThenCarriesNoCheckAndOcspSigning() throws Exception {
        assertThat(responderCertificate.getExtensionValue(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck.getId()))
                .isNotNull();
        assertThat(responderCertificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.9");
    }
}
