/*
 * Password sign-ins over HTTP, the way a browser does them, for bench/signin.sh. Run with the JDK's
 * single-file source launcher (no build step):
 *
 *   SIGNET_BENCH_PASSWORD=... java bench/SignInLoad.java BASE_URL USERNAME SECONDS CONCURRENCY [WARMUP_SECONDS]
 *
 * e.g. SIGNET_BENCH_PASSWORD=secret java bench/SignInLoad.java http://127.0.0.1:18080 bench 30 2 10
 *
 * CONCURRENCY workers each repeat, until WARMUP_SECONDS + SECONDS have passed: a fresh cookie jar
 * (no cookie), GET /signin (expects 200, a SIGNET_SESSION cookie and the form's hidden _csrf
 * field), then POST /signin with username, password and _csrf (form-encoded, with that cookie),
 * expecting 302 to "/" (a wrong answer, e.g. /signin?error or /signin?throttled=N, is a failure).
 * Before the timed part one sign-in is checked end to end: its new session cookie must open "/"
 * (200). Connections are kept alive and shared (HTTP/1.1), as a browser would; sessions are not.
 *
 * Counted: iterations whose POST answered inside the measured window (after the warm-up, before
 * the end); the rate is those sign-ins divided by SECONDS. Latencies: the POST alone, the GET
 * alone, and the GET+POST pair, of the counted iterations. Each request has a 30 s timeout; the
 * whole run stops by itself at WARMUP_SECONDS + SECONDS + 60 s at the latest. Prints one line:
 *
 *   concurrency=C seconds=S signins=N failed=F rate=R post_p50_ms=.. post_p99_ms=.. post_max_ms=..
 *   pair_p50_ms=.. pair_p99_ms=.. get_p50_ms=.. get_p99_ms=.. [failures=reason:count,...]
 *
 * and exits 0 when nothing failed, 1 otherwise (2 on a usage error or when the check failed).
 */

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class SignInLoad {
    static final String COOKIE = "SIGNET_SESSION";
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final Pattern CSRF = Pattern.compile(
            "<input[^>]*name=\"_csrf\"[^>]*value=\"([^\"]+)\"|<input[^>]*value=\"([^\"]+)\"[^>]*name=\"_csrf\"");

    /** One iteration's outcome: null failure when it signed in. */
    record Sample(long postEnd, long getNanos, long postNanos, String failure) {}

    static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        Failed(String reason) {
            super(reason, null, false, false);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: SIGNET_BENCH_PASSWORD=... java bench/SignInLoad.java BASE_URL USERNAME SECONDS"
                    + " CONCURRENCY [WARMUP_SECONDS]");
            System.exit(2);
        }
        String base = args[0].replaceAll("/+$", "");
        String username = args[1];
        int seconds = Integer.parseInt(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        String password = System.getenv("SIGNET_BENCH_PASSWORD");
        if (password == null || password.isEmpty() || seconds < 1 || concurrency < 1 || concurrency > 64 || warmup < 0) {
            System.err.println("SignInLoad: needs SIGNET_BENCH_PASSWORD, SECONDS >= 1, 1 <= CONCURRENCY <= 64");
            System.exit(2);
        }

        // Stops by itself whatever happens: workers are daemons, and this thread ends the JVM.
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(warmup + seconds + 60L));
                System.err.println("SignInLoad: still running 60 s after the end; giving up");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                // finished in time
            }
        });

        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        SignInLoad load = new SignInLoad(client, base, username, password);

        try {
            load.check();
        } catch (Failed e) {
            System.err.println("SignInLoad: the check sign-in failed: " + e.getMessage());
            System.exit(2);
        }

        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        List<List<Sample>> perWorker = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            List<Sample> mine = new ArrayList<>();
            perWorker.add(mine);
            workers.add(Thread.ofPlatform().daemon().name("signin-" + w).start(() -> {
                while (System.nanoTime() < end) {
                    mine.add(load.once());
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        watchdog.interrupt();

        List<Sample> counted = new ArrayList<>();
        for (List<Sample> samples : perWorker) {
            for (Sample s : samples) {
                if (s.postEnd() >= measureFrom && s.postEnd() <= end) {
                    counted.add(s);
                }
            }
        }
        Map<String, Integer> failures = new TreeMap<>();
        List<Long> posts = new ArrayList<>();
        List<Long> gets = new ArrayList<>();
        List<Long> pairs = new ArrayList<>();
        for (Sample s : counted) {
            if (s.failure() != null) {
                failures.merge(s.failure(), 1, Integer::sum);
                continue;
            }
            posts.add(s.postNanos());
            gets.add(s.getNanos());
            pairs.add(s.getNanos() + s.postNanos());
        }
        int ok = posts.size();
        int failed = counted.size() - ok;
        StringBuilder line = new StringBuilder(String.format(
                Locale.ROOT,
                "concurrency=%d seconds=%d signins=%d failed=%d rate=%.2f",
                concurrency,
                seconds,
                ok,
                failed,
                ok / (double) seconds));
        line.append(stats("post", posts)).append(stats("pair", pairs)).append(stats("get", gets));
        if (!failures.isEmpty()) {
            StringBuilder f = new StringBuilder();
            failures.forEach((k, v) -> f.append(f.isEmpty() ? "" : ",").append(k).append(':').append(v));
            line.append(" failures=").append(f);
        }
        System.out.println(line);
        System.exit(failed == 0 && ok > 0 ? 0 : 1);
    }

    private final HttpClient client;
    private final String base;
    private final String username;
    private final String password;

    SignInLoad(HttpClient client, String base, String username, String password) {
        this.client = client;
        this.base = base;
        this.username = username;
        this.password = password;
    }

    /** One sign-in with a fresh cookie jar; never throws. */
    Sample once() {
        long t0 = System.nanoTime();
        long t1 = t0;
        try {
            Form form = getForm();
            t1 = System.nanoTime();
            postForm(form);
            long t2 = System.nanoTime();
            return new Sample(t2, t1 - t0, t2 - t1, null);
        } catch (Failed e) {
            long t2 = System.nanoTime();
            return new Sample(t2, t1 - t0, t2 - t1, e.getMessage());
        }
    }

    /** One sign-in, then "/" with the session it made: proves that 302 to "/" means signed in. */
    void check() throws Failed {
        String session = postForm(getForm());
        HttpResponse<String> home = send(HttpRequest.newBuilder(URI.create(base + "/"))
                .header("Cookie", COOKIE + "=" + session)
                .GET());
        if (home.statusCode() != 200) {
            throw new Failed("GET / with the new session answered " + home.statusCode());
        }
    }

    record Form(String session, String csrf) {}

    private Form getForm() throws Failed {
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base + "/signin")).GET());
        if (page.statusCode() != 200) {
            throw new Failed("get_" + page.statusCode());
        }
        String session = cookie(page).orElseThrow(() -> new Failed("get_no_cookie"));
        Matcher m = CSRF.matcher(page.body());
        if (!m.find()) {
            throw new Failed("get_no_csrf");
        }
        String csrf = m.group(1) != null ? m.group(1) : m.group(2);
        return new Form(session, csrf.replace("&#45;", "-").replace("&#x2d;", "-"));
    }

    /** Posts the form; returns the new session id the answer sets. */
    private String postForm(Form form) throws Failed {
        String body = "username=" + enc(username) + "&password=" + enc(password) + "&_csrf=" + enc(form.csrf());
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(base + "/signin"))
                .header("Cookie", COOKIE + "=" + form.session())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        if (answer.statusCode() != 302) {
            throw new Failed("post_" + answer.statusCode());
        }
        String location = answer.headers().firstValue("Location").orElse("");
        String path = location.startsWith(base) ? location.substring(base.length()) : location;
        if (!path.equals("/")) {
            // e.g. /signin?error (refused) or /signin?throttled=N (brute-force protection)
            String q = path.replaceFirst("^/signin\\?", "").replaceAll("=.*", "");
            throw new Failed("post_302_" + (q.isEmpty() ? "elsewhere" : q));
        }
        return cookie(answer).orElseThrow(() -> new Failed("post_no_new_session"));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Failed {
        try {
            return client.send(
                    request.timeout(REQUEST_TIMEOUT)
                            .header("User-Agent", "signet-bench SignInLoad")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new Failed("timeout");
        } catch (java.io.IOException e) {
            throw new Failed("io_" + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("interrupted");
        }
    }

    private static Optional<String> cookie(HttpResponse<?> response) {
        for (String header : response.headers().allValues("Set-Cookie")) {
            String pair = header.split(";", 2)[0].strip();
            if (pair.startsWith(COOKIE + "=") && pair.length() > COOKIE.length() + 1) {
                return Optional.of(pair.substring(COOKIE.length() + 1));
            }
        }
        return Optional.empty();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String stats(String name, List<Long> nanos) {
        if (nanos.isEmpty()) {
            return String.format(Locale.ROOT, " %s_p50_ms=- %s_p99_ms=- %s_max_ms=-", name, name, name);
        }
        long[] v = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(v);
        return String.format(
                Locale.ROOT,
                " %s_p50_ms=%.1f %s_p99_ms=%.1f %s_max_ms=%.1f",
                name,
                percentile(v, 50) / 1e6,
                name,
                percentile(v, 99) / 1e6,
                name,
                v[v.length - 1] / 1e6);
    }

    /** Nearest-rank percentile. */
    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
