package dev.signet.bench.ca;

import dev.signet.core.pki.KeyAlgorithm;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
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
 * The ECDSA primitives under an EC issuance, by JCA provider (SunEC, Bouncy Castle), to choose
 * the provider for each by measurement ({@code KeyAlgorithm}):
 *
 * <ul>
 *   <li>sign: one key, one {@code Signature} initialised once, signing a 606-byte message (the size
 *       of a TBSCertificate), as {@code IssuanceBench.rawSign}; for Bouncy Castle with the key
 *       decoded by its own KeyFactory (KeySigner translates the key once, to the same effect).
 *   <li>verify: a key decoded from its SubjectPublicKeyInfo in the same call, then one verification,
 *       as a CSR's proof of possession is checked: every request brings a new key, so nothing
 *       about the key can be precomputed. Keys and signatures from a pool of {@link Fixtures#POOL},
 *       cycled.
 * </ul>
 *
 * <p>Each also reports the process's CPU time ({@link CpuTime}): {@code cpuNanos ÷ score} is CPU
 * nanoseconds per operation, comparable across runs on a shared machine.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Thread)
public class EcdsaBench {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    /** P-256 by default (bench/ca-issuance.sh runs every benchmark); {@code -p key=ec-p256,ec-p384} for both. */
    @Param({"ec-p256"})
    public String key;

    private String algorithmName;
    private byte[] message;
    private byte[][] spki;
    private byte[][] signatures;
    private int next;
    private Signature sunSign;
    private Signature bcSign;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        KeyAlgorithm algorithm = KeyAlgorithm.byId(key).orElseThrow();
        algorithmName = algorithm.signatureAlgorithm();
        message = new byte[606];
        new java.util.Random(1).nextBytes(message);
        spki = new byte[Fixtures.POOL][];
        signatures = new byte[Fixtures.POOL][];
        for (int i = 0; i < Fixtures.POOL; i++) {
            KeyPair keyPair = algorithm.generateKeyPair();
            spki[i] = keyPair.getPublic().getEncoded();
            Signature s = Signature.getInstance(algorithmName, "SunEC");
            s.initSign(keyPair.getPrivate());
            s.update(message);
            signatures[i] = s.sign();
        }
        PrivateKey jdkKey = algorithm.generateKeyPair().getPrivate();
        sunSign = Signature.getInstance(algorithmName, "SunEC");
        sunSign.initSign(jdkKey);
        bcSign = Signature.getInstance(algorithmName, BC);
        bcSign.initSign(KeyFactory.getInstance("EC", BC).generatePrivate(new PKCS8EncodedKeySpec(jdkKey.getEncoded())));
    }

    @Benchmark
    public byte[] signSunEc(CpuTime cpu) throws Exception {
        sunSign.update(message);
        return sunSign.sign();
    }

    @Benchmark
    public byte[] signBc(CpuTime cpu) throws Exception {
        bcSign.update(message);
        return bcSign.sign();
    }

    @Benchmark
    public boolean verifySunEc(CpuTime cpu) throws Exception {
        return verify(Signature.getInstance(algorithmName, "SunEC"), KeyFactory.getInstance("EC", "SunEC"));
    }

    @Benchmark
    public boolean verifyBc(CpuTime cpu) throws Exception {
        return verify(Signature.getInstance(algorithmName, BC), KeyFactory.getInstance("EC", BC));
    }

    private boolean verify(Signature verifier, KeyFactory keys) throws Exception {
        int i = next;
        next = (next + 1) & (Fixtures.POOL - 1);
        PublicKey publicKey = keys.generatePublic(new X509EncodedKeySpec(spki[i]));
        verifier.initVerify(publicKey);
        verifier.update(message);
        if (!verifier.verify(signatures[i])) {
            throw new IllegalStateException("a good signature did not verify");
        }
        return true;
    }
}
