package dev.signet.server.web;

import static dev.signet.server.testing.TestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.otp.OneTimePasswords;
import dev.signet.core.otp.OtpParams;
import dev.signet.core.otp.OtpSeed;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings.MfaRequirement;
import dev.signet.server.signin.FactorPolicy;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MFA policy over real HTTP: a password alone does not reach the console when a factor is
 * required or enrolled; enrolment; the second step; the throttle on codes (which a right password
 * does not reset); step-up before factor changes; the last required factor cannot be removed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MfaHttpTest {
    static final String PASSWORD = "copper walrus timber ninety";
    static final Pattern SECRET = Pattern.compile("id=\"secret\">([A-Z2-7 ]+)<");
    static final Pattern CONFIRM = Pattern.compile("action=\"(/account/factors/otp/[^/\"]+/confirm)\"");
    static final Pattern DEVICE = Pattern.compile("id=\"device-([0-9a-f-]{36})\"");

    final MutableClock clock = new MutableClock(Instant.parse("2032-02-02T08:00:05Z"));
    TestServer server;
    int names;

    @BeforeAll
    void start(@TempDir Path dataDir) {
        server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir, Map.of()), clock);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }

    User newUser(Optional<MfaRequirement> requirement) {
        User user = bean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "mfa" + (++names), null, null, User.Role.USER, null, PASSWORD, null),
                        "test");
        bean(FactorPolicy.class).setOwn(user.id(), requirement);
        return user;
    }

    HttpResponse<String> signIn(HttpClient client, String username) throws Exception {
        return server.submit(client, "/signin", "/signin", "username=" + enc(username) + "&password=" + enc(PASSWORD));
    }

    static String location(HttpResponse<String> r) {
        return r.headers().firstValue("Location").orElse("");
    }

    long step() {
        return clock.instant().getEpochSecond() / 30;
    }

    static String code(OtpSeed seed, long step) {
        return OneTimePasswords.generate(OtpParams.totpDefault(), seed, step);
    }

    /** Enrols a TOTP authenticator through the pages; returns its seed. */
    OtpSeed enrol(HttpClient client) throws Exception {
        HttpResponse<String> page = server.submit(client, "/account/factors", "/account/factors/otp", "name=phone");
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        Matcher secret = SECRET.matcher(page.body());
        Matcher confirm = CONFIRM.matcher(page.body());
        assertThat(secret.find()).isTrue();
        assertThat(confirm.find()).isTrue();
        OtpSeed seed = OtpSeed.fromBase32(secret.group(1).replace(" ", ""));
        String csrf = TestServer.csrfFrom(page.body());
        String wrong = code(seed, step()).equals("000000") ? "111111" : "000000";
        HttpResponse<String> refused = server.post(client, confirm.group(1), "code=" + wrong + "&_csrf=" + csrf);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("otp.code_invalid");
        HttpResponse<String> done =
                server.post(client, confirm.group(1), "code=" + code(seed, step() - 1) + "&_csrf=" + csrf);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(done.body()).contains("id=\"codes\"");
        assertThat(Pattern.compile("class=\"recovery-code\">")
                        .matcher(done.body())
                        .results()
                        .count())
                .isEqualTo(10);
        return seed;
    }

    @Test
    void aRequiredFactorMustBeEnrolledBeforeAnythingElse() throws Exception {
        User user = newUser(Optional.of(MfaRequirement.ANY));
        HttpClient client = TestServer.browserLikeClient();
        assertThat(location(signIn(client, user.username()))).endsWith("/account/factors?enrol");
        for (String path : new String[] {"/", "/account", "/account/tokens", "/account/sessions"}) {
            HttpResponse<String> r = server.get(client, path);
            assertThat(r.statusCode()).as(path).isEqualTo(302);
            assertThat(location(r)).as(path).endsWith("/account/factors?enrol");
        }
        HttpResponse<String> factors = server.get(client, "/account/factors?enrol");
        assertThat(factors.statusCode()).isEqualTo(200);
        assertThat(factors.body()).contains("id=\"enrol-needed\"");

        enrol(client);
        assertThat(server.get(client, "/account").statusCode()).isEqualTo(200);
    }

    @Test
    void anEnrolledUserNeedsTheSecondStepAndWrongCodesAreThrottled() throws Exception {
        User user = newUser(Optional.empty());
        HttpClient first = TestServer.browserLikeClient();
        assertThat(location(signIn(first, user.username()))).endsWith("/");
        OtpSeed seed = enrol(first);

        HttpClient client = TestServer.browserLikeClient();
        assertThat(location(signIn(client, user.username()))).endsWith("/signin/factor");
        for (String path : new String[] {"/", "/account", "/account/factors", "/admin/users"}) {
            HttpResponse<String> r = server.get(client, path);
            assertThat(r.statusCode()).as(path).isEqualTo(302);
            assertThat(location(r)).as(path).endsWith("/signin/factor");
        }
        String right = code(seed, step());
        String wrong = right.equals("000000") ? "111111" : "000000";
        int throttled = 0;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = server.submit(client, "/signin/factor", "/signin/factor/otp", "code=" + wrong);
            assertThat(r.statusCode()).isIn(401, 429);
            if (r.statusCode() == 429) {
                throttled++;
            }
        }
        assertThat(throttled)
                .as("wrong codes count towards the account's throttle")
                .isPositive();
        // signing in again with the right password does not reset the count
        HttpClient again = TestServer.browserLikeClient();
        assertThat(location(signIn(again, user.username()))).contains("/signin?throttled=");
        assertThat(server.submit(client, "/signin/factor", "/signin/factor/otp", "code=" + right)
                        .statusCode())
                .isEqualTo(429);

        clock.advance(Duration.ofMinutes(20));
        HttpResponse<String> in =
                server.submit(client, "/signin/factor", "/signin/factor/otp", "code=" + code(seed, step()));
        assertThat(location(in)).endsWith("/");
        assertThat(server.get(client, "/account").statusCode()).isEqualTo(200);
        assertThat(bean(AuditLog.class).recent(20, "auth.sign_in").getFirst().details())
                .contains("pwd+otp");
    }

    @Test
    void factorChangesNeedAStepUpAndTheLastRequiredFactorStays() throws Exception {
        User user = newUser(Optional.of(MfaRequirement.ANY));
        HttpClient client = TestServer.browserLikeClient();
        signIn(client, user.username());
        OtpSeed seed = enrol(client);
        Matcher device = DEVICE.matcher(server.get(client, "/account/factors").body());
        assertThat(device.find()).isTrue();
        String remove = "/account/factors/otp/" + device.group(1) + "/delete";

        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> stale = server.submit(client, "/account/factors", remove, "");
        assertThat(location(stale)).contains("/account/step-up?next=/account/factors");
        assertThat(location(server.submit(client, "/account/factors", "/account/factors/otp", "name=second")))
                .contains("/account/step-up");
        assertThat(location(server.submit(client, "/account/factors", "/account/factors/recovery", "")))
                .contains("/account/step-up");
        assertThat(location(server.submit(
                        client, "/account/tokens", "/account/tokens", "name=x&scopes=tokens:write&expiry=30")))
                .contains("/account/step-up");

        HttpResponse<String> stepUpPage = server.get(client, "/account/step-up?next=/account/factors");
        assertThat(stepUpPage.body()).contains("id=\"step-up-otp\"").doesNotContain("id=\"step-up-password\"");
        HttpResponse<String> confirmed = server.submit(
                client, "/account/step-up?next=/account/factors", "/account/step-up", "code=" + code(seed, step()));
        assertThat(location(confirmed)).endsWith("/account/factors");

        HttpResponse<String> refused = server.submit(client, "/account/factors", remove, "");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("factor.last_required");
        assertThat(server.get(client, "/account/factors").body()).contains("id=\"device-" + device.group(1));
    }

    HttpResponse<String> api(String method, String path, String token, String json) throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + token);
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(
                method,
                json == null
                        ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(json));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void administratorsSetTheUsersPolicyAndResetLostFactorsOverTheApi() throws Exception {
        User admin = bean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "admin" + (++names), null, null, User.Role.ADMIN, null, PASSWORD, null),
                        "test");
        String token = bean(dev.signet.server.token.TokenService.class)
                .create(admin, "ops", java.util.Set.of("users:read", "users:write"), Optional.empty(), "test")
                .secret();
        User user = newUser(Optional.empty());
        String base = "/api/v1/users/" + user.id() + "/factors";
        assertThat(api("GET", base, token, null).body())
                .contains("\"mfaRequired\":\"server\"", "\"effective\":\"off\"", "\"otpDevices\":0");
        HttpResponse<String> bad = api("PUT", base + "/policy", token, "{\"mfaRequired\":\"sometimes\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("request.invalid");
        assertThat(api("PUT", base + "/policy", token, "{\"mfaRequired\":\"any\"}")
                        .body())
                .contains("\"effective\":\"any\"");

        HttpClient client = TestServer.browserLikeClient();
        assertThat(location(signIn(client, user.username()))).endsWith("/account/factors?enrol");
        enrol(client);
        assertThat(api("GET", base, token, null).body()).contains("\"otpDevices\":1", "\"recoveryCodesLeft\":10");

        HttpResponse<String> reset = api("DELETE", base, token, null);
        assertThat(reset.statusCode()).isEqualTo(200);
        assertThat(reset.body()).contains("\"factorsRemoved\":1", "\"sessionsEnded\":1");
        assertThat(api("GET", base, token, null).body()).contains("\"otpDevices\":0", "\"recoveryCodesLeft\":0");
        HttpResponse<String> after = server.get(client, "/account");
        assertThat(after.statusCode()).as("the session was ended").isEqualTo(302);
        assertThat(location(after)).endsWith("/signin");
        assertThat(bean(AuditLog.class).recent(10, "user.factors_reset")).hasSize(1);
    }

    @Test
    void changingTheEmailNeedsAStepUpAndAnAdministratorCanRequireAFactorFromTheConsole() throws Exception {
        User user = newUser(Optional.empty());
        HttpClient client = TestServer.browserLikeClient();
        signIn(client, user.username());
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> stale =
                server.submit(client, "/account", "/account/profile", "email=new%40example.test&displayName=");
        assertThat(location(stale)).contains("/account/step-up?next=/account");
        HttpResponse<String> stepUp = server.get(client, "/account/step-up?next=/account");
        assertThat(stepUp.body()).contains("id=\"step-up-password\"");
        assertThat(location(server.submit(
                        client, "/account/step-up?next=/account", "/account/step-up", "password=" + enc(PASSWORD))))
                .endsWith("/account");
        assertThat(location(
                        server.submit(client, "/account", "/account/profile", "email=new%40example.test&displayName=")))
                .endsWith("/account");
        assertThat(bean(AccountService.class).get(user.id()).email()).isEqualTo("new@example.test");

        User admin = bean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "boss" + (++names), null, null, User.Role.ADMIN, null, PASSWORD, null),
                        "test");
        HttpClient adminClient = TestServer.browserLikeClient();
        signIn(adminClient, admin.username());
        String page = "/admin/users/" + user.id();
        assertThat(server.get(adminClient, page).body()).contains("id=\"mfa-block\"");
        HttpResponse<String> bad = server.submit(adminClient, page, page + "/mfa", "required=sometimes");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(location(server.submit(adminClient, page, page + "/mfa", "required=any")))
                .endsWith(page);
        assertThat(bean(FactorPolicy.class).requirement(user.id())).isEqualTo(MfaRequirement.ANY);
        HttpClient next = TestServer.browserLikeClient();
        assertThat(location(signIn(next, user.username()))).endsWith("/account/factors?enrol");
    }

    @Test
    void aRecoveryCodeSignsInOnce() throws Exception {
        User user = newUser(Optional.empty());
        HttpClient first = TestServer.browserLikeClient();
        signIn(first, user.username());
        HttpResponse<String> page = server.submit(first, "/account/factors", "/account/factors/otp", "name=phone");
        Matcher secret = SECRET.matcher(page.body());
        Matcher confirm = CONFIRM.matcher(page.body());
        assertThat(secret.find() && confirm.find()).isTrue();
        OtpSeed seed = OtpSeed.fromBase32(secret.group(1).replace(" ", ""));
        HttpResponse<String> done = server.post(
                first, confirm.group(1), "code=" + code(seed, step()) + "&_csrf=" + TestServer.csrfFrom(page.body()));
        Matcher codes = Pattern.compile("class=\"recovery-code\">([0-9a-z-]+)<").matcher(done.body());
        assertThat(codes.find()).isTrue();
        String recovery = codes.group(1);

        HttpClient client = TestServer.browserLikeClient();
        signIn(client, user.username());
        HttpResponse<String> in =
                server.submit(client, "/signin/factor", "/signin/factor/recovery", "code=" + enc(recovery));
        assertThat(location(in)).endsWith("/");

        HttpClient again = TestServer.browserLikeClient();
        signIn(again, user.username());
        HttpResponse<String> reused =
                server.submit(again, "/signin/factor", "/signin/factor/recovery", "code=" + enc(recovery));
        assertThat(reused.statusCode()).isEqualTo(401);
        assertThat(bean(AuditLog.class).recent(50, "account.recovery_code_used"))
                .hasSize(1);
    }
}
