package dev.signet.core.sign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.pki.Pem;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.cmp.PKIFailureInfo;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.ess.SigningCertificateV2;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RFC 3161 TSA against {@code openssl ts} as client and verifier, and Bouncy Castle's parser. */
class TimeStampAuthorityTest {
    private static final Instant NOW = SignPki.ISSUED.plus(Duration.ofMinutes(5));
    private final TimeStampAuthority tsa = SignPki.tsa(Clock.fixed(NOW, ZoneOffset.UTC));

    @TempDir
    Path dir;

    @Test
    void opensslQueryIsGrantedAndVerifies() throws Exception {
        Path data = Files.writeString(dir.resolve("data.txt"), "time-stamp me");
        Tools.ok(dir, Tools.openssl(), "ts", "-query", "-data", data.toString(), "-sha256", "-cert", "-out", "req.tsq");
        byte[] reply = tsa.respond(Files.readAllBytes(dir.resolve("req.tsq")));
        Files.write(dir.resolve("reply.tsr"), reply);

        String text = Tools.ok(dir, Tools.openssl(), "ts", "-reply", "-in", "reply.tsr", "-text");
        assertThat(text)
                .contains("Status: Granted.")
                .contains("Policy OID: " + TimeStampAuthority.DEFAULT_POLICY)
                .contains("Accuracy: 0x01 seconds")
                .contains("Nonce: 0x");
        Files.writeString(dir.resolve("root.pem"), Pem.certificate(SignPki.ROOT.certificate()));
        List<java.security.cert.X509Certificate> chain = tsa.chain();
        Files.writeString(dir.resolve("tsa.pem"), Pem.certificates(chain.subList(0, chain.size() - 1)));
        String verified = Tools.ok(
                dir,
                Tools.openssl(),
                "ts",
                "-verify",
                "-data",
                data.toString(),
                "-in",
                "reply.tsr",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "tsa.pem");
        assertThat(verified).contains("Verification: OK");

        // The reply against other data does not verify.
        Path other = Files.writeString(dir.resolve("other.txt"), "something else");
        assertThat(Tools.run(
                                dir,
                                Tools.openssl(),
                                "ts",
                                "-verify",
                                "-data",
                                other.toString(),
                                "-in",
                                "reply.tsr",
                                "-CAfile",
                                "root.pem",
                                "-untrusted",
                                "tsa.pem")
                        .exit())
                .isNotZero();
    }

    @Test
    void tokenCarriesNonceSerialGenTimeEssCertIdV2AndCertificatesOnlyWhenAsked() throws Exception {
        byte[] imprint = DigestAlgorithm.SHA384.digest(new byte[] {1, 2, 3});
        TimeStampRequestGenerator requests = new TimeStampRequestGenerator();
        requests.setCertReq(true);
        BigInteger nonce = new BigInteger("1234567890123456789");
        TimeStampResponse granted =
                new TimeStampResponse(tsa.respond(requests.generate(NISTObjectIdentifiers.id_sha384, imprint, nonce)
                        .getEncoded()));
        assertThat(granted.getStatus()).isEqualTo(PKIStatus.GRANTED);
        TimeStampToken token = granted.getTimeStampToken();
        assertThat(token.getTimeStampInfo().getNonce()).isEqualTo(nonce);
        assertThat(token.getTimeStampInfo().getGenTime().toInstant()).isEqualTo(NOW);
        assertThat(token.getTimeStampInfo().getMessageImprintDigest()).isEqualTo(imprint);
        assertThat(token.getTimeStampInfo().getSerialNumber().bitLength()).isBetween(1, 128);
        assertThat(token.getCertificates().getMatches(null)).hasSize(tsa.chain().size());
        SigningCertificateV2 essV2 = SigningCertificateV2.getInstance(token.getSignedAttributes()
                .get(PKCSObjectIdentifiers.id_aa_signingCertificateV2)
                .getAttrValues()
                .getObjectAt(0));
        assertThat(essV2.getCerts()).hasSize(1);
        X509CertificateHolder tsaCert =
                new X509CertificateHolder(tsa.chain().get(0).getEncoded());
        token.validate(new JcaSimpleSignerInfoVerifierBuilder().build(tsaCert));

        TimeStampResponse again =
                new TimeStampResponse(tsa.respond(requests.generate(NISTObjectIdentifiers.id_sha384, imprint, nonce)
                        .getEncoded()));
        assertThat(again.getTimeStampToken().getTimeStampInfo().getSerialNumber())
                .isNotEqualTo(token.getTimeStampInfo().getSerialNumber());

        TimeStampRequestGenerator noCerts = new TimeStampRequestGenerator();
        TimeStampResponse bare = new TimeStampResponse(tsa.respond(
                noCerts.generate(NISTObjectIdentifiers.id_sha384, imprint).getEncoded()));
        assertThat(bare.getTimeStampToken().getCertificates().getMatches(null)).isEmpty();
    }

    @Test
    void rejectsBadAlgorithmsWrongLengthsAndMalformedRequests() throws Exception {
        TimeStampRequestGenerator requests = new TimeStampRequestGenerator();
        assertRejected(
                tsa.respond(requests.generate(OIWObjectIdentifiers.idSHA1, new byte[20])
                        .getEncoded()),
                PKIFailureInfo.badAlg);
        assertRejected(
                tsa.respond(requests.generate(NISTObjectIdentifiers.id_sha256, new byte[20])
                        .getEncoded()),
                PKIFailureInfo.badDataFormat);
        assertRejected(tsa.respond(new byte[] {0x30, 0x03, 0x02, 0x01}), PKIFailureInfo.badDataFormat);
        assertRejected(tsa.respond(new byte[0]), PKIFailureInfo.badDataFormat);
        byte[] good =
                requests.generate(NISTObjectIdentifiers.id_sha256, new byte[32]).getEncoded();
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        assertRejected(tsa.respond(trailing), PKIFailureInfo.badDataFormat);
        TimeStampRequestGenerator withExtension = new TimeStampRequestGenerator();
        withExtension.addExtension(
                new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.2.3.4.5"), false, new byte[] {5, 0});
        assertRejected(
                tsa.respond(withExtension
                        .generate(NISTObjectIdentifiers.id_sha256, new byte[32])
                        .getEncoded()),
                PKIFailureInfo.unacceptedExtension);
        requests.setReqPolicy("1.2.3.4");
        assertRejected(
                tsa.respond(requests.generate(NISTObjectIdentifiers.id_sha256, new byte[32])
                        .getEncoded()),
                PKIFailureInfo.unacceptedPolicy);
    }

    @Test
    void opensslMd5QueryIsRejectedAsBadAlg() throws Exception {
        Path data = Files.writeString(dir.resolve("data.txt"), "x");
        Tools.ok(dir, Tools.openssl(), "ts", "-query", "-data", data.toString(), "-md5", "-out", "md5.tsq");
        Files.write(dir.resolve("md5.tsr"), tsa.respond(Files.readAllBytes(dir.resolve("md5.tsq"))));
        assertThat(Tools.ok(dir, Tools.openssl(), "ts", "-reply", "-in", "md5.tsr", "-text"))
                .contains("Status: Rejected")
                .contains("unrecognized or unsupported algorithm identifier");
    }

    private static void assertRejected(byte[] der, int failInfo) throws Exception {
        TimeStampResponse response = new TimeStampResponse(der);
        assertThat(response.getStatus()).isEqualTo(PKIStatus.REJECTION);
        assertThat(response.getFailInfo().intValue() & failInfo)
                .as(response.getStatusString())
                .isEqualTo(failInfo);
        assertThat(response.getTimeStampToken()).isNull();
    }
}
