import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The physical limit of batch signing, measured by bench/sign.sh in the same run as the rest: how
 * fast this JVM hashes (SHA-256, in memory and over the benchmark's files from the page cache, one
 * thread) and signs raw digests with an EC P-256 key (SHA256withECDSA with the provider Signet's
 * server signs with, Bouncy Castle, the key translated once as {@code KeySigner} does; one thread).
 * Each rate is the best of 5 rounds of about a second, after a warm-up.
 *
 * <p>Run with the signet jars on the class path (bench/sign.sh does):
 * {@code java -cp 'signet-cli/target/signet/lib/*' bench/SignLimit.java FILES_DIR}.
 * Prints {@code key=value} lines.
 */
public final class SignLimit {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        long bytes = 0;
        for (Path f : files) {
            bytes += Files.size(f);
        }

        // SHA-256 in memory: the JDK's (SHA-NI intrinsic where the CPU has it), 1 MiB updates.
        byte[] block = new byte[1 << 20];
        new java.util.Random(1).nextBytes(block);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        double memRate = best(5, () -> {
            long n = 0;
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 1_000_000_000L) {
                for (int i = 0; i < 64; i++) {
                    md.update(block);
                }
                n += 64L << 20;
            }
            md.digest();
            return n / ((System.nanoTime() - t0) / 1e9);
        }, 2);

        // SHA-256 of the files themselves, read from the page cache through a FileChannel.
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        long total = bytes;
        double fileRate = best(3, () -> {
            long t0 = System.nanoTime();
            for (Path f : files) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    buffer.clear();
                    while (ch.read(buffer) >= 0) {
                        buffer.flip();
                        md.update(buffer);
                        buffer.clear();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                md.digest();
            }
            return total / ((System.nanoTime() - t0) / 1e9);
        }, 1);

        // Raw signatures over 32-byte digests with P-256, as the server's KeySigner makes them.
        java.security.Provider bc = new org.bouncycastle.jce.provider.BouncyCastleProvider();
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        java.security.PrivateKey key = (java.security.PrivateKey)
                java.security.KeyFactory.getInstance("EC", bc).translateKey(pair.getPrivate());
        byte[] digest = new byte[32];
        double signRate = best(5, () -> {
            try {
                long n = 0;
                long t0 = System.nanoTime();
                while (System.nanoTime() - t0 < 1_000_000_000L) {
                    Signature s = Signature.getInstance("SHA256withECDSA", bc);
                    s.initSign(key);
                    s.update(digest);
                    s.sign();
                    digest[0]++;
                    n++;
                }
                return n / ((System.nanoTime() - t0) / 1e9);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, 2);

        System.out.printf(Locale.ROOT, "files=%d%nbytes=%d%n", files.size(), bytes);
        System.out.printf(Locale.ROOT, "java_sha256_memory_bytes_per_s=%.0f%n", memRate);
        System.out.printf(Locale.ROOT, "java_sha256_files_bytes_per_s=%.0f%n", fileRate);
        System.out.printf(Locale.ROOT, "java_p256_signatures_per_s=%.0f%n", signRate);
    }

    interface Round {
        double run() throws Exception;
    }

    private static double best(int rounds, Round round, int warmups) throws Exception {
        for (int i = 0; i < warmups; i++) {
            round.run();
        }
        double best = 0;
        for (int i = 0; i < rounds; i++) {
            best = Math.max(best, round.run());
        }
        return best;
    }
}
