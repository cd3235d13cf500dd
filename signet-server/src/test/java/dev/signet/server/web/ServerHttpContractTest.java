package dev.signet.server.web;

import static dev.signet.server.testing.TestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.ledger.ChainVerdict;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server over real HTTP on loopback, run against SQLite and PostgreSQL: first-run setup,
 * sign-in, the dashboard, operations endpoints and bad input.
 */
abstract class ServerHttpContractTest {
    static final String PASSWORD = "correct horse battery staple";

    @TempDir
    Path dataDir;

    MutableClock clock = MutableClock.startingNow();
    TestServer server;

    abstract TestDatabases.Kind kind();

    @BeforeEach
    void start() {
        server = TestServer.start(TestDatabases.settings(kind(), dataDir), clock);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String setupPath() {
        return "/setup?token=" + server.setupToken();
    }

    HttpResponse<String> createAdmin(HttpClient client, String username) throws Exception {
        return server.submit(
                client,
                setupPath(),
                "/setup",
                "token=" + server.setupToken() + "&username=" + enc(username) + "&password=" + enc(PASSWORD)
                        + "&confirm=" + enc(PASSWORD));
    }

    HttpResponse<String> signIn(HttpClient client, String username, String password) throws Exception {
        return server.submit(client, "/signin", "/signin", "username=" + enc(username) + "&password=" + enc(password));
    }

    AuditLog audit() {
        return server.running().context().getBean(AuditLog.class);
    }

    @Test
    void startWhenNoAdministratorThenPrintsASetupLinkAndNoPasswordAnywhere() {
        assertThat(server.printed()).contains(server.setupLink()).contains("works once");
        assertThat(server.setupLink()).startsWith(server.base() + "/setup?token=");
        assertThat(server.setupToken()).hasSizeGreaterThanOrEqualTo(43);
    }

    @Test
    void setupWhenFollowedThenAdminCreatedAndCanSignInToTheDashboard() throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        HttpResponse<String> form = server.get(client, setupPath());
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains("Create the first administrator");
        assertThat(form.headers().firstValue("Referrer-Policy")).contains("no-referrer");

        HttpResponse<String> created = createAdmin(client, "root");
        assertThat(created.statusCode()).isEqualTo(302);
        assertThat(created.headers().firstValue("Location").orElseThrow()).endsWith("/signin?created");

        HttpResponse<String> signedIn = signIn(client, "ROOT", PASSWORD);
        assertThat(signedIn.statusCode()).isEqualTo(302);
        assertThat(signedIn.headers().firstValue("Location").orElseThrow()).endsWith("/");
        HttpResponse<String> dashboard = server.get(client, "/");
        assertThat(dashboard.statusCode()).isEqualTo(200);
        assertThat(dashboard.body())
                .contains("Dashboard")
                .contains("setup.admin_created")
                .contains("auth.sign_in");

        List<AuditRecord> events = audit().recent(10, null);
        assertThat(events)
                .extracting(AuditRecord::type)
                .contains("setup.admin_created", "auth.sign_in", "setup.link_issued");
        assertThat(audit().verify()).isInstanceOf(ChainVerdict.Intact.class);
    }

    @Test
    void setupWhenEightHttpRequestsRaceWithOneLinkThenExactlyOneSucceeds() throws Exception {
        int racers = 8;
        List<HttpClient> clients = new ArrayList<>();
        List<String> csrfs = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            HttpClient c = TestServer.browserLikeClient();
            clients.add(c);
            csrfs.add(TestServer.csrfFrom(server.get(c, setupPath()).body()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            int n = i;
            results.add(pool.submit((Callable<Integer>) () -> {
                go.await();
                return server.post(
                                clients.get(n),
                                "/setup",
                                "token=" + server.setupToken() + "&username=admin" + n + "&password=" + enc(PASSWORD)
                                        + "&confirm=" + enc(PASSWORD) + "&_csrf=" + csrfs.get(n))
                        .statusCode();
            }));
        }
        go.countDown();
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> f : results) {
            codes.add(f.get());
        }
        pool.shutdown();
        assertThat(codes).filteredOn(c -> c == 302).hasSize(1);
        assertThat(codes).filteredOn(c -> c == 410).hasSize(racers - 1);
    }

