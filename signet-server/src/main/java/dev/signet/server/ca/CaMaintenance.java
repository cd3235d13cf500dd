package dev.signet.server.ca;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link CaService#maintain()} on one daemon thread at a fixed delay: CRLs signed again past half
 * their period, OCSP responder certificates renewed before they expire. Every node runs it; the
 * service's compare-and-swap writes make concurrent passes harmless. Started once the server listens
 * (so the publication URLs are known), stopped with the application.
 */
final class CaMaintenance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CaMaintenance.class);

    private final CaService service;
    private final Duration firstDelay;
    private final Duration every;
    private final AtomicBoolean started = new AtomicBoolean();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("signet-ca-maintenance").factory());

    CaMaintenance(CaService service, Duration firstDelay, Duration every) {
        this.service = service;
        this.firstDelay = firstDelay;
        this.every = every;
    }

    void start() {
        if (started.compareAndSet(false, true)) {
            executor.scheduleWithFixedDelay(
                    this::runOnce, firstDelay.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void runOnce() {
        try {
            service.maintain();
        } catch (RuntimeException e) {
            // A failed pass (the database away, say) must not end the schedule.
            log.warn("CA maintenance pass failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
