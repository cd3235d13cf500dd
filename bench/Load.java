/*
 * A tiny, bounded HTTP load generator for the Signet benchmarks. Run with the JDK's single-file
 * source launcher (no build step):
 *
 *   java bench/Load.java BASE_URL [REQUESTS] [CONCURRENCY] [PATH,PATH,...]
 *
 * e.g. java bench/Load.java http://127.0.0.1:18080 1000 8 /signin,/readyz,/healthz,/metrics
 *
 * Sends REQUESTS GET requests (default 1000), the paths taken in turn, over at most CONCURRENCY
 * connections at once (default 8), each request with a 10 s timeout and the whole run with a 120 s
 * one. Prints one line: "requests=N ok=N failed=N seconds=S rps=R p50_ms=A p99_ms=B max_ms=C" and
 * exits 0 only when every request answered 200.
 */

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

public class Load {
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: java bench/Load.java BASE_URL [REQUESTS] [CONCURRENCY] [PATH,PATH,...]");
            System.exit(2);
        }
        String base = args[0].replaceAll("/+$", "");
        int total = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        String[] paths = (args.length > 3 ? args[3] : "/signin,/readyz,/healthz,/metrics").split(",");

        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(pool)
                .build();
        Semaphore slots = new Semaphore(concurrency);
        AtomicInteger ok = new AtomicInteger();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        long[] latencies = new long[total];
        CountDownLatch finished = new CountDownLatch(total);

        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            slots.acquire();
            final int n = i;
            String path = paths[i % paths.length];
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(10))
                    .GET()
                    .build();
            long t0 = System.nanoTime();
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                latencies[n] = System.nanoTime() - t0;
                if (error == null && response.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    String why = error != null
                            ? error.getClass().getSimpleName()
                            : path + " -> " + response.statusCode();
                    failures.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
                }
                slots.release();
                finished.countDown();
            });
        }
        boolean inTime = finished.await(120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdownNow();

        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        int failed = total - ok.get();
        System.out.println(String.format(
                Locale.ROOT,
                "requests=%d ok=%d failed=%d seconds=%.2f rps=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f",
                total,
                ok.get(),
                failed,
                seconds,
                total / seconds,
                sorted[total / 2] / 1e6,
                sorted[Math.min(total - 1, (int) Math.ceil(total * 0.99) - 1)] / 1e6,
                sorted[total - 1] / 1e6));
        if (!failures.isEmpty()) {
            System.err.println("failures: " + new TreeMap<>(failures));
        }
        if (!inTime) {
            System.err.println("timed out after 120 s");
        }
        System.exit(failed == 0 && inTime ? 0 : 1);
    }
}
