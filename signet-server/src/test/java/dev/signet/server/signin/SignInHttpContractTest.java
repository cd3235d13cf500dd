package dev.signet.server.signin;

import static dev.signet.server.testing.TestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.password.Argon2id;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.PasswordHasher;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password sign-in over real HTTP, against SQLite and PostgreSQL: brute-force protection with the
 * state in the database, no user enumeration, hash upgrades, input limits. Time moves only through
 * the injected clock. A second client address comes from binding the client to 127.0.0.2 (all of
 * 127/8 is loopback).
 */
abstract class SignInHttpContractTest {
    static final String PASSWORD = "quiet lantern harbour seventy";
    static final String ALICE = "alice";

    @TempDir
    Path dataDir;

    final MutableClock clock = MutableClock.startingNow();
    TestServer server;
    User alice;

    abstract TestDatabases.Kind kind();

    Map<String, String> settings() {
        return Map.of();
    }

    @BeforeEach
    void start() {
        server = TestServer.start(TestDatabases.settings(kind(), dataDir, settings()), clock);
        alice = bean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                ALICE, "alice@example.test", "Alice", User.Role.USER, null, PASSWORD, null),
                        "test");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }

    static HttpClient clientFrom(String address) throws Exception {
        return HttpClient.newBuilder()
                .cookieHandler(new java.net.CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .localAddress(InetAddress.getByName(address))
                .build();
    }

    HttpResponse<String> signIn(HttpClient client, String username, String password) throws Exception {
        return server.submit(client, "/signin", "/signin", "username=" + enc(username) + "&password=" + enc(password));
    }

    static String location(HttpResponse<String> r) {
        return r.headers().firstValue("Location").orElse("");
    }

    long verifications() {
        return bean(PasswordHasher.class).verifications();
    }

    @Test
    void signInWhenFiftyWrongPasswordsThenThrottledRightPasswordRefusedAndAcceptedAfterTheDelay() throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        long before = verifications();
        int throttled = 0;
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> r = signIn(client, ALICE, "wrong guess number " + i);
            assertThat(r.statusCode()).isEqualTo(302);
            assertThat(location(r)).doesNotEndWith("/");
            if (location(r).contains("throttled=")) {
                throttled++;
            }
        }
        assertThat(throttled).as("attempts refused by the throttle").isGreaterThanOrEqualTo(40);
        assertThat(verifications() - before)
                .as("throttled attempts are refused before any hashing")
                .isEqualTo(50 - throttled);

        HttpResponse<String> right = signIn(client, ALICE, PASSWORD);
        assertThat(location(right)).as("the right password during the delay").contains("/signin?throttled=");
        assertThat(server.get(client, "/account").statusCode()).isEqualTo(302);

        clock.advance(Duration.ofMinutes(16));
        HttpResponse<String> later = signIn(TestServer.browserLikeClient(), ALICE, PASSWORD);
        assertThat(location(later)).as("after the delay").endsWith("/");
        assertThat(bean(AuditLog.class).recent(200, "auth.throttle"))
                .extracting(AuditRecord::reason)
                .contains("account");
    }

    @Test
    void signInWhenHundredUsernamesFromOneIpThenThatIpThrottledAndAnotherIpUnaffected() throws Exception {
        HttpClient attacker = clientFrom("127.0.0.1");
        int throttled = 0;
        for (int i = 0; i < 100; i++) {
            clock.advance(Duration.ofSeconds(2)); // slower than the per-IP bucket refills: only stuffing trips
            HttpResponse<String> r = signIn(attacker, "victim" + i, "password-" + i + "-guess");
            if (location(r).contains("throttled=")) {
                throttled++;
            }
        }
        assertThat(throttled).isGreaterThanOrEqualTo(75);
        assertThat(location(signIn(clientFrom("127.0.0.1"), ALICE, PASSWORD)))
                .as("the throttled IP, even with the right password")
                .contains("throttled=");
        assertThat(location(signIn(clientFrom("127.0.0.2"), ALICE, PASSWORD)))
                .as("another IP")
                .endsWith("/");
        assertThat(bean(AuditLog.class).recent(200, "auth.throttle"))
                .extracting(AuditRecord::reason, AuditRecord::ip)
                .contains(org.assertj.core.groups.Tuple.tuple("stuffing", "127.0.0.1"));
    }

    @Test
    void signInWhenUnknownOrDisabledUserThenAPasswordVerificationIsPerformedAndTheAnswerIsTheSame() throws Exception {
        User bob = bean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "bob", null, null, User.Role.USER, null, "distant meadow copper kettle", null),
                        "test");
        bean(AccountService.class).disable(bob.id(), "test");

        long v0 = verifications();
        HttpResponse<String> wrong = signIn(TestServer.browserLikeClient(), ALICE, "not her password at all");
        long v1 = verifications();
        HttpResponse<String> unknown = signIn(TestServer.browserLikeClient(), "nobody-here", "not a password at all");
        long v2 = verifications();
        HttpResponse<String> disabled = signIn(TestServer.browserLikeClient(), "bob", "distant meadow copper kettle");
        long v3 = verifications();

        assertThat(v1 - v0).as("wrong password").isEqualTo(1);
        assertThat(v2 - v1).as("unknown user: a dummy Argon2id verification").isEqualTo(1);
        assertThat(v3 - v2).as("disabled user").isEqualTo(1);
        assertThat(List.of(wrong, unknown, disabled))
                .extracting(HttpResponse::statusCode, SignInHttpContractTest::location)
                .containsOnly(org.assertj.core.groups.Tuple.tuple(302, location(wrong)));
        assertThat(location(wrong)).endsWith("/signin?error");
        assertThat(bean(SignInHistory.class).search(SignInHistory.Filter.none(), 0, 10))
                .extracting(SignInHistory.Attempt::reason)
                .contains("bad_password", "unknown_user", "account_disabled");
    }

    @Test
    void signInWhenStoredHashHasOldArgon2ParametersThenRehashedWithTheCurrentOnes() throws Exception {
        UserRepository users = bean(UserRepository.class);
        String old = new Argon2id(new Argon2id.Params(8192, 1, 1)).hash(PASSWORD);
        users.updatePasswordHash(alice.id(), old);

        assertThat(location(signIn(TestServer.browserLikeClient(), ALICE, PASSWORD)))
                .endsWith("/");

        String now = users.credentials(ALICE).orElseThrow().passwordHash();
        assertThat(now).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").isNotEqualTo(old);
        assertThat(location(signIn(TestServer.browserLikeClient(), ALICE, PASSWORD)))
                .endsWith("/");
    }

    @Test
    void signInWhenAccountWasImportedWithABcryptOrPbkdf2HashThenUpgradedToArgon2id() throws Exception {
        AccountService accounts = bean(AccountService.class);
        UserRepository users = bean(UserRepository.class);
        // pyca bcrypt: hashpw(b"password", b"$2b$04$abcdefghijklmnopqrstuu")
        String bcrypt = "$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm";
        // passlib pbkdf2_sha256, rounds=1000, salt=b"signet-salt-0001", password "password"
        String pbkdf2 = "$pbkdf2-sha256$1000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E";
        for (var imported : Map.of("carol", bcrypt, "dave", pbkdf2).entrySet()) {
            accounts.create(
                    new AccountService.NewAccount(
                            imported.getKey(), null, null, User.Role.USER, null, null, imported.getValue()),
                    "test");
            assertThat(location(signIn(TestServer.browserLikeClient(), imported.getKey(), "wrong password")))
                    .endsWith("/signin?error");
            assertThat(users.credentials(imported.getKey()).orElseThrow().passwordHash())
                    .isEqualTo(imported.getValue());

            assertThat(location(signIn(TestServer.browserLikeClient(), imported.getKey(), "password")))
                    .endsWith("/");
            String upgraded = users.credentials(imported.getKey()).orElseThrow().passwordHash();
            assertThat(upgraded).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
            assertThat(location(signIn(TestServer.browserLikeClient(), imported.getKey(), "password")))
                    .as("signs in with the upgraded hash")
                    .endsWith("/");
        }
        assertThat(bean(AuditLog.class).recent(10, "account.password_rehashed"))
                .extracting(r -> r.subject())
                .contains("carol", "dave");
    }

    @Test
    void signInWhenOneMegabyteUsernameOrPasswordThenClear4xxAndNothingHashed() throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        String csrf = TestServer.csrfFrom(server.get(client, "/signin").body());
        long before = verifications();
        String huge = "a".repeat(1024 * 1024);

        HttpResponse<String> bigUser =
                server.post(client, "/signin", "username=" + huge + "&password=x&_csrf=" + enc(csrf));
        assertThat(bigUser.statusCode()).isEqualTo(413);
        assertThat(bigUser.body()).contains("\"code\":\"request.too_large\"").doesNotContain("Exception");

        HttpResponse<String> bigPassword =
                server.post(client, "/signin", "username=alice&password=" + huge + "&_csrf=" + enc(csrf));
        assertThat(bigPassword.statusCode()).isEqualTo(413);

        HttpResponse<String> longUser =
                server.post(client, "/signin", "username=" + "u".repeat(300) + "&password=x&_csrf=" + enc(csrf));
        assertThat(longUser.statusCode()).isEqualTo(400);
        assertThat(longUser.body()).contains("\"code\":\"input.too_long\"");

        HttpResponse<String> longPassword =
                server.post(client, "/signin", "username=alice&password=" + "p".repeat(600) + "&_csrf=" + enc(csrf));
        assertThat(longPassword.statusCode()).isEqualTo(400);

        assertThat(verifications() - before).as("nothing was hashed").isZero();
    }

    @Test
    void sessionCookieWhenSignedInThenNewIdHttpOnlyLaxAndOnlyItsHashIsStored() throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        HttpResponse<String> form = server.get(client, "/signin");
        String before = cookie(form);
        HttpResponse<String> signedIn = signIn(client, ALICE, PASSWORD);
        String setCookie = signedIn.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("SIGNET_SESSION="))
                .findFirst()
                .orElseThrow();
        String after = setCookie.substring("SIGNET_SESSION=".length(), setCookie.indexOf(';'));
        assertThat(after).isNotEqualTo(before).hasSizeGreaterThanOrEqualTo(43);
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Lax").doesNotContain("Secure");

        var store = bean(dev.signet.server.store.Store.class);
        List<String> hashes = store.jdbc()
                .sql("SELECT id_hash FROM web_session")
                .query(String.class)
                .list();
        assertThat(hashes)
                .contains(dev.signet.core.crypto.Secure.sha256Hex(after))
                .doesNotContain(after, before);
        String everything = String.join(
                "|",
                store.jdbc()
                        .sql("SELECT COALESCE(attributes, '') || id || id_hash FROM web_session")
                        .query(String.class)
                        .list());
        assertThat(everything).doesNotContain(after).doesNotContain("SPRING_SECURITY_CONTEXT");
    }

    @Test
    void sessionWhenIdleLongerThanTheTimeoutThenSignedOut() throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        signIn(client, ALICE, PASSWORD);
        clock.advance(Duration.ofMinutes(29));
        assertThat(server.get(client, "/account").statusCode()).isNotEqualTo(302);
        clock.advance(Duration.ofMinutes(29));
        assertThat(server.get(client, "/account").statusCode())
                .as("used within 30 min")
                .isNotEqualTo(302);
        clock.advance(Duration.ofMinutes(31));
        HttpResponse<String> r = server.get(client, "/account");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(location(r)).endsWith("/signin");
    }

    @Test
    void sessionWhenOlderThanTheAbsoluteLimitThenSignedOutEvenIfUsed() throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        signIn(client, ALICE, PASSWORD);
        for (int i = 0; i < 35; i++) {
            clock.advance(Duration.ofMinutes(20));
            assertThat(server.get(client, "/account").statusCode())
                    .as("after %d min", (i + 1) * 20)
                    .isNotEqualTo(302);
        }
        clock.advance(Duration.ofMinutes(20)); // 12 h since sign-in
        assertThat(server.get(client, "/account").statusCode()).isEqualTo(302);
    }

    private static String cookie(HttpResponse<String> r) {
        return r.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("SIGNET_SESSION="))
                .map(c -> c.substring("SIGNET_SESSION=".length(), c.indexOf(';')))
                .findFirst()
                .orElse("");
    }

    static HttpRequest.Builder request(TestServer server, String path) {
        return HttpRequest.newBuilder(server.uri(path));
    }
}
