/*
 * One-time-code validations over HTTP (POST /api/v1/validate with a TOTP code, replay protection
 * on), for bench/validate.sh. Run with the JDK's single-file source launcher (no build step):
 *
 *   SIGNET_BENCH_TOKEN=... SIGNET_BENCH_PASSWORD=... java bench/ValidateLoad.java setup BASE_URL USERS THREADS STATE_FILE [FIRST]
 *   SIGNET_BENCH_TOKEN=... java bench/ValidateLoad.java load BASE_URL STATE_FILE SECONDS CONCURRENCY [WARMUP_SECONDS [MARGIN_MS]]
 *
 * setup (SIGNET_BENCH_TOKEN: an administrator's token with the scope users:write) makes USERS
 * people named val-00001, val-00002, ... (from FIRST, default 1) with POST /api/v1/users, their
 * password SIGNET_BENCH_PASSWORD given as an imported PBKDF2-SHA256 hash of one iteration (so that
 * creating a user costs no Argon2id and no strength check; the first sign-in re-hashes it with the
 * server's Argon2id, as Signet does with every imported hash), and enrols a TOTP authenticator
 * (SHA-1, 6 digits, 30 s: the defaults) for each through the console, the way a person does it and
 * MfaHttpTest does it: GET /signin (cookie, _csrf), POST /signin (expects 302 to "/"), GET
 * /account/factors (_csrf), POST /account/factors/otp (the page shows the seed, id="secret", and the
 * form action=".../confirm"), then POST the confirm form with the previous step's code (the window
 * allows it; the current step's if that is refused because the step changed meanwhile), expecting
 * 200 with the recovery codes (id="codes"). THREADS users at a time. Writes STATE_FILE, one line per
 * user: "username base32-seed last-step client-ip", where last-step is the step the confirmation
 * used (the server's used_through) and client-ip a distinct address of 10.0.0.0/8 for that user.
 * Prints "users=N seconds=S rate=R" and exits 0, or names the first failure and exits 1.
 *
 * load (SIGNET_BENCH_TOKEN: a token with the scope validate): CONCURRENCY workers, each with one
 * keep-alive HTTP/1.1 connection of its own over a plain socket (java.net.http costs the load
 * generator several times the CPU per request, and on 2 CPUs the load generator shares the machine
 * with the server), repeat until WARMUP_SECONDS + SECONDS have passed: take a user, compute a TOTP
 * code (RFC 6238, HmacSHA1, here in the client) for a step that user has not used, and POST
 * {"username":..., "otp":..., "clientIp":...} to /api/v1/validate with the token as a bearer.
 * Expected: 200 with "result":"accept"; anything else is a failure, by its reason
 * (reject_invalid_credentials, reject_throttled, http_NNN, io_..., timeout).
 *
 * Replay protection is real, so every request must carry a (user, step) pair the server has not
 * accepted before, and the server accepts steps now-1, now, now+1 (SIGNET_OTP_WINDOW, default 1)
 * in increasing order per device: a user gives at most 3 codes at once and then 1 per 30 s step.
 * The users wait in a queue ordered by the last step each used (then round-robin); a worker takes
 * the head and uses its next step s = max(last + 1, step(now + MARGIN_MS) - 1) if s <= step(now) + 1
 * (MARGIN_MS, default 2000, keeps a request that takes up to that long from landing after its step
 * left the window). A step whose code is also the code of a step within 2 of it (about 4 in a
 * million) is skipped unsent, counted as ambiguous_skipped: the server takes the latest matching
 * step, so the user's next code would be refused as a replay. When no user has a usable step the
 * workers wait, reported as starved_ms (in the measured window) and starved_warmup_ms (outside
 * it): a run that starved in the measured window measured the user count, not the server. One user
 * is never in two requests at once. After the run the last steps are written back to STATE_FILE
 * for the next run; a request without an answer counts as used.
 *
 * Before the timed part one validation is checked: it must answer 200 "accept". Counted: requests
 * answered inside the measured window (after the warm-up, before the end); the rate is the accepted
 * ones divided by SECONDS. Latency: one request's write to the last byte of its answer, of the
 * accepted counted requests. Sockets time out after 30 s; the whole run stops by itself at
 * WARMUP_SECONDS + SECONDS + 60 s at the latest. Prints one line:
 *
 *   concurrency=C seconds=S validations=N failed=F rate=R p50_ms=.. p99_ms=.. max_ms=.. mean_ms=..
 *   requests_total=T starved_ms=W starved_warmup_ms=V ambiguous_skipped=K [failures=reason:count,...]
 *
 * (requests_total: every request of the run, warm-up and check included) and exits 0 when nothing
 * failed, 1 otherwise (2 on a usage error or when the check failed).
 */

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class ValidateLoad {
    static final String COOKIE = "SIGNET_SESSION";
    static final int PERIOD_SECONDS = 30;
    static final int WINDOW = 1;
    static final int SOCKET_TIMEOUT_MS = 30_000;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final String USER_AGENT = "signet-bench ValidateLoad";
    static final Pattern CSRF = Pattern.compile(
            "<input[^>]*name=\"_csrf\"[^>]*value=\"([^\"]+)\"|<input[^>]*value=\"([^\"]+)\"[^>]*name=\"_csrf\"");
    static final Pattern SECRET = Pattern.compile("id=\"secret\">([A-Z2-7 ]+)<");
    static final Pattern CONFIRM = Pattern.compile("action=\"(/account/factors/otp/[^/\"]+/confirm)\"");

    static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        Failed(String reason) {
            super(reason, null, false, false);
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        switch (mode) {
            case "setup" -> setup(Arrays.copyOfRange(args, 1, args.length));
            case "load" -> load(Arrays.copyOfRange(args, 1, args.length));
            default -> usage();
        }
    }

    static void usage() {
        System.err.println("usage: SIGNET_BENCH_TOKEN=... SIGNET_BENCH_PASSWORD=... java bench/ValidateLoad.java setup"
                + " BASE_URL USERS THREADS STATE_FILE [FIRST]\n"
                + "       SIGNET_BENCH_TOKEN=... java bench/ValidateLoad.java load BASE_URL STATE_FILE SECONDS"
                + " CONCURRENCY [WARMUP_SECONDS [MARGIN_MS]]");
        System.exit(2);
    }

    static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            System.err.println("ValidateLoad: needs " + name);
            System.exit(2);
        }
        return v;
    }

    /** Stops the JVM by itself after {@code seconds}, whatever happens. */
    static Thread watchdog(long seconds, String what) {
        return Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                System.err.println("ValidateLoad: " + what + " still running after " + seconds + " s; giving up");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                // finished in time
            }
        });
    }

    // ---- TOTP (RFC 6238 over RFC 4226, HmacSHA1, 6 digits, 30 s) --------------------------------

    static long step(long epochMillis) {
        return Math.floorDiv(epochMillis, PERIOD_SECONDS * 1000L);
    }

    static String totp(Mac mac, byte[] key, long step) {
        try {
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        byte[] h = mac.doFinal(new byte[] {
            (byte) (step >>> 56), (byte) (step >>> 48), (byte) (step >>> 40), (byte) (step >>> 32),
            (byte) (step >>> 24), (byte) (step >>> 16), (byte) (step >>> 8), (byte) step
        });
        int o = h[h.length - 1] & 0x0f;
        int bin = ((h[o] & 0x7f) << 24) | ((h[o + 1] & 0xff) << 16) | ((h[o + 2] & 0xff) << 8) | (h[o + 3] & 0xff);
        return String.format(Locale.ROOT, "%06d", bin % 1_000_000);
    }

    /**
     * Whether the code of {@code step} is also the code of a step near it (about 4 in a million): the
     * server would then take the latest matching step, so the user's next code would look replayed.
     * Such steps are skipped (counted as ambiguous_skipped), so that only the server can refuse.
     */
    static boolean ambiguous(Mac mac, byte[] key, long step) {
        String code = totp(mac, key, step);
        for (long t = step - 2; t <= step + 2; t++) {
            if (t != step && totp(mac, key, t).equals(code)) {
                return true;
            }
        }
        return false;
    }

    static Mac hmacSha1() {
        try {
            return Mac.getInstance("HmacSHA1");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] base32(String text) {
        String s = text.replace(" ", "").replace("=", "").toUpperCase(Locale.ROOT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : s.toCharArray()) {
            int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
            if (v < 0) {
                throw new IllegalArgumentException("not base32: " + text);
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >>> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }

    /** A distinct client address per user: 10.0.0.1, 10.0.0.2, ... */
    static String ip(int index) {
        int n = index + 1;
        return "10." + ((n >>> 16) & 0xff) + "." + ((n >>> 8) & 0xff) + "." + (n & 0xff);
    }

    // ---- setup ------------------------------------------------------------------------------------

    static void setup(String[] args) throws Exception {
        if (args.length != 4 && args.length != 5) {
            usage();
        }
        String base = args[0].replaceAll("/+$", "");
        int users = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        Path state = Path.of(args[3]);
        int first = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        String token = env("SIGNET_BENCH_TOKEN");
        String password = env("SIGNET_BENCH_PASSWORD");
        if (users < 1 || users > 1_000_000 || threads < 1 || threads > 64) {
            System.err.println("ValidateLoad: 1 <= USERS <= 1000000, 1 <= THREADS <= 64");
            System.exit(2);
        }
        Thread watchdog = watchdog(600L + users / 2, "setup");
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        String[] lines = new String[users];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicInteger done = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            workers.add(Thread.ofPlatform().daemon().name("setup-" + w).start(() -> {
                Mac mac = hmacSha1();
                int i;
                while (failure.get() == null && (i = next.getAndIncrement()) < users) {
                    String name = String.format(Locale.ROOT, "val-%05d", first + i);
                    try {
                        lines[i] = new Enrolment(client, base, token, password, mac).run(name) + " " + ip(first - 1 + i);
                        int n = done.incrementAndGet();
                        if (n % 1000 == 0) {
                            System.err.printf(Locale.ROOT, "ValidateLoad: %d users enrolled (%.0f s)%n", n,
                                    (System.nanoTime() - t0) / 1e9);
                        }
                    } catch (Failed e) {
                        failure.compareAndSet(null, name + ": " + e.getMessage());
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, name + ": " + e);
                    }
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        watchdog.interrupt();
        if (failure.get() != null) {
            System.err.println("ValidateLoad: setup failed at " + failure.get());
            System.exit(1);
        }
        writeState(state, List.of(lines));
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "users=%d seconds=%.1f rate=%.1f%n", users, seconds, users / seconds);
    }

    /** One user: made through the API, then a TOTP authenticator enrolled through the console pages. */
    static final class Enrolment {
        private final HttpClient client;
        private final String base;
        private final String token;
        private final String password;
        private final Mac mac;
        private String session;

        Enrolment(HttpClient client, String base, String token, String password, Mac mac) {
            this.client = client;
            this.base = base;
            this.token = token;
            this.password = password;
            this.mac = mac;
        }

        /** Returns "username seed last-step". */
        String run(String name) throws Failed {
            String json = "{\"username\":\"" + name + "\",\"passwordHash\":\"" + pbkdf2(password, name)
                    + "\",\"role\":\"USER\",\"kind\":\"PERSON\"}";
            HttpResponse<String> made = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/users"))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)));
            if (made.statusCode() != 201) {
                throw new Failed("POST /api/v1/users answered " + made.statusCode() + ": " + made.body());
            }
            HttpResponse<String> form = send(get("/signin"));
            expect(form, 200, "GET /signin");
            HttpResponse<String> in = send(post(
                    "/signin", "username=" + enc(name) + "&password=" + enc(password) + "&_csrf=" + enc(csrf(form))));
            String location = in.headers().firstValue("Location").orElse("");
            if (in.statusCode() != 302 || !(location.equals("/") || location.equals(base + "/"))) {
                throw new Failed("POST /signin answered " + in.statusCode() + " to " + location);
            }
            HttpResponse<String> factors = send(get("/account/factors"));
            expect(factors, 200, "GET /account/factors");
            HttpResponse<String> page =
                    send(post("/account/factors/otp", "name=bench&_csrf=" + enc(csrf(factors))));
            expect(page, 200, "POST /account/factors/otp");
            Matcher secret = SECRET.matcher(page.body());
            Matcher confirm = CONFIRM.matcher(page.body());
            if (!secret.find() || !confirm.find()) {
                throw new Failed("the enrolment page shows no secret or no confirm form");
            }
            String seed = secret.group(1).replace(" ", "");
            // The previous step's code (the window allows it), so that the server's used_through is
            // one step back and the user has two fresh codes at once even right after the setup; if
            // the step changed meanwhile (a refusal, 400), the current one.
            long step = step(System.currentTimeMillis() + 2000) - 1;
            HttpResponse<String> done = send(post(
                    confirm.group(1), "code=" + totp(mac, base32(seed), step) + "&_csrf=" + enc(csrf(page))));
            if (done.statusCode() == 400) {
                step = step(System.currentTimeMillis());
                done = send(post(
                        confirm.group(1), "code=" + totp(mac, base32(seed), step) + "&_csrf=" + enc(csrf(page))));
            }
            expect(done, 200, "POST " + confirm.group(1));
            if (!done.body().contains("id=\"codes\"")) {
                throw new Failed("the confirmation did not show recovery codes");
            }
            return name + " " + seed + " " + step;
        }

        /**
         * The password as an imported Django-style PBKDF2-SHA256 hash with one iteration: creating the
         * user costs no Argon2id and no strength check, and the first sign-in re-hashes it with the
         * server's Argon2id parameters (what Signet does with every imported hash).
         */
        static String pbkdf2(String password, String salt) {
            try {
                javax.crypto.SecretKeyFactory f = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
                byte[] dk = f.generateSecret(new javax.crypto.spec.PBEKeySpec(
                                password.toCharArray(), salt.getBytes(StandardCharsets.UTF_8), 1, 256))
                        .getEncoded();
                return "pbkdf2_sha256$1$" + salt + "$" + java.util.Base64.getEncoder().encodeToString(dk);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private HttpRequest.Builder get(String path) {
            return HttpRequest.newBuilder(URI.create(base + path)).GET();
        }

        private HttpRequest.Builder post(String path, String form) {
            return HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
        }

        private HttpResponse<String> send(HttpRequest.Builder request) throws Failed {
            if (session != null) {
                request.header("Cookie", COOKIE + "=" + session);
            }
            HttpResponse<String> r;
            try {
                r = client.send(
                        request.timeout(REQUEST_TIMEOUT)
                                .header("User-Agent", USER_AGENT)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new Failed("io: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failed("interrupted");
            }
            for (String header : r.headers().allValues("Set-Cookie")) {
                String pair = header.split(";", 2)[0].strip();
                if (pair.startsWith(COOKIE + "=")) {
                    String v = pair.substring(COOKIE.length() + 1);
                    session = v.isEmpty() ? null : v;
                }
            }
            return r;
        }

        private static void expect(HttpResponse<String> r, int status, String what) throws Failed {
            if (r.statusCode() != status) {
                String body = r.body();
                throw new Failed(what + " answered " + r.statusCode() + " "
                        + r.headers().firstValue("Location").orElse("")
                        + " " + body.substring(0, Math.min(300, body.length())));
            }
        }

        private static String csrf(HttpResponse<String> page) throws Failed {
            Matcher m = CSRF.matcher(page.body());
            if (!m.find()) {
                throw new Failed("no _csrf field in the page from " + page.uri());
            }
            String csrf = m.group(1) != null ? m.group(1) : m.group(2);
            return csrf.replace("&#45;", "-").replace("&#x2d;", "-");
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static void writeState(Path state, List<String> lines) throws IOException {
        Path tmp = state.resolveSibling(state.getFileName() + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ---- load -------------------------------------------------------------------------------------

    /** A user of the state file; {@code last} is the last step sent (accepted or not). */
    static final class User {
        final String name;
        final byte[] key;
        final String seed;
        final String ip;
        long last;
        long seq;

        User(String name, String seed, long last, String ip) {
            this.name = name;
            this.seed = seed;
            this.key = base32(seed);
            this.last = last;
            this.ip = ip;
        }
    }

    record Lease(User user, long step) {}

    /** The users not in a request, the one with the oldest last step first, then round-robin. */
    static final class Users {
        private final PriorityQueue<User> queue = new PriorityQueue<>(
                Comparator.<User>comparingLong(u -> u.last).thenComparingLong(u -> u.seq));
        private final long marginMillis;
        private long seq;

        Users(List<User> all, long marginMillis) {
            this.marginMillis = marginMillis;
            for (User u : all) {
                u.seq = seq++;
                queue.add(u);
            }
        }

        /**
         * The next user with a step it may use now, or null when none will have one before {@code
         * deadlineMillis}. The milliseconds spent waiting for one go to {@code measured} where they
         * fall in [measureFromMillis, deadlineMillis], to {@code before} otherwise.
         */
        synchronized Lease take(long deadlineMillis, long measureFromMillis, AtomicLong before, AtomicLong measured)
                throws InterruptedException {
            long waitedFrom = -1;
            try {
                while (true) {
                    long now = System.currentTimeMillis();
                    User u = queue.peek();
                    long waitMillis;
                    if (u == null) {
                        waitMillis = 10; // every user is in a request
                    } else {
                        long lo = step(now + marginMillis) - WINDOW;
                        long hi = step(now) + WINDOW;
                        long s = Math.max(u.last + 1, lo);
                        if (s <= hi) {
                            queue.poll();
                            return new Lease(u, s);
                        }
                        waitMillis = Math.max(1, (s - WINDOW) * PERIOD_SECONDS * 1000L - now);
                    }
                    if (now >= deadlineMillis) {
                        return null;
                    }
                    if (waitedFrom < 0) {
                        waitedFrom = now;
                    }
                    wait(Math.min(waitMillis, Math.max(1, Math.min(50, deadlineMillis - now))));
                }
            } finally {
                if (waitedFrom >= 0) {
                    long to = System.currentTimeMillis();
                    long in = Math.max(0, Math.min(to, deadlineMillis) - Math.max(waitedFrom, measureFromMillis));
                    measured.addAndGet(in);
                    before.addAndGet(to - waitedFrom - in);
                }
            }
        }

        synchronized void giveBack(User u, long step) {
            u.last = Math.max(u.last, step);
            u.seq = seq++;
            queue.add(u);
            notifyAll();
        }
    }

    /** One request's outcome: null failure when accepted. */
    record Sample(long end, long nanos, String failure) {}

    static void load(String[] args) throws Exception {
        if (args.length < 4 || args.length > 6) {
            usage();
        }
        URI base = URI.create(args[0].replaceAll("/+$", ""));
        Path state = Path.of(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        long margin = args.length > 5 ? Long.parseLong(args[5]) : 2000;
        String token = env("SIGNET_BENCH_TOKEN");
        if (seconds < 1 || concurrency < 1 || concurrency > 256 || warmup < 0 || margin < 0 || margin > 20_000) {
            System.err.println("ValidateLoad: SECONDS >= 1, 1 <= CONCURRENCY <= 256, WARMUP >= 0, 0 <= MARGIN_MS <= 20000");
            System.exit(2);
        }
        List<User> all = new ArrayList<>();
        for (String line : Files.readAllLines(state, StandardCharsets.UTF_8)) {
            String[] f = line.strip().split(" ");
            if (f.length == 4) {
                all.add(new User(f[0], f[1], Long.parseLong(f[2]), f[3]));
            }
        }
        if (all.size() < concurrency) {
            System.err.println("ValidateLoad: fewer users in " + state + " than workers");
            System.exit(2);
        }
        Thread watchdog = watchdog(warmup + seconds + 60L, "load");
        Users users = new Users(all, margin);
        String host = base.getHost();
        int port = base.getPort() < 0 ? 80 : base.getPort();
        String head = "POST " + (base.getRawPath() == null ? "" : base.getRawPath()) + "/api/v1/validate HTTP/1.1\r\n"
                + "Host: " + host + ":" + port + "\r\n"
                + "Authorization: Bearer " + token + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: application/json\r\n"
                + "User-Agent: " + USER_AGENT + "\r\n";
        AtomicLong total = new AtomicLong();
        AtomicLong starvedWarmup = new AtomicLong();
        AtomicLong starvedMeasured = new AtomicLong();
        AtomicLong skipped = new AtomicLong();

        // The check: one validation must be accepted.
        try (Connection check = new Connection(host, port)) {
            Mac mac = hmacSha1();
            Lease lease = users.take(System.currentTimeMillis() + 60_000, Long.MAX_VALUE, new AtomicLong(), new AtomicLong());
            while (lease != null && ambiguous(mac, lease.user().key, lease.step())) {
                skipped.incrementAndGet();
                users.giveBack(lease.user(), lease.step());
                lease = users.take(System.currentTimeMillis() + 60_000, Long.MAX_VALUE, new AtomicLong(), new AtomicLong());
            }
            if (lease == null) {
                System.err.println("ValidateLoad: no user has a fresh code within a minute");
                System.exit(2);
            }
            Answer a = check.send(request(head, lease, mac));
            total.incrementAndGet();
            users.giveBack(lease.user(), lease.step());
            if (a.status() != 200 || !a.body().contains("\"result\":\"accept\"")) {
                System.err.println("ValidateLoad: the check validation answered " + a.status() + ": " + a.body());
                writeState(state, lines(all));
                System.exit(2);
            }
        } catch (IOException e) {
            System.err.println("ValidateLoad: the check validation failed: " + e);
            System.exit(2);
        }

        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        long startMillis = System.currentTimeMillis();
        long measureFromMillis = startMillis + TimeUnit.SECONDS.toMillis(warmup);
        long endMillis = measureFromMillis + TimeUnit.SECONDS.toMillis(seconds);
        List<List<Sample>> perWorker = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            List<Sample> mine = new ArrayList<>();
            perWorker.add(mine);
            workers.add(Thread.ofPlatform().daemon().name("validate-" + w).start(() -> {
                Mac mac = hmacSha1();
                Connection conn = new Connection(host, port);
                try {
                    while (System.nanoTime() < end) {
                        Lease lease = users.take(endMillis, measureFromMillis, starvedWarmup, starvedMeasured);
                        if (lease == null) {
                            break;
                        }
                        if (ambiguous(mac, lease.user().key, lease.step())) {
                            skipped.incrementAndGet();
                            users.giveBack(lease.user(), lease.step());
                            continue;
                        }
                        byte[] req = request(head, lease, mac);
                        long t0 = System.nanoTime();
                        String failure;
                        try {
                            Answer a = conn.send(req);
                            if (a.status() != 200) {
                                failure = "http_" + a.status();
                            } else if (a.body().contains("\"result\":\"accept\"")) {
                                failure = null;
                            } else {
                                Matcher m = Pattern.compile("\"reason\":\"([a-z_]+)\"").matcher(a.body());
                                failure = "reject_" + (m.find() ? m.group(1) : "unknown");
                            }
                        } catch (SocketTimeoutException e) {
                            failure = "timeout";
                            conn.close();
                        } catch (IOException e) {
                            failure = "io_" + e.getClass().getSimpleName();
                            conn.close();
                        }
                        long t1 = System.nanoTime();
                        total.incrementAndGet();
                        users.giveBack(lease.user(), lease.step());
                        mine.add(new Sample(t1, t1 - t0, failure));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    conn.close();
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        watchdog.interrupt();
        writeState(state, lines(all));

        Map<String, Integer> failures = new TreeMap<>();
        List<Long> ok = new ArrayList<>();
        int counted = 0;
        for (List<Sample> samples : perWorker) {
            for (Sample s : samples) {
                if (s.end() < measureFrom || s.end() > end) {
                    continue;
                }
                counted++;
                if (s.failure() != null) {
                    failures.merge(s.failure(), 1, Integer::sum);
                } else {
                    ok.add(s.nanos());
                }
            }
        }
        int failed = counted - ok.size();
        StringBuilder line = new StringBuilder(String.format(
                Locale.ROOT,
                "concurrency=%d seconds=%d validations=%d failed=%d rate=%.1f",
                concurrency,
                seconds,
                ok.size(),
                failed,
                ok.size() / (double) seconds));
        line.append(stats(ok));
        line.append(String.format(
                Locale.ROOT,
                " requests_total=%d starved_ms=%d starved_warmup_ms=%d ambiguous_skipped=%d",
                total.get(),
                starvedMeasured.get(),
                starvedWarmup.get(),
                skipped.get()));
        if (!failures.isEmpty()) {
            StringBuilder f = new StringBuilder();
            failures.forEach((k, v) -> f.append(f.isEmpty() ? "" : ",").append(k).append(':').append(v));
            line.append(" failures=").append(f);
        }
        System.out.println(line);
        System.exit(failed == 0 && !ok.isEmpty() ? 0 : 1);
    }

    static List<String> lines(List<User> all) {
        List<String> out = new ArrayList<>(all.size());
        for (User u : all) {
            out.add(u.name + " " + u.seed + " " + u.last + " " + u.ip);
        }
        return out;
    }

    static byte[] request(String head, Lease lease, Mac mac) {
        User u = lease.user();
        String body = "{\"username\":\"" + u.name + "\",\"otp\":\"" + totp(mac, u.key, lease.step())
                + "\",\"clientIp\":\"" + u.ip + "\"}";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        byte[] h = (head + "Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(h, h.length + b.length);
        System.arraycopy(b, 0, out, h.length, b.length);
        return out;
    }

    record Answer(int status, String body) {}

    /**
     * One keep-alive HTTP/1.1 connection, opened on first use and again after the server closed it
     * (Tomcat closes a connection after 100 requests, saying "Connection: close").
     */
    static final class Connection implements AutoCloseable {
        private final String host;
        private final int port;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Connection(String host, int port) {
            this.host = host;
            this.port = port;
        }

        Answer send(byte[] request) throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(SOCKET_TIMEOUT_MS);
                socket.connect(new InetSocketAddress(host, port), 5000);
                in = new BufferedInputStream(socket.getInputStream(), 16384);
                out = socket.getOutputStream();
            }
            out.write(request);
            out.flush();
            String status = readLine();
            if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
                throw new IOException("bad status line: " + status);
            }
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            String header;
            while (!(header = readLine()).isEmpty()) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).strip();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> {}
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (chunked) {
                while (true) {
                    String size = readLine();
                    int semi = size.indexOf(';');
                    int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
                    if (n == 0) {
                        while (!readLine().isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    body.write(in.readNBytes(n));
                    readLine();
                }
            } else if (length >= 0) {
                byte[] b = in.readNBytes((int) length);
                if (b.length != length) {
                    throw new IOException("connection closed in the body");
                }
                body.write(b);
            } else {
                body.write(in.readAllBytes());
                close = true;
            }
            if (close) {
                close();
            }
            return new Answer(code, body.toString(StandardCharsets.UTF_8));
        }

        private String readLine() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    int n = sb.length();
                    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
                }
                sb.append((char) c);
            }
            throw new IOException("connection closed");
        }

        @Override
        public void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            socket = null;
            in = null;
            out = null;
        }
    }

    private static String stats(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return " p50_ms=- p99_ms=- max_ms=- mean_ms=-";
        }
        long[] v = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(v);
        double mean = Arrays.stream(v).average().orElse(0) / 1e6;
        return String.format(
                Locale.ROOT,
                " p50_ms=%.2f p99_ms=%.2f max_ms=%.1f mean_ms=%.2f",
                percentile(v, 50) / 1e6,
                percentile(v, 99) / 1e6,
                v[v.length - 1] / 1e6,
                mean);
    }

    /** Nearest-rank percentile. */
    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
