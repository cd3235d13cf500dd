/*
 * Load for any OpenID Connect provider, for bench/oidc.sh: the same generator runs against Keycloak
 * and Signet. Run with the JDK's single-file source launcher (no build step):
 *
 *   OIDC_BENCH_CLIENT_SECRET=... \
 *     java bench/OidcLoad.java client-credentials ISSUER CLIENT_ID SECONDS CONCURRENCY [WARMUP]
 *   OIDC_BENCH_CLIENT_SECRET=... OIDC_BENCH_PASSWORD=... \
 *     java bench/OidcLoad.java sign-in ISSUER CLIENT_ID REDIRECT_URI USERNAME SECONDS CONCURRENCY [WARMUP]
 *
 * e.g. java bench/OidcLoad.java client-credentials http://127.0.0.1:18080/realms/bench service 30 8 20
 *
 * The endpoints come from ISSUER/.well-known/openid-configuration (authorization_endpoint,
 * token_endpoint). The client authenticates with client_secret_basic (RFC 6749 section 2.3.1).
 *
 * client-credentials: each worker repeats POST token_endpoint with grant_type=client_credentials
 * (RFC 6749 section 4.4); a success is 200 with an access_token and token_type Bearer.
 *
 * sign-in: each worker repeats a complete browser-style sign-in with a fresh cookie jar (a new
 * browser, no session): GET authorization_endpoint with response_type=code, scope=openid, a random
 * state and nonce, and PKCE S256 (RFC 7636), following redirects on the provider until a page with
 * a password form; parses that form (its action, its hidden fields such as a CSRF token or
 * Keycloak's session_code, the username and password fields); POSTs it with the password, following
 * redirects until one goes to REDIRECT_URI; checks the state and takes the code; POSTs token_endpoint
 * with grant_type=authorization_code, the code, REDIRECT_URI and the code_verifier; a success is
 * 200 with an access_token and an id_token. The redirect URI is never contacted. Cookies are kept
 * per sign-in, sent to the provider's host whatever their path or Secure flag (it is loopback, which
 * browsers treat as secure).
 *
 * Before the timed part one operation is checked end to end; for sign-in also the ID token's
 * payload (decoded, not verified: that is the interop tests' job): iss = ISSUER, aud has CLIENT_ID,
 * nonce = the one sent. Connections are kept alive and shared (HTTP/1.1), as browsers and
 * back-ends do; sessions and cookies are not.
 *
 * Counted: operations that ended inside the measured window (after WARMUP seconds, default 10,
 * before WARMUP + SECONDS); the rate is the successes divided by SECONDS. Each request has a 30 s
 * timeout; the whole run stops by itself at WARMUP + SECONDS + 60 s at the latest. Prints one line:
 *
 *   mode=M concurrency=C seconds=S ok=N failed=F rate=R server_cpu_ms=.. idle_servers_cpu_ms=.. load_cpu_ms=..
 *   machine_busy_ms=.. machine_ms=.. total_p50_ms=.. total_p99_ms=.. total_max_ms=.. [authorize_p50_ms=.. authorize_p99_ms=..
 *   password_p50_ms=.. ... token_p50_ms=.. ...] [failures=reason:count,...]
 *
 * (sign-in: authorize = GET authorize up to the form, password = POST of the form up to the code,
 * token = the code exchange) and exits 0 when nothing failed, 1 otherwise (2 on a usage error or
 * when the check failed). The CPU figures cover the measured window exactly: server_cpu_ms is the
 * CPU time of the process OIDC_BENCH_SERVER_PID names and its descendants (0 without it),
 * idle_servers_cpu_ms that of the processes OIDC_BENCH_IDLE_PIDS lists (comma-separated: servers
 * left running but not loaded), load_cpu_ms this generator's own, machine_busy_ms and machine_ms the whole machine's busy and
 * total CPU time (all CPUs, from /proc/stat).
 */

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

public class OidcLoad {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final int MAX_REDIRECTS = 10;
    static final SecureRandom RANDOM = new SecureRandom();
    static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    /** One operation: its phases in nanoseconds (sign-in: authorize, password, token); null failure on success. */
    record Sample(long end, long[] phases, String failure) {}

