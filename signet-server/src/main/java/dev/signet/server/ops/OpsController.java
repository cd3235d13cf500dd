package dev.signet.server.ops;

import dev.signet.server.store.Store;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Operations endpoints: {@code /healthz} (the process answers), {@code /readyz} (the database answers
 * and every bundled migration is applied), {@code /metrics} (Prometheus text format).
 */
@RestController
class OpsController {
    private static final ExecutorService SCRAPER = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("signet-metrics").factory());

    private final Store store;
    private final PrometheusMeterRegistry prometheus;
    private final String expectedVersion;

    OpsController(Store store, PrometheusMeterRegistry prometheus) {
        this.store = store;
        this.prometheus = prometheus;
        this.expectedVersion = store.expectedSchemaVersion();
    }

    @GetMapping(value = "/healthz", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, String> health() {
        return Map.of("status", "up");
    }

    @GetMapping(value = "/readyz", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, String>> ready() {
        try {
            List<String> applied = store.jdbc()
                    .sql("SELECT version FROM flyway_schema_history WHERE success = ? AND version IS NOT NULL"
                            + " ORDER BY installed_rank DESC LIMIT 1")
                    .param(true)
                    .query(String.class)
                    .list();
            String current = applied.isEmpty() ? "" : applied.getFirst();
            if (!current.equals(expectedVersion)) {
                return ResponseEntity.status(503)
                        .body(Map.of(
                                "status",
                                "not_ready",
                                "reason",
                                "schema_version",
                                "schema",
                                current,
                                "expected",
                                expectedVersion));
            }
            return ResponseEntity.ok(Map.of("status", "ready", "schema", current));
        } catch (RuntimeException e) {
            return ResponseEntity.status(503).body(Map.of("status", "not_ready", "reason", "database_unreachable"));
        }
    }

    /**
     * Scrapes on one platform thread: on a virtual thread, the JDK's {@code BufferedWriter} (21–25)
     * grows its buffer write by write, and the Prometheus writer's thousands of small writes made
     * about 50 MB of garbage per scrape (measured: 251 young collections per 400 scrapes, 9 here).
     */
    @GetMapping(value = "/metrics", produces = "text/plain; version=0.0.4; charset=utf-8")
    String metrics() {
        return CompletableFuture.supplyAsync(prometheus::scrape, SCRAPER).join();
    }
}
