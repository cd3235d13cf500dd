package dev.signet.bench.ca;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@link IssuanceBench#issue} and {@link IssuanceBench#rawSign} for one key, interleaved in one JVM,
 * for a machine shared with other work: both are warmed up first (long: on a loaded machine the
 * JIT needs tens of seconds for the issuance path), then measured in turns, one JMH iteration of
 * each per round, in alternating order, so a change of the machine's load moves both alike. Runs
 * JMH in this JVM (forks 0), so the JIT's work carries over from one turn to the next.
 *
 * <p>Prints one line per measured turn: {@code ROUND BENCHMARK OPS_PER_S CPU_US_PER_OP}, the
 * process's CPU microseconds per operation ({@link CpuTime}) next to the throughput. Run by {@code
 * bench/ca/interleaved.sh}.
 *
 * <pre>java -cp benchmarks.jar dev.signet.bench.ca.Interleaved KEY ROUNDS WARMUP_S TURN_S</pre>
 */
public final class Interleaved {
    private Interleaved() {}

    public static void main(String[] args) throws RunnerException {
        String key = args.length > 0 ? args[0] : "ec-p256";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int warmupSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int turnSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        List<String> benchmarks = List.of("issue", "rawSign");
        for (String benchmark : benchmarks) {
            int iterations = Math.max(1, warmupSeconds / 2);
            RunResult warm = run(key, benchmark, iterations, 2);
            System.out.printf(
                    Locale.ROOT, "# warm-up %s %s: %d × 2 s, last %.0f/s%n", key, benchmark, iterations, last(warm));
        }
        for (int round = 1; round <= rounds; round++) {
            List<String> order = new ArrayList<>(benchmarks);
            if (round % 2 == 0) {
                order = order.reversed();
            }
            for (String benchmark : order) {
                RunResult result = run(key, benchmark, 1, turnSeconds);
                double score = result.getPrimaryResult().getScore();
                Result<?> cpu = result.getSecondaryResults().get("cpuNanos");
                double cpuMicrosPerOp = cpu.getScore() / score / 1000.0;
                System.out.printf(Locale.ROOT, "%d %s %s %.1f %.1f%n", round, key, benchmark, score, cpuMicrosPerOp);
            }
        }
    }

    private static RunResult run(String key, String benchmark, int iterations, int seconds) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(IssuanceBench.class.getName() + "\\." + benchmark + "$")
                .param("key", key)
                .forks(0)
                .threads(1)
                .warmupIterations(0)
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(seconds))
                .timeUnit(TimeUnit.SECONDS)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        return new Runner(options).runSingle();
    }

    /** The score of the last iteration of {@code result}. */
    private static double last(RunResult result) {
        double score = Double.NaN;
        for (BenchmarkResult benchmark : result.getBenchmarkResults()) {
            for (IterationResult iteration : benchmark.getIterationResults()) {
                score = iteration.getPrimaryResult().getScore();
            }
        }
        return score;
    }
}