    @Test
    void setupLinkWhenExpiredThenClearMessageAndNoForm() throws Exception {
        clock.advance(Duration.ofMinutes(61));
        HttpResponse<String> page = server.get(TestServer.browserLikeClient(), setupPath());
        assertThat(page.statusCode()).isEqualTo(410);
        assertThat(page.body())
                .contains("expired")
                .contains("data-state=\"expired\"")
                .doesNotContain("name=\"password\"");
    }

    @Test
    void setupLinkWhenUnknownThenNotFoundPage() throws Exception {
        HttpResponse<String> page = server.get(TestServer.browserLikeClient(), "/setup?token=forged");
        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.body()).contains("not valid");
    }

    @Test
    void setupWhenPasswordTooShortThenFormAgainWithReasonAndNothingCreated() throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        HttpResponse<String> r = server.submit(
                client,
                setupPath(),
                "/setup",
                "token=" + server.setupToken() + "&username=root&password=short&confirm=short");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("password.too_short").contains("at least 15 characters");
        assertThat(server.get(client, setupPath()).statusCode()).isEqualTo(200); // the link still works
    }

    @Test
    void signInWhenWrongPasswordOrUnknownUserThenTheSameAnswerAndBothAudited() throws Exception {
        createAdmin(TestServer.browserLikeClient(), "root");
        HttpResponse<String> wrong = signIn(TestServer.browserLikeClient(), "root", "not the password at all");
        HttpResponse<String> unknown = signIn(TestServer.browserLikeClient(), "nobody", "not the password at all");
        assertThat(wrong.statusCode()).isEqualTo(unknown.statusCode()).isEqualTo(302);
        assertThat(wrong.headers().firstValue("Location"))
                .isEqualTo(unknown.headers().firstValue("Location"));
        assertThat(audit().recent(5, "auth.sign_in"))
                .extracting(AuditRecord::subject, AuditRecord::outcome, AuditRecord::reason)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("root", "failure", "bad_password"),
                        org.assertj.core.groups.Tuple.tuple("nobody", "failure", "unknown_user"));
    }

    @Test
    void dashboardWhenNotSignedInThenRedirectsToSignIn() throws Exception {
        HttpResponse<String> r = server.get(TestServer.browserLikeClient(), "/");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location").orElseThrow()).endsWith("/signin");
    }

    @Test
    void opsEndpointsWhenRunningThenHealthyReadyAndMetricsInPrometheusFormat() throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        assertThat(server.get(client, "/healthz").body()).contains("\"up\"");
        HttpResponse<String> ready = server.get(client, "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"ready\"");
        HttpResponse<String> metrics = server.get(client, "/metrics");
        assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(metrics.body()).contains("jvm_memory_used_bytes").contains("signet_audit_events_total");
    }

    @Test
    void formPostWhenCsrfTokenMissingThenForbiddenAndNothingCreated() throws Exception {
        HttpResponse<String> r = server.post(
                TestServer.browserLikeClient(),
                "/setup",
                "token=" + server.setupToken() + "&username=root&password=" + enc(PASSWORD) + "&confirm="
                        + enc(PASSWORD));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(server.get(TestServer.browserLikeClient(), setupPath()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void signInWhenOneMegabyteUsernameThenRefusedQuicklyWithoutAStackTrace() throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        String csrf = TestServer.csrfFrom(server.get(client, "/signin").body());
        long before = audit().size();
        HttpResponse<String> r =
                server.post(client, "/signin", "username=" + "a".repeat(1 << 20) + "&password=x&_csrf=" + csrf);
        assertThat(r.statusCode()).isBetween(400, 499);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("at org.");
        assertThat(audit().size()).isEqualTo(before);
    }

    @Test
    void unknownPathWhenRequestedThenNotFoundWithoutDetails() throws Exception {
        createAdmin(TestServer.browserLikeClient(), "root");
        HttpClient client = TestServer.browserLikeClient();
        signIn(client, "root", PASSWORD);
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(server.uri("/no/such/page"))
                        .header("Accept", "text/html")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("Page not found").doesNotContain("Exception");
    }

    @Test
    void responsesWhenAnyPageThenSecurityHeadersSet() throws Exception {
        HttpResponse<String> r = server.get(TestServer.browserLikeClient(), "/signin");
        assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'self'");
        assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(r.headers().allValues("Set-Cookie"))
                .allMatch(c -> c.contains("HttpOnly") && c.contains("SameSite=Lax"));
    }
}
