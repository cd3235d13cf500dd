package dev.signet.bench.ca;

import dev.signet.core.pki.Issuer;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.Profiles;
import java.io.ByteArrayInputStream;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
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
 * Where an issuance's time goes besides the CA's signature: the proof-of-possession check (parse
 * the CSR and verify its EC P-256 self-signature) and the re-parse of the signed certificate into a
 * JDK X509Certificate (Certs.toX509). The check three ways: as Issuer step 4 does it now ({@link
 * #csrVerifyIssuer}: one java.security.Signature, Bouncy Castle), and through Bouncy Castle's
 * JcaContentVerifierProviderBuilder with SunEC ({@link #csrVerify}) and with Bouncy Castle ({@link
 * #csrVerifyBc}), as step 4 did before: that builder's verifier also runs a second, "raw" ECDSA
 * verification after the real one (to release PKCS#11 sessions), so it costs two verifications.
 * Each also reports the process's CPU time ({@link CpuTime}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Thread)
public class BreakdownBench {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final int CERTIFICATES = 1024;

    private byte[][] csrs;
    private int next;
    private byte[][] certificates;
    private int nextCertificate;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        csrs = Fixtures.csrPool();
        Issuer issuer = new Issuer(Fixtures.intermediate(KeyAlgorithm.EC_P256), Fixtures.URLS, Fixtures.CLOCK);
        certificates = new byte[CERTIFICATES][];
        for (int i = 0; i < CERTIFICATES; i++) {
            certificates[i] = issuer.issue(csrs[i & (Fixtures.POOL - 1)], Profiles.TLS_SERVER)
                    .getEncoded();
        }
    }

    /** Parse a CSR and verify its self-signature with SunEC, through JcaContentVerifierProviderBuilder. */
    @Benchmark
    public boolean csrVerify(CpuTime cpu) throws Exception {
        byte[] der = csrs[next];
        next = (next + 1) & (Fixtures.POOL - 1);
        PKCS10CertificationRequest request = new PKCS10CertificationRequest(der);
        return request.isSignatureValid(
                new JcaContentVerifierProviderBuilder().setProvider("SunEC").build(request.getSubjectPublicKeyInfo()));
    }

    /**
     * Issuer step 1 + step 4 as they are now: parse a CSR, decode its key with the verify provider's
     * KeyFactory, and one Signature verification over the DER CertificationRequestInfo.
     */
    @Benchmark
    public boolean csrVerifyIssuer(CpuTime cpu) throws Exception {
        byte[] der = csrs[next];
        next = (next + 1) & (Fixtures.POOL - 1);
        PKCS10CertificationRequest request = new PKCS10CertificationRequest(der);
        CertificationRequest structure = request.toASN1Structure();
        Provider provider = KeyAlgorithm.EC_P256.verifyProvider();
        PublicKey key = KeyFactory.getInstance("EC", provider)
                .generatePublic(
                        new X509EncodedKeySpec(request.getSubjectPublicKeyInfo().getEncoded(ASN1Encoding.DER)));
        Signature verifier = Signature.getInstance("SHA256withECDSA", provider);
        verifier.initVerify(key);
        verifier.update(structure.getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
        return verifier.verify(structure.getSignature().getOctets());
    }

    /**
     * The same check as {@link #csrVerify} with Bouncy Castle's provider instead of SunEC (BC is not
     * registered globally: a private instance).
     */
    @Benchmark
    public boolean csrVerifyBc(CpuTime cpu) throws Exception {
        byte[] der = csrs[next];
        next = (next + 1) & (Fixtures.POOL - 1);
        PKCS10CertificationRequest request = new PKCS10CertificationRequest(der);
        return request.isSignatureValid(
                new JcaContentVerifierProviderBuilder().setProvider(BC).build(request.getSubjectPublicKeyInfo()));
    }

    /**
     * Certs.toX509: the signed DER back through the JDK's CertificateFactory (distinct certificates,
     * more than the 750 the JDK's X509Factory caches by encoding, cycled, so its cache does not answer).
     */
    @Benchmark
    public Certificate certificateParse(CpuTime cpu) throws Exception {
        byte[] der = certificates[nextCertificate];
        nextCertificate = (nextCertificate + 1) & (CERTIFICATES - 1);
        return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }
}
