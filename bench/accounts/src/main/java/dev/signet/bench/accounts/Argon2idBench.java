package dev.signet.bench.accounts;

import dev.signet.core.password.Argon2id;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The raw Argon2id rate at the server's parameters ({@link Argon2id.Params#DEFAULT}: m=19456 KiB,
 * t=2, p=1), the yardstick for password sign-ins over HTTP (bench/signin.sh). Run with {@code -t N}
 * for N threads hashing at once; JMH reports the sum over the threads.
 *
 * <ul>
 *   <li>{@link #verify}: {@code Argon2id.verify} of the right password against a stored PHC string,
 *       i.e. exactly the hash a successful sign-in computes (the server adds only the NFKC
 *       normalisation of the password, which is nothing next to 19 MiB of memory hardness);
 *   <li>{@link #generate}: Bouncy Castle's {@code Argon2BytesGenerator} alone, same parameters, a
 *       16-byte salt and a 32-byte tag: the primitive without Signet's parsing and encoding;
 *   <li>{@link #generatePooled}: the same with a shared {@code Argon2BytesGenerator.FixedBlockPool}
 *       (Bouncy Castle 1.80+, {@code Argon2Parameters.Builder.withBlockPool}) big enough for one hash
 *       per CPU, so the 19 MiB of 1 KiB blocks are reused instead of allocated for every hash (that
 *       pool is one synchronised list, taken from and given back to one block at a time);
 *   <li>{@link #generateArena}: the same with whole-hash arenas: a hash takes one {@code Block[]}
 *       of its memory size from a queue (one per CPU, made on first use) and gives it back when
 *       done, through a per-hash {@code BlockPool} that hands out the arena's blocks in turn.
 * </ul>
 *
 * <p>bench/signin.sh runs {@link #verify} only; the others are for comparing ways to hash
 * ({@code java -jar bench/accounts/target/benchmarks.jar -t 2 -prof gc}).
 *
 * <p>After each iteration, {@link Cpu} prints the CPU time the whole JVM (hashing threads, GC, JIT)
 * spent per hash during it ({@code # cpu: ... ms/hash}): unlike the rate, that figure does not
 * depend on how much of the machine other processes took meanwhile.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Thread)
public class Argon2idBench {
    /** What the benchmark user types (a strong random-looking password, as bench/signin.sh uses). */
    static final String PASSWORD = "Vq7#pL2x!Rk9@tZ4-sign-in-load";

    /** Blocks (1 KiB each) for one hash per CPU at the default memory cost, shared by all threads. */
    static final Argon2BytesGenerator.FixedBlockPool POOL = new Argon2BytesGenerator.FixedBlockPool(
            Runtime.getRuntime().availableProcessors() * Argon2id.Params.DEFAULT.memoryKiB());

    private Argon2id argon2id;
    private String stored;
    private Argon2Parameters parameters;
    private Argon2Parameters pooledParameters;
    private byte[] password;

    /** Process CPU time per hash, per iteration (Scope.Benchmark: one for all threads). */
    @State(Scope.Benchmark)
    public static class Cpu {
        final AtomicLong hashes = new AtomicLong();
        long cpuAtStart;
        long wallAtStart;

        static long processCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }

        @Setup(Level.Iteration)
        public void start() {
            hashes.set(0);
            wallAtStart = System.nanoTime();
            cpuAtStart = processCpuNanos();
        }

        @TearDown(Level.Iteration)
        public void stop() {
            long cpu = processCpuNanos() - cpuAtStart;
            long wall = System.nanoTime() - wallAtStart;
            long n = Math.max(1, hashes.get());
            System.out.printf(
                    Locale.ROOT,
                    "%n# cpu: %.2f ms/hash (%d hashes, process CPU %.0f ms in %.0f ms)%n",
                    cpu / 1e6 / n,
                    hashes.get(),
                    cpu / 1e6,
                    wall / 1e6);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        Argon2id.Params p = Argon2id.Params.DEFAULT;
        argon2id = new Argon2id(p);
        stored = argon2id.hash(PASSWORD);
        if (!argon2id.verify(PASSWORD, stored)) {
            throw new IllegalStateException("Argon2id does not verify its own hash");
        }
        byte[] salt = new byte[Argon2id.SALT_BYTES];
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) (31 * i + 7);
        }
        parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(p.memoryKiB())
                .withIterations(p.iterations())
                .withParallelism(p.parallelism())
                .withSalt(salt)
                .build();
        pooledParameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(p.memoryKiB())
                .withIterations(p.iterations())
                .withParallelism(p.parallelism())
                .withSalt(salt)
                .withBlockPool(POOL)
                .build();
        password = PASSWORD.getBytes(StandardCharsets.UTF_8);
        System.out.println("# Argon2id m=" + p.memoryKiB() + " KiB, t=" + p.iterations() + ", p=" + p.parallelism()
                + "; stored " + stored.substring(0, stored.lastIndexOf('$', stored.lastIndexOf('$') - 1)) + "$...");
    }

    /** What a successful password sign-in hashes: the stored string parsed, the tag derived and compared. */
    @Benchmark
    public boolean verify(Cpu cpu) {
        cpu.hashes.incrementAndGet();
        return argon2id.verify(PASSWORD, stored);
    }

    /** The Bouncy Castle primitive alone. */
    @Benchmark
    public byte[] generate(Cpu cpu) {
        cpu.hashes.incrementAndGet();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] out = new byte[Argon2id.HASH_BYTES];
        generator.generateBytes(password, out);
        return out;
    }

    /** The primitive with reused memory blocks (a shared fixed pool). */
    @Benchmark
    public byte[] generatePooled(Cpu cpu) {
        cpu.hashes.incrementAndGet();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(pooledParameters);
        byte[] out = new byte[Argon2id.HASH_BYTES];
        generator.generateBytes(password, out);
        return out;
    }

    /** Whole-hash memory arenas, reused: at most one per CPU is kept. */
    static final ArrayBlockingQueue<Argon2BytesGenerator.Block[]> ARENAS =
            new ArrayBlockingQueue<>(Runtime.getRuntime().availableProcessors());

    /** Hands out one arena's blocks in order; Bouncy Castle clears each block before giving it back. */
    static final class ArenaPool implements Argon2BytesGenerator.BlockPool {
        private final Argon2BytesGenerator.Block[] arena;
        private int next;

        ArenaPool(Argon2BytesGenerator.Block[] arena) {
            this.arena = arena;
        }

        @Override
        public Argon2BytesGenerator.Block allocate() {
            return arena[next++];
        }

        @Override
        public void deallocate(Argon2BytesGenerator.Block block) {
            // stays in the arena
        }
    }

    /** The primitive with a reused whole-hash arena. */
    @Benchmark
    public byte[] generateArena(Cpu cpu) {
        cpu.hashes.incrementAndGet();
        int blocks = Argon2BytesGenerator.getBlockCount(parameters.getMemory(), parameters.getLanes());
        Argon2BytesGenerator.Block[] arena = ARENAS.poll();
        if (arena == null || arena.length != blocks) {
            arena = new Argon2BytesGenerator.Block[blocks];
            for (int i = 0; i < blocks; i++) {
                arena[i] = new Argon2BytesGenerator.Block();
            }
        }
        try {
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                    .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                    .withMemoryAsKB(parameters.getMemory())
                    .withIterations(parameters.getIterations())
                    .withParallelism(parameters.getLanes())
                    .withSalt(parameters.getSalt())
                    .withBlockPool(new ArenaPool(arena))
                    .build());
            byte[] out = new byte[Argon2id.HASH_BYTES];
            generator.generateBytes(password, out);
            return out;
        } finally {
            ARENAS.offer(arena);
        }
    }
}
