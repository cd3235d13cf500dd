package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.SignetServer;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.token.TokenService;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code signet login --device} against a real server started in this JVM: the CLI asks for a
 * device code as the built-in client {@code signet-cli}, a person signed in to the console approves
 * the code over HTTP (the {@code /device} page, then the consent form), and the CLI stores the API
 * token the server issues. Time is the server's clock, which the CLI's waits move forward instead of
 * sleeping; one wait that ends early makes the server answer {@code slow_down} (RFC 8628 section 3.5),
 * after which the CLI waits 5 seconds longer.
 */
class DeviceLoginTest {
    static final String ROOT_PASSWORD = "violet quartz harbour lantern 7319";
    static final String DANA_PASSWORD = "copper meadow lantern violin 58";
    private static final Pattern USER_CODE = Pattern.compile("enter the code: ([A-Z0-9-]+)");
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    /** The server's clock; the CLI's waits move it. */
    static final class TestClock extends Clock {
        volatile Instant now = Instant.now();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @TempDir
    static Path dataDir;

    static final TestClock clock = new TestClock();
    static SignetServer.Running server;

    @TempDir
    Path home;

    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final InputStream originalIn = System.in;
    private final DeviceLogin.Sleeper originalSleeper = DeviceLogin.sleeper;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;

    @BeforeAll
    static void startServer() {
        SignetSettings settings = SignetSettings.read(
                Map.of(
                        "SIGNET_DATA_DIR", dataDir.toString(),
                        "SIGNET_HOST", "127.0.0.1",
                        "SIGNET_PORT", "0",
                        "SIGNET_SHUTDOWN_TIMEOUT_SECONDS", "2",
                        // cheap password hashing: Argon2id's cost is not under test here
                        "SIGNET_ARGON2_MEMORY_KIB", "8192",
                        "SIGNET_ARGON2_ITERATIONS", "1"),
                Map.of());
        server = SignetServer.start(settings, clock, new PrintStream(OutputStream.nullOutputStream()));
        server.context().getBean(SetupService.class).createAdminFromShell("root", null, ROOT_PASSWORD);
        server.context()
                .getBean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "dana", null, "Dana", User.Role.USER, User.Kind.PERSON, DANA_PASSWORD, null),
                        "test");
        // erin never approved the CLI before, so she is asked (a remembered consent skips the question)
        server.context()
                .getBean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "erin", null, "Erin", User.Role.USER, User.Kind.PERSON, DANA_PASSWORD, null),
                        "test");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void capture() {
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(new byte[0]));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        System.setIn(originalIn);
        DeviceLogin.sleeper = originalSleeper;
    }

    int run(String... args) {
        out.reset();
        err.reset();
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        return Main.run(env, args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    String url() {
        return server.baseUrl().toString();
    }

    @Test
    void loginWhenThePersonApprovesTheCodeThenTheCliStoresAnApiTokenLimitedToTheirRole() throws Exception {
        List<Duration> waits = new CopyOnWriteArrayList<>();
        DeviceLogin.sleeper = wait -> {
            waits.add(wait);
            switch (waits.size()) {
                // the second poll comes early: the server answers slow_down
                case 2 -> clock.advance(Duration.ofSeconds(1));
                case 3 -> {
                    unchecked(() -> approve("dana", DANA_PASSWORD, userCode(), true));
                    clock.advance(wait);
                }
                default -> clock.advance(wait);
            }
        };

        int code = run("login", "--device", "--url", url());

        assertThat(code).as("stdout: %s\nstderr: %s", out(), err()).isZero();
        assertThat(err()).contains("To sign in, open " + url() + "/device", "enter the code: ");
        assertThat(waits)
                .as("5 s by default (RFC 8628 3.2), 5 s more after slow_down (3.5)")
                .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10));
        assertThat(out()).contains("Logged in to " + url() + " as dana (user)", "'signet login --device'");

        String stored = Files.readString(home.resolve("config/signet/credentials"));
        assertThat(stored).contains("sgt_");
        List<TokenService.ApiToken> tokens = tokensOf("dana");
        assertThat(tokens).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("signet login --device");
            assertThat(t.scopes())
                    .as("only the scopes a user's role allows")
                    .containsExactlyInAnyOrder("tokens:write", "sessions:write");
            assertThat(t.expires()).isPresent();
        });

        assertThat(run("whoami")).isZero();
        assertThat(out()).contains("dana (user, person)", "sessions:write tokens:write");
        assertThat(run("tokens", "list")).isZero();
        assertThat(out()).contains("signet login --device");
    }

    @Test
    void loginWhenScopesAreGivenThenTheTokenHasThoseAndTheClientCommandsUseIt() throws Exception {
        DeviceLogin.sleeper = wait -> {
            unchecked(() -> approve("root", ROOT_PASSWORD, userCode(), true));
            clock.advance(wait);
        };

        assertThat(run("login", "--device", "--url", url(), "--scopes", "clients:admin"))
                .as(err())
                .isZero();
        assertThat(out()).contains("as root (admin)");
        assertThat(run("clients", "list")).as(err()).isZero();
        assertThat(out()).contains("signet-cli", "Signet CLI");
        assertThat(run("users", "list")).isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("[auth.insufficient_scope]");
    }

    @Test
    void loginWhenThePersonDeniesThenTheCliSaysSoAndStoresNothing() throws Exception {
        int before = tokensOf("erin").size();
        List<Duration> waits = new CopyOnWriteArrayList<>();
        DeviceLogin.sleeper = wait -> {
            waits.add(wait);
            if (waits.size() == 1) {
                unchecked(() -> approve("erin", DANA_PASSWORD, userCode(), false));
            }
            clock.advance(wait);
        };

        assertThat(run("login", "--device", "--url", url())).as(err()).isEqualTo(Main.EXIT_FAILED);
        assertThat(err()).contains("refused");
        assertThat(waits).hasSize(1);
        assertThat(home.resolve("config/signet/credentials")).doesNotExist();
        assertThat(tokensOf("erin")).hasSize(before);
        assertThat(run("login", "--device", "--token-stdin", "--url", url())).isEqualTo(Main.EXIT_USAGE);
    }

    interface Step {
        void run() throws Exception;
    }

    private static void unchecked(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the person, in a browser ------------------------------------------------------------------

    private String userCode() {
        Matcher m = USER_CODE.matcher(err());
        assertThat(m.find()).as(err()).isTrue();
        return m.group(1);
    }

    /** Signs {@code username} in to the console, enters the code on /device, and allows (or denies) it. */
    private void approve(String username, String password, String userCode, boolean allow) throws Exception {
        HttpClient browser = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpResponse<String> signIn =
                submit(browser, "/signin", "/signin", "username=" + enc(username) + "&password=" + enc(password));
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(302);

        HttpResponse<String> consent =
                follow(browser, submit(browser, "/device", "/device", "user_code=" + enc(userCode)));
        assertThat(consent.statusCode()).as(consent.body()).isEqualTo(200);
        assertThat(consent.body()).contains("id=\"device-notice\"", userCode, "Signet CLI");

        StringBuilder form = new StringBuilder();
        form.append("client_id=").append(enc(field(consent.body(), "client_id")));
        form.append("&state=").append(enc(field(consent.body(), "state")));
        form.append("&user_code=").append(enc(field(consent.body(), "user_code")));
        if (allow) {
            Matcher scopes =
                    Pattern.compile("name=\"scope\" value=\"([^\"]+)\"").matcher(consent.body());
            while (scopes.find()) {
                form.append("&scope=").append(enc(scopes.group(1)));
            }
        }
        Matcher csrf = CSRF.matcher(consent.body());
        if (csrf.find()) {
            form.append("&_csrf=").append(enc(csrf.group(1)));
        }
        HttpResponse<String> done = follow(browser, post(browser, "/oauth2/device_verification", form.toString()));
        if (allow) {
            assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
            assertThat(done.body()).contains("the device is signed in");
        }
    }

    private static String field(String html, String name) {
        Matcher m = Pattern.compile("name=\"" + name + "\" value=\"([^\"]+)\"").matcher(html);
        assertThat(m.find()).as(html).isTrue();
        return m.group(1);
    }

    private HttpResponse<String> submit(HttpClient browser, String formPath, String postPath, String form)
            throws Exception {
        HttpResponse<String> page = get(browser, formPath);
        Matcher csrf = CSRF.matcher(page.body());
        assertThat(csrf.find()).as(page.body()).isTrue();
        return post(browser, postPath, form + "&_csrf=" + enc(csrf.group(1)));
    }

    private HttpResponse<String> get(HttpClient browser, String path) throws Exception {
        URI uri = path.startsWith("http") ? URI.create(path) : URI.create(url() + path);
        return browser.send(
                HttpRequest.newBuilder(uri).GET().header("Accept", "text/html").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(HttpClient browser, String path, String form) throws Exception {
        return browser.send(
                HttpRequest.newBuilder(URI.create(url() + path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Accept", "text/html")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> follow(HttpClient browser, HttpResponse<String> response) throws Exception {
        HttpResponse<String> current = response;
        for (int i = 0; i < 10 && current.statusCode() / 100 == 3; i++) {
            current = get(browser, current.headers().firstValue("Location").orElseThrow());
        }
        return current;
    }

    private List<TokenService.ApiToken> tokensOf(String username) {
        String id = server.context()
                .getBean(dev.signet.server.account.UserRepository.class)
                .byUsername(username)
                .orElseThrow()
                .id();
        return new ArrayList<>(server.context().getBean(TokenService.class).forUser(id));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
