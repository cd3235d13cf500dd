package dev.signet.server.passkey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.account.AccountService;
import dev.signet.server.account.User;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.type.TypeReference;

/**
 * The passkey endpoints over real HTTP against a real server (SQLite), with an emulated authenticator
 * in place of the browser's: the JSON and problem+json shapes, CSRF, the challenge kept in the
 * browser session, step-up for adding and removing, and a passkey signing in on its own. The server
 * is reached as {@code http://localhost:PORT}, which is also its public URL (RP ID {@code localhost}).
 */
class PasskeyHttpTest {
    private static final String PASSWORD = "quartz lantern meadow violin 47";
    private static final Pattern PASSKEY_ROW = Pattern.compile("id=\"passkey-([0-9a-f-]{36})\"");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(Instant.now());
    TestServer server;
    String origin;

    @BeforeEach
    void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        origin = "http://localhost:" + port;
        server = TestServer.start(
                TestDatabases.settings(
                        TestDatabases.Kind.SQLITE,
                        dataDir,
                        Map.of(
                                "SIGNET_PORT",
                                Integer.toString(port),
                                "SIGNET_PUBLIC_URL",
                                origin,
                                // password hashing is not what this test is about: the cheapest allowed
                                "SIGNET_ARGON2_MEMORY_KIB",
                                "8192",
                                "SIGNET_ARGON2_ITERATIONS",
                                "1",
                                "SIGNET_SQLITE_SYNCHRONOUS",
                                "NORMAL")),
                clock);
        server.running()
                .context()
                .getBean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "carol",
                                "carol@example.test",
                                "Carol",
                                User.Role.USER,
                                User.Kind.PERSON,
                                PASSWORD,
                                null),
                        "test");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void passkeyWhenAddedThenSignsInAloneAndRefusalsAreProblemJson() throws Exception {
        HttpClient browser = TestServer.browserLikeClient();
        SoftwarePasskeys device = SoftwarePasskeys.none(origin);
        assertThat(server.submit(browser, "/signin", "/signin", "username=carol&password=" + TestServer.enc(PASSWORD))
                        .headers()
                        .firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/"));

        // add a passkey: options, the authenticator, the answer
        String csrf =
                TestServer.csrfFrom(server.get(browser, "/account/passkeys").body());
        HttpResponse<String> options = postJson(browser, "/account/passkeys/options", "{}", csrf);
        assertThat(options.statusCode()).isEqualTo(200);
        assertThat(options.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        Map<String, Object> creation = map(options.body());
        assertThat(creation.get("rp")).isEqualTo(Map.of("id", "localhost", "name", "Signet"));
        String body = PasskeyServiceContractTest.body("Laptop", device.create(creation));
        HttpResponse<String> added = postJson(browser, "/account/passkeys", body, csrf);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        assertThat(map(added.body())).isEqualTo(Map.of("redirect", "/account/passkeys"));
        String page = server.get(browser, "/account/passkeys").body();
        assertThat(page).contains("Laptop", "Passkey “Laptop” is added.", "this device only");

        // the same answer again: its challenge is gone from the session
        HttpResponse<String> again = postJson(browser, "/account/passkeys", body, csrf);
        assertProblem(again, 400, "passkey.challenge_unknown");

        // without the CSRF token: refused before anything is looked at
        assertThat(postJson(browser, "/account/passkeys/options", "{}", null).statusCode())
                .isEqualTo(403);

        // a malformed answer: problem+json with its code
        postJson(browser, "/account/passkeys/options", "{}", csrf);
        assertProblem(
                postJson(browser, "/account/passkeys", "{\"name\":\"x\",\"credential\":7}", csrf),
                400,
                "passkey.malformed");

        // sign out, then sign in with the passkey alone
        server.post(browser, "/signout", "_csrf=" + csrf);
        assertThat(server.get(browser, "/account").statusCode()).isEqualTo(302);
        HttpClient anonymous = TestServer.browserLikeClient();
        assertThat(passkeySignIn(anonymous, device).statusCode()).isEqualTo(200);
        HttpResponse<String> signedIn = passkeySignIn(browser, device);
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(200);
        assertThat(map(signedIn.body())).isEqualTo(Map.of("redirect", "/"));
        assertThat(server.get(browser, "/account").statusCode()).isEqualTo(200);

        // an answer to another browser session's challenge
        HttpClient other = TestServer.browserLikeClient();
        String otherCsrf = TestServer.csrfFrom(server.get(other, "/signin").body());
        Map<String, Object> theirs =
                map(postJson(other, "/signin/passkey/options", "{}", otherCsrf).body());
        HttpClient mallory = TestServer.browserLikeClient();
        String malloryCsrf = TestServer.csrfFrom(server.get(mallory, "/signin").body());
        postJson(mallory, "/signin/passkey/options", "{}", malloryCsrf);
        assertProblem(
                postJson(mallory, "/signin/passkey", SoftwarePasskeys.json(device.get(theirs)), malloryCsrf),
                400,
                "passkey.challenge_mismatch");

        // step-up: five minutes after the sign-in, adding and removing ask for it again
        String id = firstPasskeyId(server.get(browser, "/account/passkeys").body());
        String freshCsrf =
                TestServer.csrfFrom(server.get(browser, "/account/passkeys").body());
        clock.advance(Duration.ofMinutes(6));
        assertProblem(postJson(browser, "/account/passkeys/options", "{}", freshCsrf), 403, "auth.step_up_required");
        HttpResponse<String> stale = server.post(browser, "/account/passkeys/" + id + "/delete", "_csrf=" + freshCsrf);
        assertThat(stale.statusCode()).isEqualTo(302);
        assertThat(stale.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).contains("/account/step-up?next=/account/passkeys"));

        // a fresh passkey sign-in is a step-up; then the passkey is removed and no longer works
        assertThat(passkeySignIn(browser, device).statusCode()).isEqualTo(200);
        String csrf2 =
                TestServer.csrfFrom(server.get(browser, "/account/passkeys").body());
        HttpResponse<String> removed = server.post(browser, "/account/passkeys/" + id + "/delete", "_csrf=" + csrf2);
        assertThat(removed.statusCode()).isEqualTo(302);
        assertThat(server.get(browser, "/account/passkeys").body()).contains("is removed", "No passkeys yet.");
        assertProblem(passkeySignIn(TestServer.browserLikeClient(), device), 400, "passkey.unknown_credential");
    }

    private HttpResponse<String> passkeySignIn(HttpClient client, SoftwarePasskeys device) throws Exception {
        String csrf = TestServer.csrfFrom(signinOrAccountPage(client));
        HttpResponse<String> options = postJson(client, "/signin/passkey/options", "{}", csrf);
        assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
        return postJson(client, "/signin/passkey", SoftwarePasskeys.json(device.get(map(options.body()))), csrf);
    }

    private String signinOrAccountPage(HttpClient client) throws Exception {
        HttpResponse<String> account = server.get(client, "/account/passkeys");
        return account.statusCode() == 200
                ? account.body()
                : server.get(client, "/signin").body();
    }

    private HttpResponse<String> postJson(HttpClient client, String path, String json, String csrf) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, application/problem+json")
                .header("User-Agent", "signet-tests")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (csrf != null) {
            request.header("X-CSRF-TOKEN", csrf);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        Map<String, Object> problem = map(response.body());
        assertThat(problem)
                .containsEntry("code", code)
                .containsEntry("status", status)
                .containsKeys("title", "detail");
        assertThat(response.body()).doesNotContain("Exception", "at dev.", "webauthn4j");
    }

    private static String firstPasskeyId(String page) {
        Matcher m = PASSKEY_ROW.matcher(page);
        assertThat(m.find()).as("a passkey row").isTrue();
        return m.group(1);
    }

    private static Map<String, Object> map(String json) {
        return SoftwarePasskeys.JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
    }
}
