package dev.signet.core.password;

import dev.signet.core.crypto.Secure;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashing (<a href="https://www.rfc-editor.org/rfc/rfc9106">RFC 9106</a>) with
 * Bouncy Castle's generator, encoded as a PHC string: {@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}
 * (salt and hash in unpadded standard base64).
 *
 * <p>Defaults follow the OWASP password storage recommendation (m=19 MiB, t=2, p=1). Verification
 * compares in constant time and reads the parameters from the stored string, so hashes made with
 * older parameters still verify; {@link #needsRehash} says when to upgrade one.
 */
public final class Argon2id {
    /** Salt length in bytes (RFC 9106 recommends 16). */
    public static final int SALT_BYTES = 16;
    /** Tag length in bytes. */
    public static final int HASH_BYTES = 32;

    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final java.util.regex.Pattern COSTS =
            java.util.regex.Pattern.compile("m=([1-9][0-9]{0,8}),t=([1-9][0-9]{0,2}),p=([1-9][0-9]{0,2})");

    /** Cost parameters. */
    public record Params(int memoryKiB, int iterations, int parallelism) {
        public static final Params DEFAULT = new Params(19_456, 2, 1);

        /** Upper bounds for a hash Signet will verify: one hostile stored string cannot exhaust memory. */
        public static final int MAX_MEMORY_KIB = 256 * 1024;

        public static final int MAX_ITERATIONS = 16;
        public static final int MAX_PARALLELISM = 16;

        public Params {
            if (parallelism < 1
                    || parallelism > MAX_PARALLELISM
                    || iterations < 1
                    || iterations > MAX_ITERATIONS
                    || (long) memoryKiB < 8L * parallelism
                    || memoryKiB > MAX_MEMORY_KIB) {
                throw new IllegalArgumentException(
                        "invalid Argon2id parameters: m=" + memoryKiB + ", t=" + iterations + ", p=" + parallelism);
            }
        }
    }

    private final Params params;
    private final Argon2BytesGenerator.BlockPool blocks;
    private final java.util.concurrent.Semaphore running;

    /**
     * An instance hashing with {@code params}. It keeps the 1 KiB memory blocks of finished hashes
     * for the next ones, up to {@code params.memoryKiB()} blocks per processor: a hash at the default
     * cost allocates 19 MiB, and without reuse a steady stream of sign-ins turns into garbage
     * collection (measured: 108 young collections and a heap grown to 3–6 GB in a minute of
     * sign-ins, against 9 collections and about 300 MB with reuse).
     *
     * <p>At most one hash per processor runs at once; the others wait their turn, first come first
     * served. Hashing is CPU-bound, so waiting costs no throughput, and every running hash then finds
     * its blocks in the pool: measured with 4 concurrent sign-ins on 2 CPUs, hashes beyond the pool
     * allocated 19 MiB each and grew the heap to 6 GB (docs/benchmarks.md, "OpenID Connect vs
     * Keycloak"). A waiting thread holds nothing a running hash needs, so this cannot deadlock.
     */
    public Argon2id(Params params) {
        this.params = params;
        int processors = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.blocks = new Argon2BytesGenerator.FixedBlockPool(params.memoryKiB() * processors);
        this.running = new java.util.concurrent.Semaphore(processors, true);
    }

    public Params params() {
        return params;
    }

    /** Hashes with a fresh random salt. */
    public String hash(CharSequence password) {
        byte[] salt = Secure.randomBytes(SALT_BYTES);
        byte[] hash = derive(password, salt, params, HASH_BYTES);
        return "$argon2id$v=19$m=" + params.memoryKiB() + ",t=" + params.iterations() + ",p=" + params.parallelism()
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /** True when {@code encoded} is an Argon2id PHC string for {@code password}. False for anything else. */
    public boolean verify(CharSequence password, String encoded) {
        Optional<Parsed> parsed = parse(encoded);
        if (parsed.isEmpty()) {
            return false;
        }
        Parsed p = parsed.get();
        byte[] candidate = derive(password, p.salt(), p.params(), p.hash().length);
        return Secure.constantTimeEquals(candidate, p.hash());
    }

    /** True when {@code encoded} was not made with this instance's parameters. */
    public boolean needsRehash(String encoded) {
        return parse(encoded).map(p -> !p.params().equals(params)).orElse(true);
    }

    private record Parsed(Params params, byte[] salt, byte[] hash) {}

    private static Optional<Parsed> parse(String encoded) {
        if (encoded == null) {
            return Optional.empty();
        }
        String[] parts = encoded.split("\\$", -1);
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (parts.length != 6 || !parts[0].isEmpty() || !"argon2id".equals(parts[1]) || !"v=19".equals(parts[2])) {
            return Optional.empty();
        }
        java.util.regex.Matcher costs = COSTS.matcher(parts[3]);
        if (!costs.matches()) {
            return Optional.empty();
        }
        try {
            int m = Integer.parseInt(costs.group(1));
            int t = Integer.parseInt(costs.group(2));
            int par = Integer.parseInt(costs.group(3));
            byte[] salt = B64D.decode(parts[4]);
            byte[] hash = B64D.decode(parts[5]);
            // canonical base64 only (unpadded, no stray bits), as every PHC writer emits
            if (salt.length < 8
                    || hash.length < 16
                    || !B64.encodeToString(salt).equals(parts[4])
                    || !B64.encodeToString(hash).equals(parts[5])) {
                return Optional.empty();
            }
            return Optional.of(new Parsed(new Params(m, t, par), salt, hash));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private byte[] derive(CharSequence password, byte[] salt, Params params, int length) {
        running.acquireUninterruptibly();
        try {
            return derive(password, salt, params, length, blocks);
        } finally {
            running.release();
        }
    }

    private static byte[] derive(
            CharSequence password, byte[] salt, Params params, int length, Argon2BytesGenerator.BlockPool blocks) {
        Argon2Parameters p = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withBlockPool(blocks)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(params.memoryKiB())
                .withIterations(params.iterations())
                .withParallelism(params.parallelism())
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(p);
        byte[] out = new byte[length];
        byte[] pw = password.toString().getBytes(StandardCharsets.UTF_8);
        generator.generateBytes(pw, out);
        java.util.Arrays.fill(pw, (byte) 0);
        return out;
    }
}