    static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        Failed(String reason) {
            super(reason, null, false, false);
        }
    }

    interface Operation {
        /** Runs once; on success fills {@code phases} and returns; throws Failed otherwise. */
        void run(long[] phases, boolean check) throws Failed;
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        boolean signIn = mode.equals("sign-in");
        int fixed = signIn ? 5 : 3;
        if (!(signIn || mode.equals("client-credentials")) || args.length < fixed + 2) {
            System.err.println("usage: OIDC_BENCH_CLIENT_SECRET=... java bench/OidcLoad.java client-credentials ISSUER"
                    + " CLIENT_ID SECONDS CONCURRENCY [WARMUP]\n"
                    + "       OIDC_BENCH_CLIENT_SECRET=... OIDC_BENCH_PASSWORD=... java bench/OidcLoad.java sign-in"
                    + " ISSUER"
                    + " CLIENT_ID REDIRECT_URI USERNAME SECONDS CONCURRENCY [WARMUP]");
            System.exit(2);
        }
        String issuer = args[1];
        String clientId = args[2];
        int seconds = Integer.parseInt(args[fixed]);
        int concurrency = Integer.parseInt(args[fixed + 1]);
        int warmup = args.length > fixed + 2 ? Integer.parseInt(args[fixed + 2]) : 10;
        String secret = System.getenv("OIDC_BENCH_CLIENT_SECRET");
        String password = System.getenv("OIDC_BENCH_PASSWORD");
        String pidText = System.getenv("OIDC_BENCH_SERVER_PID");
        long serverPid = pidText == null || pidText.isEmpty() ? -1 : Long.parseLong(pidText);
        String idleText = System.getenv("OIDC_BENCH_IDLE_PIDS");
        long[] idlePids = idleText == null || idleText.isBlank()
                ? new long[0]
                : Arrays.stream(idleText.split(",")).mapToLong(Long::parseLong).toArray();
        if (secret == null
                || secret.isEmpty()
                || (signIn && (password == null || password.isEmpty()))
                || seconds < 1
                || concurrency < 1
                || concurrency > 256
                || warmup < 0) {
            System.err.println("OidcLoad: needs OIDC_BENCH_CLIENT_SECRET (and OIDC_BENCH_PASSWORD for sign-in),"
                    + " SECONDS >= 1, 1 <= CONCURRENCY <= 256");
            System.exit(2);
        }

        // Stops by itself whatever happens: workers are daemons, and this thread ends the JVM.
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(warmup + seconds + 60L));
                System.err.println("OidcLoad: still running 60 s after the end; giving up");
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
        OidcLoad load = new OidcLoad(client, issuer, clientId, secret);
        Operation operation;
        String[] phaseNames;
        try {
            load.discover();
            if (signIn) {
                String redirectUri = args[3];
                String username = args[4];
                operation = (phases, check) -> load.signIn(redirectUri, username, password, phases, check);
                phaseNames = new String[] {"authorize", "password", "token"};
            } else {
                operation = (phases, check) -> load.clientCredentials(phases, check);
                phaseNames = new String[0];
            }
            operation.run(new long[3], true);
        } catch (Failed e) {
            System.err.println("OidcLoad: the check " + mode + " failed: " + e.getMessage());
            System.exit(2);
            return;
        }

        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        List<List<Sample>> perWorker = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            List<Sample> mine = new ArrayList<>();
            perWorker.add(mine);
            workers.add(Thread.ofPlatform().daemon().name(mode + "-" + w).start(() -> {
                while (System.nanoTime() < end) {
                    long[] phases = new long[3];
                    String failure = null;
                    try {
                        operation.run(phases, false);
                    } catch (Failed e) {
                        failure = e.getMessage();
                    } catch (RuntimeException e) {
                        failure = "exception_" + e.getClass().getSimpleName();
                    }
                    mine.add(new Sample(System.nanoTime(), phases, failure));
                }
            }));
        }
        // CPU over the measured window exactly: the server's (when its pid is given), this
        // generator's, and the whole machine's.
        sleepUntil(measureFrom);
        Cpu before = Cpu.now(serverPid, idlePids);
        sleepUntil(end);
        Cpu after = Cpu.now(serverPid, idlePids);
        for (Thread t : workers) {
            t.join();
        }
        watchdog.interrupt();

        Map<String, Integer> failures = new TreeMap<>();
        List<Long> totals = new ArrayList<>();
        List<List<Long>> phases = new ArrayList<>();
        for (int i = 0; i < phaseNames.length; i++) {
            phases.add(new ArrayList<>());
        }
        for (List<Sample> samples : perWorker) {
            for (Sample s : samples) {
                if (s.end() < measureFrom || s.end() > end) {
                    continue;
                }
                if (s.failure() != null) {
                    failures.merge(s.failure(), 1, Integer::sum);
                    continue;
                }
                totals.add(Arrays.stream(s.phases()).sum());
                for (int i = 0; i < phaseNames.length; i++) {
                    phases.get(i).add(s.phases()[i]);
                }
            }
        }
        int ok = totals.size();
        int failed = failures.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder line = new StringBuilder(String.format(
                Locale.ROOT,
                "mode=%s concurrency=%d seconds=%d ok=%d failed=%d rate=%.2f",
                mode,
                concurrency,
                seconds,
                ok,
                failed,
                ok / (double) seconds));
        line.append(String.format(
                Locale.ROOT,
                " server_cpu_ms=%d idle_servers_cpu_ms=%d load_cpu_ms=%d machine_busy_ms=%d machine_ms=%d",
                after.serverMs() - before.serverMs(),
                after.idleMs() - before.idleMs(),
                after.selfMs() - before.selfMs(),
                after.busyMs() - before.busyMs(),
                after.totalMs() - before.totalMs()));
        line.append(stats("total", totals));
        for (int i = 0; i < phaseNames.length; i++) {
            line.append(stats(phaseNames[i], phases.get(i)));
        }
        if (!failures.isEmpty()) {
            StringBuilder f = new StringBuilder();
            failures.forEach((k, v) -> f.append(f.isEmpty() ? "" : ",").append(k).append(':').append(v));
            line.append(" failures=").append(f);
        }
        System.out.println(line);
        System.exit(failed == 0 && ok > 0 ? 0 : 1);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /**
     * CPU time so far, in ms: the server process and its descendants (kc.sh runs Keycloak's JVM as
     * a child), other servers left idle meanwhile, this process, and the machine's busy and total
     * time from /proc/stat (all CPUs).
     */
    record Cpu(long serverMs, long idleMs, long selfMs, long busyMs, long totalMs) {
        static Cpu now(long serverPid, long[] idlePids) {
            long server = treeMs(serverPid);
            long idle = Arrays.stream(idlePids).map(Cpu::treeMs).sum();
            long self = ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
            long busy = 0;
            long total = 0;
            try {
                // "cpu  user nice system idle iowait irq softirq steal ...", in clock ticks (USER_HZ, 100)
                String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
                for (int i = 1; i < f.length; i++) {
                    total += Long.parseLong(f[i]);
                }
                busy = total - Long.parseLong(f[4]) - (f.length > 5 ? Long.parseLong(f[5]) : 0);
            } catch (java.io.IOException | RuntimeException e) {
                // not Linux: machine figures stay 0
            }
            return new Cpu(server, idle, self, busy * 10, total * 10);
        }

        private static long treeMs(long pid) {
            Optional<ProcessHandle> root = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
            return root.map(r -> Stream.concat(Stream.of(r), r.descendants())
                            .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toMillis).orElse(0L))
                            .sum())
                    .orElse(0L);
        }
    }

    private final HttpClient client;
    private final String issuer;
    private final String clientId;
    private final String basic;
    private URI authorizationEndpoint;
    private URI tokenEndpoint;

    OidcLoad(HttpClient client, String issuer, String clientId, String secret) {
        this.client = client;
        this.issuer = issuer;
        this.clientId = clientId;
        // RFC 6749 section 2.3.1: both parts form-encoded before the Basic encoding.
        this.basic = "Basic "
                + Base64.getEncoder()
                        .encodeToString((enc(clientId) + ":" + enc(secret)).getBytes(StandardCharsets.UTF_8));
    }

    /** OpenID Connect Discovery 1.0 section 4: the provider's metadata. */
    void discover() throws Failed {
        URI uri = URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri).GET());
        if (r.statusCode() != 200) {
            throw new Failed("discovery_" + r.statusCode());
        }
        String iss = jsonString(r.body(), "issuer");
        if (!issuer.equals(iss)) {
            throw new Failed("discovery_issuer_is_" + iss);
        }
        authorizationEndpoint =
                URI.create(require(jsonString(r.body(), "authorization_endpoint"), "no_authz_endpoint"));
        tokenEndpoint = URI.create(require(jsonString(r.body(), "token_endpoint"), "no_token_endpoint"));
    }

    // ---- client credentials ---------------------------------------------------------------------

    void clientCredentials(long[] phases, boolean check) throws Failed {
        long t0 = System.nanoTime();
        HttpResponse<String> r = send(HttpRequest.newBuilder(tokenEndpoint)
                .header("Authorization", basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")));
        tokenOk(r);
        phases[0] = System.nanoTime() - t0;
        if (check) {
            System.err.println("OidcLoad: client credentials: access token "
                    + describe(jsonString(r.body(), "access_token")));
        }
    }

    /** "a JWT signed with ES256 (kid ...)" or "opaque", from the JOSE header (RFC 7515 section 4). */
    private static String describe(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return "opaque (" + token.length() + " characters)";
        }
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        return "a JWT signed with " + jsonString(header, "alg") + " (" + token.length() + " characters)";
    }

    // ---- sign-in --------------------------------------------------------------------------------

    void signIn(String redirectUri, String username, String password, long[] phases, boolean check) throws Failed {
        Map<String, String> cookies = new LinkedHashMap<>();
        String verifier = random(32);
        String state = random(16);
        String nonce = random(16);
        String challenge = B64URL.encodeToString(sha256(verifier));
        long t0 = System.nanoTime();
        URI authorize = URI.create(authorizationEndpoint
                + (authorizationEndpoint.getRawQuery() == null ? "?" : "&")
                + "response_type=code&client_id=" + enc(clientId)
                + "&redirect_uri=" + enc(redirectUri)
                + "&scope=openid&state=" + state
                + "&nonce=" + nonce
                + "&code_challenge=" + challenge
                + "&code_challenge_method=S256");
        HttpResponse<String> page = get(authorize, cookies, redirectUri, "authorize");
        if (page.statusCode() != 200) {
            throw new Failed("authorize_" + page.statusCode());
        }
        Form form = Form.parse(page.body(), page.uri()).orElseThrow(() -> new Failed("authorize_no_password_form"));
        long t1 = System.nanoTime();

        Map<String, String> fields = new LinkedHashMap<>(form.fields());
        fields.put(form.usernameField(), username);
        fields.put(form.passwordField(), password);
        StringBuilder body = new StringBuilder();
        fields.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(enc(k)).append('=').append(enc(v)));
        HttpResponse<String> posted = send(withCookies(HttpRequest.newBuilder(form.action()), cookies)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", origin(form.action()))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        keep(posted, cookies);
        URI callback = follow(posted, cookies, redirectUri, "password");
        Map<String, String> params = query(callback);
        if (params.containsKey("error")) {
            throw new Failed("password_error_" + params.get("error"));
        }
        if (!state.equals(params.get("state"))) {
            throw new Failed("password_state_mismatch");
        }
        String code = params.get("code");
        if (code == null || code.isEmpty()) {
            throw new Failed("password_no_code");
        }
        long t2 = System.nanoTime();

        HttpResponse<String> token = send(HttpRequest.newBuilder(tokenEndpoint)
                .header("Authorization", basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + enc(code)
                        + "&redirect_uri=" + enc(redirectUri) + "&code_verifier=" + verifier)));
        tokenOk(token);
        String idToken = jsonString(token.body(), "id_token");
        if (idToken == null) {
            throw new Failed("token_no_id_token");
        }
        long t3 = System.nanoTime();
        phases[0] = t1 - t0;
        phases[1] = t2 - t1;
        phases[2] = t3 - t2;
        if (check) {
            checkIdToken(idToken, nonce);
            System.err.println("OidcLoad: sign-in: ID token " + describe(idToken) + ", access token "
                    + describe(jsonString(token.body(), "access_token")));
        }
    }

    /** Sanity of the ID token's claims (decoded only; signatures are the interop tests' business). */
    private void checkIdToken(String idToken, String nonce) throws Failed {
        String[] parts = idToken.split("\\.");
        if (parts.length != 3) {
            throw new Failed("id_token_not_a_jws");
        }
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        if (!issuer.equals(jsonString(payload, "iss"))) {
            throw new Failed("id_token_iss_" + jsonString(payload, "iss"));
        }
        if (!nonce.equals(jsonString(payload, "nonce"))) {
            throw new Failed("id_token_nonce");
        }
        if (!payload.matches("(?s).*\"aud\"\\s*:\\s*(\\[[^]]*)?\"" + Pattern.quote(clientId) + "\".*")) {
            throw new Failed("id_token_aud");
        }
    }

    /** GETs {@code uri}, following the provider's redirects; a redirect to the client is a failure here. */
    private HttpResponse<String> get(URI uri, Map<String, String> cookies, String redirectUri, String phase)
            throws Failed {
        HttpResponse<String> r = send(withCookies(HttpRequest.newBuilder(uri), cookies).GET());
        keep(r, cookies);
        for (int hops = 0; isRedirect(r.statusCode()); hops++) {
            URI next = location(r);
            if (next.toString().startsWith(redirectUri)) {
                Map<String, String> q = query(next);
                throw new Failed(phase + "_redirected_" + q.getOrDefault("error", "to_client"));
            }
            if (hops == MAX_REDIRECTS) {
                throw new Failed(phase + "_too_many_redirects");
            }
            r = send(withCookies(HttpRequest.newBuilder(next), cookies).GET());
            keep(r, cookies);
        }
        return r;
    }

    /** Follows the provider's redirects from {@code r} until one goes to the client; returns it. */
    private URI follow(HttpResponse<String> r, Map<String, String> cookies, String redirectUri, String phase)
            throws Failed {
        for (int hops = 0; ; hops++) {
            if (!isRedirect(r.statusCode())) {
                // e.g. the form again (wrong password), a consent page, or a second-factor page
                String why = r.statusCode() == 200 && r.body().contains("type=\"password\"") ? "form_again" : "page";
                throw new Failed(phase + "_" + r.statusCode() + "_" + why);
            }
            URI next = location(r);
            if (next.toString().startsWith(redirectUri)) {
                return next;
            }
            if (hops == MAX_REDIRECTS) {
                throw new Failed(phase + "_too_many_redirects");
            }
            r = send(withCookies(HttpRequest.newBuilder(next), cookies).GET());
            keep(r, cookies);
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307;
    }

    private static URI location(HttpResponse<?> r) throws Failed {
        String location = r.headers().firstValue("Location").orElseThrow(() -> new Failed("redirect_no_location"));
        return r.uri().resolve(location);
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        String q = uri.getRawQuery();
        if (q == null) {
            return out;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static HttpRequest.Builder withCookies(HttpRequest.Builder b, Map<String, String> cookies) {
        if (!cookies.isEmpty()) {
            StringBuilder header = new StringBuilder();
            cookies.forEach((k, v) -> header.append(header.isEmpty() ? "" : "; ").append(k).append('=').append(v));
            b.header("Cookie", header.toString());
        }
        return b;
    }

    /** Takes the cookies a response sets (RFC 6265 section 5.2, simplified: one host, every path). */
    private static void keep(HttpResponse<?> r, Map<String, String> cookies) {
        for (String header : r.headers().allValues("Set-Cookie")) {
            String[] attrs = header.split(";");
            int eq = attrs[0].indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = attrs[0].substring(0, eq).strip();
            String value = attrs[0].substring(eq + 1).strip();
            boolean expired = value.isEmpty();
            for (int i = 1; i < attrs.length; i++) {
                String a = attrs[i].strip().toLowerCase(Locale.ROOT);
                if (a.equals("max-age=0") || a.startsWith("max-age=-") || a.startsWith("expires=thu, 01 jan 1970")) {
                    expired = true;
                }
            }
            if (expired) {
                cookies.remove(name);
            } else {
                cookies.put(name, value);
            }
        }
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    /** The password form of a sign-in page: where it posts and what it sends besides the password. */
    record Form(URI action, Map<String, String> fields, String usernameField, String passwordField) {
        static final Pattern FORM = Pattern.compile("(?is)<form\\b([^>]*)>(.*?)</form>");
        static final Pattern INPUT = Pattern.compile("(?is)<(input|button)\\b([^>]*)>");
        static final Pattern ATTR = Pattern.compile(
                "(?s)([A-Za-z_:][-A-Za-z0-9_:.]*)\\s*(?:=\\s*(\"([^\"]*)\"|'([^']*)'|([^\\s\"'>]+)))?");

        static Optional<Form> parse(String html, URI page) {
            Matcher forms = FORM.matcher(html);
            while (forms.find()) {
                Map<String, String> formAttrs = attrs(forms.group(1));
                if (!"post".equalsIgnoreCase(formAttrs.getOrDefault("method", "get"))) {
                    continue;
                }
                Map<String, String> fields = new LinkedHashMap<>();
                String user = null;
                String pass = null;
                boolean submit = false;
                Matcher inputs = INPUT.matcher(forms.group(2));
                while (inputs.find()) {
                    Map<String, String> a = attrs(inputs.group(2));
                    String name = a.get("name");
                    boolean button = inputs.group(1).equalsIgnoreCase("button");
                    String type = a.getOrDefault("type", button ? "submit" : "text").toLowerCase(Locale.ROOT);
                    if (name == null || name.isEmpty() || a.containsKey("disabled")) {
                        continue;
                    }
                    switch (type) {
                        case "hidden" -> fields.put(name, a.getOrDefault("value", ""));
                        case "password" -> pass = pass == null ? name : pass;
                        case "text", "email" -> {
                            // the first field named like "username", else the first text field
                            if (user == null
                                    || (!user.toLowerCase(Locale.ROOT).contains("user")
                                            && name.toLowerCase(Locale.ROOT).contains("user"))) {
                                user = name;
                            }
                        }
                        case "submit" -> {
                            // the button a person clicks: the first named one, as a browser sends it
                            if (!submit) {
                                fields.put(name, a.getOrDefault("value", ""));
                                submit = true;
                            }
                        }
                        default -> {
                            // checkboxes (e.g. "remember me") stay unticked, as by default
                        }
                    }
                }
                if (pass != null && user != null) {
                    String action = formAttrs.getOrDefault("action", "");
                    return Optional.of(
                            new Form(action.isEmpty() ? page : page.resolve(action), fields, user, pass));
                }
            }
            return Optional.empty();
        }

        private static Map<String, String> attrs(String s) {
            Map<String, String> out = new LinkedHashMap<>();
            Matcher m = ATTR.matcher(s);
            while (m.find()) {
                String v = m.group(3) != null ? m.group(3) : m.group(4) != null ? m.group(4) : m.group(5);
                out.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), v == null ? "" : unescape(v));
            }
            return out;
        }
    }

    /** HTML character references in an attribute value (the ones templates emit). */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = Pattern.compile("&(#[xX][0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);").matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String e = m.group(1);
            String r =
                    switch (e) {
                        case "amp" -> "&";
                        case "lt" -> "<";
                        case "gt" -> ">";
                        case "quot" -> "\"";
                        case "apos" -> "'";
                        default -> Character.toString(
                                e.charAt(1) == 'x' || e.charAt(1) == 'X'
                                        ? Integer.parseInt(e.substring(2), 16)
                                        : Integer.parseInt(e.substring(1)));
                    };
            m.appendReplacement(out, Matcher.quoteReplacement(r));
        }
        m.appendTail(out);
        return out.toString();
    }

    // ---- shared ---------------------------------------------------------------------------------

    private static void tokenOk(HttpResponse<String> r) throws Failed {
        if (r.statusCode() != 200) {
            String error = jsonString(r.body(), "error");
            throw new Failed("token_" + r.statusCode() + (error == null ? "" : "_" + error));
        }
        String type = jsonString(r.body(), "token_type");
        if (jsonString(r.body(), "access_token") == null || type == null || !type.equalsIgnoreCase("bearer")) {
            throw new Failed("token_no_bearer_access_token");
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Failed {
        try {
            return client.send(
                    request.timeout(REQUEST_TIMEOUT)
                            .header("User-Agent", "signet-bench OidcLoad")
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

    /** A top-level string member of a JSON object (the documents here are flat enough for this). */
    static String jsonString(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"((?:[^\"\\\\]++|\\\\.)*+)\"")
                .matcher(json);
        return m.find() ? m.group(1).replace("\\/", "/") : null;
    }

    private static String require(String s, String reason) throws Failed {
        if (s == null) {
            throw new Failed(reason);
        }
        return s;
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return B64URL.encodeToString(b);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
