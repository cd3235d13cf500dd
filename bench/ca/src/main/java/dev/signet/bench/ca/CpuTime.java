package dev.signet.bench.ca;

import java.lang.management.ManagementFactory;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The benchmark process's CPU time over each iteration (every thread: the benchmark's, the garbage
 * collector's, the JIT's), reported by JMH as a secondary result {@code cpuNanos} normalised like
 * the primary score: {@code cpuNanos ÷ score} is CPU nanoseconds per operation. Unlike the score,
 * it hardly depends on how much of the machine other processes take, so two benchmarks measured
 * while the machine is shared can still be compared. A benchmark takes it as a parameter.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class CpuTime {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** CPU nanoseconds of the process during the iteration. */
    public long cpuNanos;

    private long start;

    @Setup(Level.Iteration)
    public void start() {
        cpuNanos = 0;
        start = OS.getProcessCpuTime();
    }

    @TearDown(Level.Iteration)
    public void stop() {
        cpuNanos = OS.getProcessCpuTime() - start;
    }
}
