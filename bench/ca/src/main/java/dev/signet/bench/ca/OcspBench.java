package dev.signet.bench.ca;

import dev.signet.core.pki.CertificateAuthority;
import dev.signet.core.pki.Issuer;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.KeySigner;
import dev.signet.core.pki.OcspResponder;
import dev.signet.core.pki.Profiles;
import dev.signet.core.pki.RevocationStatus;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * OCSP responses in-process: {@link OcspResponder#respond(byte[])} on one DER request (SHA-1
 * CertID, with a 16-byte nonce, as {@code openssl ocsp} sends) for a good serial, answered by a
 * delegated EC P-256 OCSP signer of an EC P-256 intermediate. The status lookup is an in-memory
 * answer, so this is the responder's own cost: parse, look up, build, sign, encode.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Thread)
public class OcspBench {
    private OcspResponder responder;
    private byte[] request;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        CertificateAuthority ca = Fixtures.intermediate(KeyAlgorithm.EC_P256);
        Issuer issuer = new Issuer(ca, Fixtures.URLS, Fixtures.CLOCK);
        KeyPair responderKeys = KeyAlgorithm.EC_P256.generateKeyPair();
        byte[] responderCsr = new JcaPKCS10CertificationRequestBuilder(
                        new X500Name("CN=Signet Bench OCSP"), responderKeys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA")
                        .setProvider(KeyAlgorithm.EC_P256.signatureProvider())
                        .build(responderKeys.getPrivate()))
                .getEncoded();
        X509Certificate responderCertificate = issuer.issue(responderCsr, Profiles.OCSP_SIGNING);
        X509Certificate leaf =
                issuer.issue(Fixtures.csr("ocsp-leaf.example.test", KeyAlgorithm.EC_P256), Profiles.TLS_SERVER);
        BigInteger good = leaf.getSerialNumber();
        responder = new OcspResponder(
                ca.certificate(),
                responderCertificate,
                new KeySigner(KeyAlgorithm.EC_P256, responderKeys),
                serial -> serial.equals(good) ? Optional.of(new RevocationStatus.Good()) : Optional.empty(),
                Duration.ofHours(1),
                Fixtures.CLOCK);
        CertificateID id = new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new X509CertificateHolder(ca.certificate().getEncoded()),
                good);
        request = new OCSPReqBuilder()
                .addRequest(id)
                .setRequestExtensions(new Extensions(new Extension(
                        OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                        false,
                        new DEROctetString(new DEROctetString(new byte[16])))))
                .build()
                .getEncoded();
        // The answer must be a signed "good", or the rate means nothing.
        OCSPResp response = new OCSPResp(responder.respond(request));
        BasicOCSPResp basic = (BasicOCSPResp) response.getResponseObject();
        if (response.getStatus() != OCSPResp.SUCCESSFUL || basic.getResponses()[0].getCertStatus() != null) {
            throw new IllegalStateException("the responder did not answer good");
        }
        System.out.println("# OCSP request " + request.length + " bytes, response " + responder.respond(request).length
                + " bytes, responder key EC P-256");
    }

    @Benchmark
    public byte[] respond() {
        return responder.respond(request);
    }
}
