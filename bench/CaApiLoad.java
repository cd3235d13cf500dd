// Load generator for the CA over HTTP (issue 6), a JDK single-file program (no dependencies):
//
//   java bench/CaApiLoad.java issue --base http://127.0.0.1:P --token T --ca NAME --csr-dir DIR
//        [--profile tls-server] [--workers 4] [--seconds 20] [--warmup 5] [--max 1000000]
//   java bench/CaApiLoad.java ocsp --url http://127.0.0.1:P/ca/ID/ocsp --request REQ.der
//        [--workers 4] [--seconds 20] [--warmup 5] [--max 1000000]
//
// issue: POST /api/v1/ca/NAME/issue {"profile":..,"csrPem":..} with "Authorization: Bearer T",
// the CSRs of DIR (*.pem, read up front) cycled; an answer counts when it is 201 with a
// certificatePem in it. ocsp: POST the DER request (application/ocsp-request) to the URL; an
// answer counts when it is 200, application/ocsp-response, and an OCSPResponse with status
// successful (0x0a 0x01 0x00 after the outer SEQUENCE header).
//
// N workers, each on its own thread, one request at a time (closed loop) on a shared HttpClient
// (HTTP/1.1, keep-alive). Requests that end in the first WARMUP seconds are not counted; the run
// stops after WARMUP + SECONDS seconds or after MAX counted requests, whichever comes first.
// Prints one line: key=value pairs (ok, errors, seconds, rate per second, p50_ms, p99_ms, max_ms).
// Exits 1 when any request failed or none succeeded.

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

public class CaApiLoad {

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !(args[0].equals("issue") || args[0].equals("ocsp"))) {
            System.err.println("usage: CaApiLoad issue|ocsp --option value ... (see the file's header)");
            System.exit(2);
        }
        String mode = args[0];
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                System.err.println("CaApiLoad: not an option: " + args[i]);
                System.exit(2);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        int workers = Integer.parseInt(o.getOrDefault("workers", "4"));
        double seconds = Double.parseDouble(o.getOrDefault("seconds", "20"));
        double warmup = Double.parseDouble(o.getOrDefault("warmup", "5"));
        long max = Long.parseLong(o.getOrDefault("max", "1000000"));

        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        List<HttpRequest> requests = new ArrayList<>();
        if (mode.equals("issue")) {
            URI uri = URI.create(need(o, "base") + "/api/v1/ca/" + need(o, "ca") + "/issue");
            String profile = o.getOrDefault("profile", "tls-server");
            List<Path> csrs;
            try (Stream<Path> s = Files.list(Path.of(need(o, "csr-dir")))) {
                csrs = s.filter(p -> p.toString().endsWith(".pem")).sorted().toList();
            }
            if (csrs.isEmpty()) {
                throw new IllegalArgumentException("no *.pem in " + o.get("csr-dir"));
            }
            for (Path p : csrs) {
                String body = "{\"profile\":\"" + profile + "\",\"csrPem\":\"" + json(Files.readString(p)) + "\"}";
                requests.add(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + need(o, "token"))
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build());
            }
        } else {
            byte[] der = Files.readAllBytes(Path.of(need(o, "request")));
            requests.add(HttpRequest.newBuilder(URI.create(need(o, "url")))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/ocsp-request")
                    .header("Accept", "application/ocsp-response")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(der))
                    .build());
        }

        long t0 = System.nanoTime();
        long countFrom = t0 + (long) (warmup * 1e9);
        long end = countFrom + (long) (seconds * 1e9);
        AtomicLong counted = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong next = new AtomicLong();
        String[] firstError = new String[1];
        long[][] latencies = new long[workers][];
        int[] sizes = new int[workers];
        long[] lastDone = new long[workers];
        Thread[] threads = new Thread[workers];
        for (int w = 0; w < workers; w++) {
            final int id = w;
            latencies[w] = new long[1 << 16];
            threads[w] = Thread.ofPlatform().name("load-" + w).start(() -> {
                while (true) {
                    long start = System.nanoTime();
                    if (start >= end || counted.get() >= max) {
                        break;
                    }
                    HttpRequest request = requests.get((int) (next.getAndIncrement() % requests.size()));
                    String problem;
                    try {
                        HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        problem = mode.equals("issue") ? checkIssue(r) : checkOcsp(r);
                    } catch (Exception e) {
                        problem = e.toString();
                    }
                    long done = System.nanoTime();
                    if (problem != null) {
                        if (errors.getAndIncrement() == 0) {
                            synchronized (firstError) {
                                firstError[0] = problem;
                            }
                        }
                        continue;
                    }
                    if (start >= countFrom && done <= end) {
                        counted.incrementAndGet();
                        if (sizes[id] == latencies[id].length) {
                            latencies[id] = Arrays.copyOf(latencies[id], sizes[id] * 2);
                        }
                        latencies[id][sizes[id]++] = done - start;
                        lastDone[id] = done;
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        long stop = Math.min(end, Arrays.stream(lastDone).max().orElse(end));
        long ok = counted.get();
        // When MAX cut the run short, the rate is over the time until the last counted answer.
        double elapsed = (ok >= max ? stop - countFrom : end - countFrom) / 1e9;
        long[] all = new long[(int) ok];
        int k = 0;
        for (int w = 0; w < workers; w++) {
            System.arraycopy(latencies[w], 0, all, k, sizes[w]);
            k += sizes[w];
        }
        Arrays.sort(all, 0, k);
        System.out.println(String.format(
                Locale.ROOT,
                "mode=%s workers=%d ok=%d errors=%d seconds=%.2f rate=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f",
                mode, workers, ok, errors.get(), elapsed, ok / elapsed,
                pct(all, k, 0.50), pct(all, k, 0.99), k == 0 ? Double.NaN : all[k - 1] / 1e6));
        if (errors.get() > 0) {
            System.err.println("CaApiLoad: " + errors.get() + " failed requests; the first: " + firstError[0]);
        }
        System.exit(errors.get() > 0 || ok == 0 ? 1 : 0);
    }

    private static String checkIssue(HttpResponse<byte[]> r) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        if (r.statusCode() != 201 || !body.contains("\"certificatePem\":\"-----BEGIN CERTIFICATE")) {
            return "HTTP " + r.statusCode() + ": " + body.substring(0, Math.min(300, body.length()));
        }
        return null;
    }

    private static String checkOcsp(HttpResponse<byte[]> r) {
        byte[] b = r.body();
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (r.statusCode() != 200 || !type.startsWith("application/ocsp-response") || b.length < 8 || b[0] != 0x30) {
            return "HTTP " + r.statusCode() + " " + type + ", " + b.length + " bytes";
        }
        int i = 1 + ((b[1] & 0x80) == 0 ? 1 : 1 + (b[1] & 0x7f)); // skip the SEQUENCE length
        if (b[i] != 0x0a || b[i + 1] != 0x01 || b[i + 2] != 0x00) {
            return "OCSP responseStatus is not successful (" + (b[i + 2] & 0xff) + ")";
        }
        return null;
    }

    private static double pct(long[] sorted, int n, double p) {
        if (n == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p * n) - 1;
        return sorted[Math.max(0, Math.min(n - 1, i))] / 1e6;
    }

    private static String need(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + key);
        }
        return v;
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
