package dev.signet.server.web;

import static dev.signet.server.testing.TestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.PasswordResetService;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password reset by emailed link, over real HTTP with a real SMTP server (GreenMail) on loopback:
 * the link works once, for 30 minutes, and dies with any password change; asking for one answers
 * the same whether or not the address has an account.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PasswordResetTest {
    static final String ADMIN_PASSWORD = "correct horse battery staple";
    static final String OLD_PASSWORD = "violet anchor meadow quartz 92";
    static final String NEW_PASSWORD = "lantern orchard velvet tundra 57";
    private static final Pattern LINK = Pattern.compile("(https?://\\S+)/reset/confirm\\?token=([A-Za-z0-9_-]+)");
    private static final Pattern CSRF_VALUE = Pattern.compile("name=\"_csrf\"[^>]*value=\"[^\"]+\"");

    final MutableClock clock = MutableClock.startingNow();
    final AtomicInteger users = new AtomicInteger();
    GreenMail smtp;
    TestServer server;

    @BeforeAll
    void start(@TempDir Path dataDir) {
        smtp = startSmtp();
        server = startServer(TestDatabases.Kind.SQLITE, dataDir, smtp, clock);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    static GreenMail startSmtp() {
        GreenMail mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        return mail;
    }

    static TestServer startServer(TestDatabases.Kind kind, Path dataDir, GreenMail smtp, MutableClock clock) {
        return startServer(kind, dataDir, smtp.getSmtp().getPort(), clock);
    }

    static TestServer startServer(TestDatabases.Kind kind, Path dataDir, int smtpPort, MutableClock clock) {
        TestServer s = TestServer.start(
                TestDatabases.settings(
                        kind,
                        dataDir,
                        Map.of(
                                "SIGNET_SMTP_HOST", "127.0.0.1",
                                "SIGNET_SMTP_PORT", Integer.toString(smtpPort),
                                "SIGNET_SMTP_SECURITY", "none",
                                "SIGNET_SMTP_FROM", "signet@example.test")),
                clock);
        s.running().context().getBean(SetupService.class).createAdminFromShell("root", null, ADMIN_PASSWORD);
        return s;
    }

    // ------------------------------------------------------------------ helpers

    record Account(User user, String email) {}

    Account newUser() {
        return newUser(server);
    }

    Account newUser(TestServer s) {
        String name = "user" + users.incrementAndGet();
        String email = name + "@example.test";
        User user = s.running()
                .context()
                .getBean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                name, email, null, User.Role.USER, User.Kind.PERSON, OLD_PASSWORD, null),
                        "test");
        return new Account(user, email);
    }

    static HttpResponse<String> askForLink(TestServer s, String email) throws Exception {
        return s.submit(TestServer.browserLikeClient(), "/reset", "/reset", "email=" + enc(email));
    }

    /** Asks for a link for {@code email} and returns it from the mail that arrives. */
    URI link(TestServer s, GreenMail mail, String email) throws Exception {
        int before = mailsTo(mail, email).size();
        assertThat(askForLink(s, email).statusCode()).isEqualTo(200);
        await(() -> mailsTo(mail, email).size() > before);
        String body = (String) mailsTo(mail, email).get(before).getContent();
        Matcher m = LINK.matcher(body);
        assertThat(m.find()).as("a reset link in:\n%s", body).isTrue();
        assertThat(m.group(1)).isEqualTo(s.base().toString());
        return URI.create(m.group());
    }

    static String pathOf(URI link) {
        return link.getRawPath() + "?" + link.getRawQuery();
    }

    static String tokenOf(URI link) {
        return link.getRawQuery().substring("token=".length());
    }

    static List<MimeMessage> mailsTo(GreenMail mail, String email) {
        return Arrays.stream(mail.getReceivedMessages())
                .filter(m -> {
                    try {
                        return Arrays.stream(m.getRecipients(Message.RecipientType.TO))
                                .anyMatch(a -> a.toString().equalsIgnoreCase(email));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                })
                .toList();
    }

    static HttpResponse<String> setPassword(TestServer s, HttpClient client, URI link, String password, String confirm)
            throws Exception {
        return s.submit(
                client,
                pathOf(link),
                "/reset/confirm",
                "token=" + tokenOf(link) + "&password=" + enc(password) + "&confirm=" + enc(confirm));
    }

    static HttpResponse<String> signIn(TestServer s, HttpClient client, String username, String password)
            throws Exception {
        return s.submit(client, "/signin", "/signin", "username=" + enc(username) + "&password=" + enc(password));
    }

    static boolean signsIn(TestServer s, String username, String password) throws Exception {
        HttpResponse<String> r = signIn(s, TestServer.browserLikeClient(), username, password);
        assertThat(r.statusCode()).isEqualTo(302);
        return !r.headers().firstValue("Location").orElseThrow().contains("/signin");
    }

    AuditLog audit() {
        return server.running().context().getBean(AuditLog.class);
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 seconds");
            }
            Thread.sleep(20);
        }
    }

    long requests(String reason) {
        return audit().recent(1000, "account.password_reset_requested").stream()
                .filter(e -> reason == null ? "success".equals(e.outcome()) : reason.equals(e.reason()))
                .count();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void linkWhenFollowedThenSetsThePasswordOnceAndNeverAgain() throws Exception {
        Account a = newUser();
        URI link = link(server, smtp, a.email());
        MimeMessage mail = mailsTo(smtp, a.email()).getFirst();
        assertThat(mail.getSubject()).isEqualTo("Reset your Signet password");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("signet@example.test");

        HttpClient browser = TestServer.browserLikeClient();
        HttpResponse<String> form = server.get(browser, pathOf(link));
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body())
                .contains("Choose a new password")
                .contains(a.user().username());
        assertThat(form.body()).contains("type=\"hidden\" name=\"token\"");
        assertThat(form.headers().firstValue("Referrer-Policy")).contains("no-referrer");

        HttpResponse<String> done = setPassword(server, browser, link, NEW_PASSWORD, NEW_PASSWORD);
        assertThat(done.statusCode()).isEqualTo(302);
        assertThat(done.headers().firstValue("Location").orElseThrow()).endsWith("/signin?reset");

        assertThat(signsIn(server, a.user().username(), NEW_PASSWORD)).isTrue();
        assertThat(signsIn(server, a.user().username(), OLD_PASSWORD)).isFalse();

        HttpResponse<String> again = server.get(TestServer.browserLikeClient(), pathOf(link));
        assertThat(again.statusCode()).isIn(404, 410);
        assertThat(again.body()).contains("Ask for a new link").doesNotContain("name=\"password\"");
        HttpClient other = TestServer.browserLikeClient();
        String csrf = TestServer.csrfFrom(server.get(other, "/reset").body());
        HttpResponse<String> replay = server.post(
                other,
                "/reset/confirm",
                "token=" + tokenOf(link) + "&password=" + enc(OLD_PASSWORD) + "&confirm=" + enc(OLD_PASSWORD)
                        + "&_csrf=" + csrf);
        assertThat(replay.statusCode()).isIn(404, 410);
        assertThat(signsIn(server, a.user().username(), NEW_PASSWORD)).isTrue();

        assertThat(audit().recent(50, "account.password_reset"))
                .extracting(AuditRecord::subject, AuditRecord::outcome)
                .contains(org.assertj.core.groups.Tuple.tuple(a.user().username(), "success"));
    }

    @Test
    void askWhenAddressUnknownOrDisabledThenTheSameAnswerAndNoMail() throws Exception {
        Account known = newUser();
        Account disabled = newUser();
        server.running()
                .context()
                .getBean(AccountService.class)
                .disable(disabled.user().id(), "test");
        String unknown = "nobody-" + users.incrementAndGet() + "@example.test";

        long unknownBefore = requests("unknown");
        HttpResponse<String> forKnown = askForLink(server, known.email());
        HttpResponse<String> forUnknown = askForLink(server, unknown);
        HttpResponse<String> forDisabled = askForLink(server, disabled.email());

        assertThat(forKnown.statusCode())
                .isEqualTo(forUnknown.statusCode())
                .isEqualTo(forDisabled.statusCode())
                .isEqualTo(200);
        assertThat(withoutCsrf(forUnknown.body()))
                .isEqualTo(withoutCsrf(forKnown.body()))
                .isEqualTo(withoutCsrf(forDisabled.body()))
                .contains("If an account has this address");

        await(() -> requests("unknown") >= unknownBefore + 2);
        await(() -> !mailsTo(smtp, known.email()).isEmpty());
        assertThat(mailsTo(smtp, unknown)).isEmpty();
        assertThat(mailsTo(smtp, disabled.email())).isEmpty();
        // The typed address is not recorded for addresses without an account.
        assertThat(audit().recent(50, "account.password_reset_requested"))
                .filteredOn(e -> "unknown".equals(e.reason()))
                .allSatisfy(e -> {
                    assertThat(e.subject()).isNull();
                    assertThat(String.valueOf(e.details())).doesNotContain("@");
                });
    }

    @Test
    void askWhenNotAnEmailAddressThenFormAgainWith400() throws Exception {
        HttpResponse<String> r = askForLink(server, "not an address");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("email.invalid").contains("name=\"email\"");
    }

    @Test
    void linkWhenOlderThan30MinutesThenRefused() throws Exception {
        Account a = newUser();
        URI link = link(server, smtp, a.email());
        clock.advance(Duration.ofMinutes(31));
        HttpClient browser = TestServer.browserLikeClient();
        String csrf = TestServer.csrfFrom(server.get(browser, "/reset").body());

        HttpResponse<String> page = server.get(TestServer.browserLikeClient(), pathOf(link));
        assertThat(page.statusCode()).isEqualTo(410);
        assertThat(page.body()).contains("data-state=\"expired\"").doesNotContain("name=\"password\"");
        HttpResponse<String> post = server.post(
                browser,
                "/reset/confirm",
                "token=" + tokenOf(link) + "&password=" + enc(NEW_PASSWORD) + "&confirm=" + enc(NEW_PASSWORD)
                        + "&_csrf=" + csrf);
        assertThat(post.statusCode()).isEqualTo(410);
        assertThat(signsIn(server, a.user().username(), OLD_PASSWORD)).isTrue();
    }

    @Test
    void linkWhenPasswordChangedMeanwhileThenVoid() throws Exception {
        Account a = newUser();
        URI link = link(server, smtp, a.email());
        server.running()
                .context()
                .getBean(AccountService.class)
                .changePassword(a.user().id(), OLD_PASSWORD, NEW_PASSWORD, false, null);

        HttpResponse<String> page = server.get(TestServer.browserLikeClient(), pathOf(link));
        assertThat(page.statusCode()).isIn(404, 410);
        assertThat(page.body()).doesNotContain("name=\"password\"");
        assertThat(signsIn(server, a.user().username(), NEW_PASSWORD)).isTrue();
    }

    @Test
    void confirmWhenPasswordRefusedThenFormAgainWithReasonAndTheLinkStillWorks() throws Exception {
        Account a = newUser();
        URI link = link(server, smtp, a.email());
        HttpClient browser = TestServer.browserLikeClient();

        HttpResponse<String> weak = setPassword(server, browser, link, "short", "short");
        assertThat(weak.statusCode()).isEqualTo(400);
        assertThat(weak.body())
                .contains("password.too_short")
                .contains("at least 15 characters")
                .contains("name=\"token\"");
        HttpResponse<String> mismatch = setPassword(server, browser, link, NEW_PASSWORD, NEW_PASSWORD + "x");
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(mismatch.body()).contains("password.mismatch");
        assertThat(signsIn(server, a.user().username(), OLD_PASSWORD)).isTrue();

        assertThat(server.get(browser, pathOf(link)).statusCode()).isEqualTo(200);
        HttpResponse<String> done = setPassword(server, browser, link, NEW_PASSWORD, NEW_PASSWORD);
        assertThat(done.statusCode()).isEqualTo(302);
        assertThat(signsIn(server, a.user().username(), NEW_PASSWORD)).isTrue();
    }

    @Test
    void resetWhenDoneThenEverySessionOfTheUserEnds() throws Exception {
        Account a = newUser();
        HttpClient session = TestServer.browserLikeClient();
        assertThat(signIn(server, session, a.user().username(), OLD_PASSWORD)
                        .headers()
                        .firstValue("Location")
                        .orElseThrow())
                .doesNotContain("/signin");
        HttpResponse<String> before = server.get(session, "/");
        assertThat(before.headers().firstValue("Location").orElse("")).doesNotEndWith("/signin");

        URI link = link(server, smtp, a.email());
        assertThat(setPassword(server, TestServer.browserLikeClient(), link, NEW_PASSWORD, NEW_PASSWORD)
                        .statusCode())
                .isEqualTo(302);

        HttpResponse<String> after = server.get(session, "/");
        assertThat(after.statusCode()).isEqualTo(302);
        assertThat(after.headers().firstValue("Location").orElseThrow()).endsWith("/signin");
    }

    @Test
    void askWhenMoreThanThreeTimesIn30MinutesThenThrottledButTheSameAnswer() throws Exception {
        Account a = newUser();
        for (int i = 0; i < PasswordResetService.MAX_LINKS_PER_WINDOW; i++) {
            link(server, smtp, a.email());
        }
        long throttledBefore = requests("throttled");
        HttpResponse<String> fourth = askForLink(server, a.email());
        assertThat(fourth.statusCode()).isEqualTo(200);
        assertThat(fourth.body()).contains("If an account has this address");
        await(() -> requests("throttled") > throttledBefore);
        assertThat(mailsTo(smtp, a.email())).hasSize(PasswordResetService.MAX_LINKS_PER_WINDOW);
    }

    @Test
    void confirmWhenEightRequestsRaceWithOneLinkThenExactlyOneSucceeds() throws Exception {
        race(server, smtp);
    }

    @Test
    void confirmWhenRequestsRaceOnPostgresThenExactlyOneSucceeds(@TempDir Path pgDir) throws Exception {
        GreenMail mail = startSmtp();
        try (TestServer pg = startServer(TestDatabases.Kind.POSTGRES, pgDir, mail, MutableClock.startingNow())) {
            race(pg, mail);
        } finally {
            mail.stop();
        }
    }

    @Test
    void askWhenSmtpUnreachableThenTheSameAnswerAndTheFailureAudited(@TempDir Path otherDir) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (TestServer s = startServer(TestDatabases.Kind.SQLITE, otherDir, closedPort, MutableClock.startingNow())) {
            Account a = newUser(s);
            HttpResponse<String> r = askForLink(s, a.email());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("If an account has this address");
            AuditLog log = s.running().context().getBean(AuditLog.class);
            await(() -> !log.recent(10, "account.password_reset_mail").isEmpty());
            assertThat(log.recent(10, "account.password_reset_mail"))
                    .extracting(AuditRecord::subject, AuditRecord::outcome, AuditRecord::reason)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(a.user().username(), "failure", "mail_failed"));
        }
    }

    private void race(TestServer s, GreenMail mail) throws Exception {
        Account a = newUser(s);
        URI link = link(s, mail, a.email());
        int racers = 8;
        List<HttpClient> clients = new ArrayList<>();
        List<String> csrfs = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            HttpClient c = TestServer.browserLikeClient();
            clients.add(c);
            csrfs.add(TestServer.csrfFrom(s.get(c, pathOf(link)).body()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            int n = i;
            results.add(pool.submit((Callable<Integer>) () -> {
                go.await();
                String password = NEW_PASSWORD + " " + n;
                return s.post(
                                clients.get(n),
                                "/reset/confirm",
                                "token=" + tokenOf(link) + "&password=" + enc(password) + "&confirm=" + enc(password)
                                        + "&_csrf=" + csrfs.get(n))
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
        assertThat(codes).filteredOn(c -> c == 404 || c == 410).hasSize(racers - 1);
        int winner = codes.indexOf(302);
        assertThat(signsIn(s, a.user().username(), NEW_PASSWORD + " " + winner)).isTrue();
        assertThat(signsIn(s, a.user().username(), NEW_PASSWORD + " " + ((winner + 1) % racers)))
                .isFalse();
    }

    private static String withoutCsrf(String html) {
        return CSRF_VALUE.matcher(html).replaceAll("name=\"_csrf\"");
    }
}
