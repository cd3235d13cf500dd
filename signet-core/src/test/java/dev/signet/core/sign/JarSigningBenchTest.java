package dev.signet.core.sign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.pki.Credential;
import dev.signet.core.pki.KeyAlgorithm;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipFile;
import jdk.security.jarsigner.JarSigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a test that runs in CI: signing a 50 MB JAR with {@link JarSignature} against
 * the JDK's {@code jarsigner} (the tool, and its {@link JarSigner} API in this JVM) with a PKCS#12 of
 * the same key. Prints the figures; asserts only that every output verifies. Run with
 * {@code -Dsignet.bench=true -Dtest=JarSigningBenchTest}.
 */
@EnabledIfSystemProperty(named = "signet.bench", matches = "true")
class JarSigningBenchTest {
    @TempDir
    Path dir;

    @Test
    void fiftyMegabyteJar() throws Exception {
        Path jar = bigJar(dir.resolve("big.jar"), 50L << 20);
        Credential credential = SignPki.codeSigning(KeyAlgorithm.EC_P256);
        CmsSigner signer = SignPki.cmsSigner(credential);
        Path p12 = Files.write(dir.resolve("key.p12"), credential.pkcs12("changeit".toCharArray(), "release"));
        int entries;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            entries = zip.size();
        }
        System.out.printf("JAR: %.1f MB, %d entries%n", Files.size(jar) / 1048576.0, entries);

        for (int round = 0; round < 3; round++) {
            Path ours = dir.resolve("ours.jar");
            long start = System.nanoTime();
            JarSignature.sign(jar, ours, signer, "RELEASE", null);
            long signet = System.nanoTime() - start;

            Path api = dir.resolve("api.jar");
            start = System.nanoTime();
            JarSigner jdk = new JarSigner.Builder(
                            credential.privateKey(),
                            CertificateFactory.getInstance("X.509").generateCertPath(credential.chain()))
                    .digestAlgorithm("SHA-256")
                    .signatureAlgorithm("SHA256withECDSA")
                    .signerName("RELEASE")
                    .build();
            try (ZipFile in = new ZipFile(jar.toFile());
                    OutputStream out = Files.newOutputStream(api)) {
                jdk.sign(in, out);
            }
            long jdkApi = System.nanoTime() - start;

            Path tool = dir.resolve("tool.jar");
            start = System.nanoTime();
            Tools.ok(
                    dir,
                    Tools.jdkTool("jarsigner"),
                    "-keystore",
                    p12.toString(),
                    "-storepass",
                    "changeit",
                    "-signedjar",
                    tool.toString(),
                    jar.toString(),
                    "release");
            long jarsigner = System.nanoTime() - start;
            start = System.nanoTime();
            Tools.run(dir, Tools.jdkTool("jarsigner"), "-help");
            long startup = System.nanoTime() - start;

            System.out.printf(
                    "round %d: Signet JarSignature.sign %d ms (out %.1f MB) | JDK JarSigner API in-JVM %d ms (out %.1f MB)"
                            + " | jarsigner tool %d ms (of which JVM start ~%d ms)%n",
                    round,
                    signet / 1_000_000,
                    Files.size(ours) / 1048576.0,
                    jdkApi / 1_000_000,
                    Files.size(api) / 1048576.0,
                    jarsigner / 1_000_000,
                    startup / 1_000_000);
            if (round == 0) {
                JarSignatureTest.assertEverySignedEntryVerifies(ours, credential.certificate());
                assertThat(Files.size(tool)).isPositive();
            }
        }
    }

    @Test
    void cmsSignaturesPerSecond() {
        for (KeyAlgorithm algorithm : new KeyAlgorithm[] {KeyAlgorithm.EC_P256, KeyAlgorithm.ED25519}) {
            Credential credential = SignPki.codeSigning(algorithm);
            CmsSigner signer = SignPki.cmsSigner(credential);
            var raw = SignPki.signer(credential);
            DigestAlgorithm alg = signer.digestAlgorithm();
            byte[] digest = alg.digest(new byte[] {1});
            java.time.Instant now = java.time.Instant.now();
            int n = 5000;
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    raw.sign(digest);
                }
                long rawNanos = System.nanoTime() - start;
                start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    signer.signDetached(alg, digest, now, null);
                }
                long cmsNanos = System.nanoTime() - start;
                System.out.printf(
                        "%s round %d: raw signatures %.0f/s, detached CMS %.0f/s%n",
                        algorithm.id(), round, n * 1e9 / rawNanos, n * 1e9 / cmsNanos);
            }
        }
    }

    /** About {@code size} bytes of JAR: entries of 4-60 KB, half compressible text, half random bytes. */
    static Path bigJar(Path jar, long size) throws IOException {
        Random random = new Random(42);
        byte[] text = "public final class Example { int value; String name() { return \"x\"; } }\n"
                .repeat(2000)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            int i = 0;
            while (Files.size(jar) < size) {
                int length = 4096 + random.nextInt(56 * 1024);
                byte[] data = new byte[length];
                if (i % 2 == 0) {
                    random.nextBytes(data);
                } else {
                    int offset = random.nextInt(text.length - length);
                    System.arraycopy(text, offset, data, 0, length);
                    for (int k = 0; k < length; k += 64) {
                        data[k] = (byte) random.nextInt();
                    }
                }
                out.putNextEntry(new JarEntry("com/example/p" + (i % 40) + "/Entry" + i + ".class"));
                out.write(data);
                out.closeEntry();
                i++;
                if (i % 200 == 0) {
                    out.flush();
                }
            }
        }
        return jar;
    }
}
