package dev.signet.bench.ca;

import dev.signet.core.pki.CertificateAuthority;
import dev.signet.core.pki.Issuer;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.KeySigner;
import dev.signet.core.pki.Profiles;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issuance from a CSR (profile tls-server) by an intermediate whose key is {@link #key}, against the
 * raw signature rate of that same key with the algorithm and provider the issuer signs with
 * ({@link KeyAlgorithm#signatureAlgorithm()}, {@link KeyAlgorithm#signatureProvider()}), over the
 * DER TBSCertificate of a certificate that issuer made (so the message is the size it signs). Both
 * also report the process's CPU time ({@link CpuTime}), for comparing them on a shared machine.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Thread)
public class IssuanceBench {
    @Param({"ec-p256", "rsa-2048"})
    public String key;

    private Issuer issuer;
    private byte[][] csrs;
    private int next;
    private byte[] tbs;
    private Signature signature;
    private KeySigner signer;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        KeyAlgorithm algorithm = KeyAlgorithm.byId(key).orElseThrow();
        CertificateAuthority ca = Fixtures.intermediate(algorithm);
        issuer = new Issuer(ca, Fixtures.URLS, Fixtures.CLOCK);
        csrs = Fixtures.csrPool();
        X509Certificate sample = issuer.issue(csrs[0], Profiles.TLS_SERVER);
        tbs = sample.getTBSCertificate();
        signer = (KeySigner) ca.signer();
        signature = Signature.getInstance(algorithm.signatureAlgorithm(), algorithm.signatureProvider());
        signature.initSign(signer.privateKey());
        System.out.println("# " + key + ": TBSCertificate " + tbs.length + " bytes, certificate "
                + sample.getEncoded().length + " bytes, signature " + algorithm.signatureAlgorithm() + " by "
                + algorithm.signatureProvider().getName());
    }

    /** One certificate from a CSR: every request check, the profile's extensions, the signature. */
    @Benchmark
    public X509Certificate issue(CpuTime cpu) {
        byte[] csr = csrs[next];
        next = (next + 1) & (Fixtures.POOL - 1);
        return issuer.issue(csr, Profiles.TLS_SERVER);
    }

    /** The raw signature rate: one Signature object, initialised once, signing the TBS bytes. */
    @Benchmark
    public byte[] rawSign(CpuTime cpu) throws Exception {
        signature.update(tbs);
        return signature.sign();
    }

    /** The issuer's own signing call (breakdown): KeySigner makes a new Signature per call. */
    @Benchmark
    public byte[] keySignerSign() {
        return signer.sign(tbs);
    }
}
