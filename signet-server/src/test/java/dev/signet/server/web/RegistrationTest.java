package dev.signet.server.web;

import static dev.signet.server.testing.TestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.account.AccountService;
import dev.signet.server.account.RegistrationService;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Self-registration over real HTTP: off by default (the pages do not exist), and when on, a USER account. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistrationTest {
    static final String PASSWORD = "violet anchor meadow quartz 92";

    final MutableClock clock = MutableClock.startingNow();
    final AtomicInteger names = new AtomicInteger();
    TestServer server;

    @BeforeAll
    void start(@TempDir Path dataDir) {
        server = TestServer.start(
                TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir, Map.of("SIGNET_SELF_REGISTRATION", "true")),
                clock);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    HttpResponse<String> register(HttpClient client, String username, String password, String confirm)
            throws Exception {
        return server.submit(
                client,
                "/register",
                "/register",
                "username=" + enc(username) + "&email=" + enc(username + "@example.test") + "&displayName="
                        + enc("Name " + username) + "&password=" + enc(password) + "&confirm=" + enc(confirm));
    }

    String freshName() {
        return "reg" + names.incrementAndGet();
    }

    AccountService accounts() {
        return server.running().context().getBean(AccountService.class);
    }

    @Test
    void registrationWhenOffByDefaultThenNotFound(@TempDir Path otherDir) throws Exception {
        try (TestServer closed = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, otherDir))) {
            HttpClient client = TestServer.browserLikeClient();
            HttpResponse<String> signin = closed.get(client, "/signin");
            assertThat(signin.body()).doesNotContain("href=\"/register\"");
            assertThat(closed.get(client, "/register").statusCode()).isEqualTo(404);
            String csrf = TestServer.csrfFrom(signin.body());
            HttpResponse<String> post = closed.post(
                    client,
                    "/register",
                    "username=intruder&email=i%40example.test&password=" + enc(PASSWORD) + "&confirm=" + enc(PASSWORD)
                            + "&_csrf=" + csrf);
            assertThat(post.statusCode()).isEqualTo(404);
            assertThat(closed.running().context().getBean(AccountService.class).byUsername("intruder"))
                    .isEmpty();
        }
    }

    @Test
    void registrationWhenOnThenCreatesAUserWhoCanSignIn() throws Exception {
        String name = freshName();
        HttpClient client = TestServer.browserLikeClient();
        HttpResponse<String> form = server.get(client, "/register");
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains("Create an account").contains("name=\"displayName\"");
        assertThat(server.get(client, "/signin").body()).contains("href=\"/register\"");

        HttpResponse<String> created = register(client, name, PASSWORD, PASSWORD);
        assertThat(created.statusCode()).isEqualTo(302);
        assertThat(created.headers().firstValue("Location").orElseThrow()).endsWith("/signin?registered");

        User user = accounts().byUsername(name).orElseThrow();
        assertThat(user.role()).isEqualTo(User.Role.USER);
        assertThat(user.kind()).isEqualTo(User.Kind.PERSON);
        assertThat(user.email()).isEqualTo(name + "@example.test");
        assertThat(user.displayName()).isEqualTo("Name " + name);

        HttpResponse<String> signIn = server.submit(
                TestServer.browserLikeClient(),
                "/signin",
                "/signin",
                "username=" + enc(name) + "&password=" + enc(PASSWORD));
        assertThat(signIn.statusCode()).isEqualTo(302);
        assertThat(signIn.headers().firstValue("Location").orElseThrow()).doesNotContain("/signin");

        AuditLog audit = server.running().context().getBean(AuditLog.class);
        assertThat(audit.recent(20, "user.created"))
                .extracting(AuditRecord::subject, AuditRecord::actor)
                .contains(org.assertj.core.groups.Tuple.tuple(name, RegistrationService.ACTOR));
        assertThat(audit.recent(20, RegistrationService.EVENT))
                .extracting(AuditRecord::subject, AuditRecord::outcome, AuditRecord::ip)
                .contains(org.assertj.core.groups.Tuple.tuple(name, "success", "127.0.0.1"));
    }

    @Test
    void registrationWhenPasswordRefusedThenFormAgainWithReasonAndNoAccount() throws Exception {
        String name = freshName();
        HttpClient client = TestServer.browserLikeClient();

        HttpResponse<String> weak = register(client, name, "short", "short");
        assertThat(weak.statusCode()).isEqualTo(400);
        assertThat(weak.body())
                .contains("password.too_short")
                .contains("at least 15 characters")
                .contains("value=\"" + name + "\"")
                .doesNotContain("value=\"short\"");
        HttpResponse<String> mismatch = register(client, name, PASSWORD, PASSWORD + "!");
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(mismatch.body()).contains("password.mismatch");
        assertThat(accounts().byUsername(name)).isEmpty();
    }

    @Test
    void registrationWhenUsernameTakenThenSaysSo() throws Exception {
        String name = freshName();
        assertThat(register(TestServer.browserLikeClient(), name, PASSWORD, PASSWORD)
                        .statusCode())
                .isEqualTo(302);
        HttpResponse<String> again = register(TestServer.browserLikeClient(), name, PASSWORD, PASSWORD);
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.body()).contains("username.taken");
    }

    @Test
    void registrationWhenTooManyFromOneAddressInAnHourThenRefusedUntilTheHourPasses() throws Exception {
        clock.advance(Duration.ofMinutes(61)); // a fresh window, whatever ran before
        try {
            for (int i = 0; i < RegistrationService.MAX_ACCOUNTS_PER_HOUR; i++) {
                assertThat(register(TestServer.browserLikeClient(), freshName(), PASSWORD, PASSWORD)
                                .statusCode())
                        .isEqualTo(302);
            }
            String name = freshName();
            HttpResponse<String> refused = register(TestServer.browserLikeClient(), name, PASSWORD, PASSWORD);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.body()).contains("registration.throttled");
            assertThat(accounts().byUsername(name)).isEmpty();

            clock.advance(Duration.ofMinutes(61));
            assertThat(register(TestServer.browserLikeClient(), name, PASSWORD, PASSWORD)
                            .statusCode())
                    .isEqualTo(302);
        } finally {
            clock.advance(Duration.ofMinutes(61));
        }
    }
}
