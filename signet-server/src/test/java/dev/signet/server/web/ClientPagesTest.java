package dev.signet.server.web;

import static dev.signet.server.testing.TestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.oidc.CliClient;
import dev.signet.server.oidc.ClientAuth;
import dev.signet.server.oidc.ClientService;
import dev.signet.server.oidc.OidcClient;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The administrator's client pages over real HTTP against a real server on SQLite: registration
 * through the form with the secret shown once, the form shown again with a refusal's code and
 * nothing stored, editing, disabling, secret rotation, deletion behind a confirmation, and who may
 * open what.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientPagesTest {
    static final String ADMIN_PASSWORD = "correct horse battery staple";
    static final String BOB_PASSWORD = "quartz lantern meadow violin 47";
    private static final Pattern SECRET = Pattern.compile("id=\"client-secret\" value=\"(sgcs_[A-Za-z0-9_-]{43})\"");
    private static final Pattern CLIENT_ID =
            Pattern.compile("id=\"client-id-value\" value=\"(sgc_[A-Za-z0-9_-]{22})\"");

    TestServer server;

    /** One server for the class; each test starts with only the built-in client. */
    @BeforeAll
    void start(@TempDir Path dataDir) {
        // cheap password hashing: these tests sign in often, and Argon2id's cost is not under test here
        server = TestServer.start(TestDatabases.settings(
                TestDatabases.Kind.SQLITE,
                dataDir,
                Map.of("SIGNET_ARGON2_MEMORY_KIB", "8192", "SIGNET_ARGON2_ITERATIONS", "1")));
        bean(SetupService.class).createAdminFromShell("root", "root@example.test", ADMIN_PASSWORD);
        bean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "bob", "bob@example.test", "Bob", User.Role.USER, User.Kind.PERSON, BOB_PASSWORD, null),
                        "test");
    }

    @BeforeEach
    void onlyTheBuiltInClient() {
        registered().forEach(c -> bean(ClientService.class).delete(c.clientId(), "test"));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    static String webAppForm(String name, String redirect) {
        return "name=" + enc(name) + "&type=confidential&auth=client_secret_basic&idTokenAlg=ES256"
                + "&grant=authorization_code&grant=refresh_token"
                + "&redirectUris=" + enc(redirect + "\r\n\r\n") + "&postLogoutRedirectUris=&jwks="
                + "&scopes=" + enc("openid profile email") + "&backchannelLogoutUri="
                + "&accessTtl=10m&refreshTtl=14d&consent=yes";
    }

    @Test
    void registerWhenTheFormIsValidThenTheSecretIsShownOnceAndNeverAgain() throws Exception {
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);
        HttpResponse<String> empty = server.get(admin, "/admin/clients");
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.body())
                .contains("id=\"nav-clients\"", "aria-current=\"page\"")
                .contains("id=\"client-signet-cli\"", "Signet CLI");
        HttpResponse<String> form = server.get(admin, "/admin/clients/new");
        assertThat(form.body())
                .contains("id=\"client-name\"", "id=\"client-redirects\"", "id=\"client-jwks\"", "id=\"client-mfa\"")
                .contains("value=\"urn:ietf:params:oauth:grant-type:device_code\"");

        HttpResponse<String> created = server.submit(
                admin, "/admin/clients/new", "/admin/clients", webAppForm("Wiki", "https://wiki.example.com/cb"));

        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.headers().firstValue("Cache-Control").orElseThrow()).contains("no-store");
        String secret = group(SECRET, created.body());
        String id = group(CLIENT_ID, created.body());
        ClientService clients = bean(ClientService.class);
        OidcClient client = clients.get(id);
        assertThat(clients.secretMatches(client, secret)).isTrue();
        assertThat(client.redirectUris()).containsExactly("https://wiki.example.com/cb");
        assertThat(client.accessTokenTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(client.refreshTokenTtl()).isEqualTo(Duration.ofDays(14));
        assertThat(client.consent()).isTrue();
        assertThat(client.requireMfa()).isFalse();

        HttpResponse<String> page = server.get(admin, "/admin/clients/" + id);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .doesNotContain(secret)
                .contains("id=\"client-id\">" + id + "<")
                .contains("https://wiki.example.com/cb")
                .contains("value=\"10m\"", "value=\"14d\"");
        assertThat(server.get(admin, "/admin/clients").body())
                .contains("id=\"client-" + id + "\"")
                .doesNotContain(secret);
    }

    @Test
    void registerWhenRefusedThenTheFormComesBackWithTheCodeAndNothingIsStored() throws Exception {
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);
        record Case(String form, String code) {}
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        List<Case> cases = List.of(
                new Case(webAppForm("Wiki", "http://wiki.example.com/cb"), "client.redirect_uri_invalid"),
                new Case(webAppForm("Wiki", "https://wiki.example.com/cb#top"), "client.redirect_uri_invalid"),
                new Case(
                        webAppForm("Wiki", "https://wiki.example.com/cb").replace("type=confidential", "type=public"),
                        "client.auth_invalid"),
                new Case(
                        webAppForm("Wiki", "https://wiki.example.com/cb")
                                .replace("auth=client_secret_basic", "auth=private_key_jwt")
                                .replace("&jwks=", "&jwks=" + enc(new JWKSet(key).toString(false))),
                        "client.jwks_invalid"),
                new Case(
                        webAppForm("Wiki", "https://wiki.example.com/cb")
                                .replace("grant=refresh_token", "grant=password"),
                        "client.grant_unknown"),
                new Case(
                        webAppForm("Wiki", "https://wiki.example.com/cb").replace("accessTtl=10m", "accessTtl=ten"),
                        "client.ttl_invalid"),
                new Case(webAppForm("", "https://wiki.example.com/cb"), "client.name_invalid"));
        for (Case c : cases) {
            HttpResponse<String> r = server.submit(admin, "/admin/clients/new", "/admin/clients", c.form());
            assertThat(r.statusCode()).as(c.code()).isEqualTo(400);
            assertThat(r.body()).contains("data-code=\"" + c.code() + "\"").contains("id=\"client-form\"");
        }
        HttpResponse<String> kept = server.submit(
                admin, "/admin/clients/new", "/admin/clients", webAppForm("Kept", "http://kept.example.com/cb"));
        assertThat(kept.body())
                .as("the form keeps what was typed")
                .contains("value=\"Kept\"")
                .contains("http://kept.example.com/cb");
        assertThat(registered()).isEmpty();

        server.submit(admin, "/admin/clients/new", "/admin/clients", webAppForm("Wiki", "https://wiki.example.com/cb"));
        HttpResponse<String> duplicate = server.submit(
                admin, "/admin/clients/new", "/admin/clients", webAppForm("wiki", "https://wiki.example.com/cb"));
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(duplicate.body()).contains("data-code=\"client.taken\"");
        assertThat(registered()).hasSize(1);
    }

    @Test
    void editDisableRotateAndDeleteThroughTheClientPage() throws Exception {
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);
        HttpResponse<String> created = server.submit(
                admin, "/admin/clients/new", "/admin/clients", webAppForm("Wiki", "https://wiki.example.com/cb"));
        String id = group(CLIENT_ID, created.body());
        String first = group(SECRET, created.body());
        String path = "/admin/clients/" + id;
        ClientService clients = bean(ClientService.class);

        // edit: a public SPA now, with MFA required; the secret goes
        String spa = webAppForm("Wiki SPA", "http://127.0.0.1:8400/cb")
                        .replace("type=confidential", "type=public")
                        .replace("auth=client_secret_basic", "auth=none")
                + "&requireMfa=yes";
        HttpResponse<String> saved = server.submit(admin, path, path, spa);
        assertThat(saved.statusCode()).isEqualTo(302);
        assertThat(server.get(admin, path).body())
                .contains("Changes to Wiki SPA are saved.")
                .contains("id=\"client-title\">Wiki SPA<")
                .doesNotContain("id=\"rotate-secret\"");
        OidcClient now = clients.get(id);
        assertThat(now.auth()).isEqualTo(ClientAuth.NONE);
        assertThat(now.requireMfa()).isTrue();
        assertThat(clients.secretMatches(now, first)).isFalse();

        HttpResponse<String> badEdit =
                server.submit(admin, path, path, spa.replace(enc("http://127.0.0.1:8400/cb"), enc("ftp://x/")));
        assertThat(badEdit.statusCode()).isEqualTo(400);
        assertThat(badEdit.body()).contains("data-code=\"client.redirect_uri_invalid\"");
        assertThat(clients.get(id)).isEqualTo(now);

        // back to confidential: no secret until one is generated
        server.submit(admin, path, path, webAppForm("Wiki", "https://wiki.example.com/cb"));
        assertThat(server.get(admin, path).body()).contains("It has no secret yet", "Generate a secret");
        HttpResponse<String> rotated = server.submit(admin, path, path + "/secret", "");
        assertThat(rotated.statusCode()).isEqualTo(200);
        assertThat(rotated.headers().firstValue("Cache-Control").orElseThrow()).contains("no-store");
        String second = group(SECRET, rotated.body());
        assertThat(clients.secretMatches(clients.get(id), second)).isTrue();
        assertThat(clients.secretMatches(clients.get(id), first)).isFalse();

        // disable and enable
        assertThat(server.submit(admin, path, path + "/disable", "").statusCode())
                .isEqualTo(302);
        assertThat(clients.get(id).enabled()).isFalse();
        assertThat(server.get(admin, path).body()).contains("id=\"client-status\">disabled<");
        server.submit(admin, path, path + "/enable", "");
        assertThat(clients.get(id).enabled()).isTrue();

        // delete, behind a confirmation
        HttpResponse<String> confirm = server.get(admin, path + "/delete");
        assertThat(confirm.body()).contains("Delete Wiki?", "id=\"delete-form\"");
        HttpResponse<String> unconfirmed = server.submit(admin, path + "/delete", path + "/delete", "");
        assertThat(unconfirmed.statusCode()).isEqualTo(400);
        assertThat(unconfirmed.body()).contains("data-code=\"delete.unconfirmed\"");
        assertThat(clients.find(id)).isPresent();
        HttpResponse<String> deleted = server.submit(admin, path + "/delete", path + "/delete", "confirm=yes");
        assertThat(deleted.statusCode()).isEqualTo(302);
        assertThat(server.get(admin, "/admin/clients").body()).contains("Client Wiki is deleted.");
        assertThat(clients.find(id)).isEmpty();

        HttpResponse<String> gone = server.get(admin, path);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).contains("data-code=\"client.not_found\"");
    }

    @Test
    void nonAdminsAreForbiddenAndFormsNeedCsrf() throws Exception {
        HttpClient bob = signedIn("bob", BOB_PASSWORD);
        for (String path : List.of("/admin/clients", "/admin/clients/new", "/admin/clients/sgc_any")) {
            assertThat(server.get(bob, path).statusCode()).as(path).isEqualTo(403);
        }
        assertThat(server.get(bob, "/account").body()).doesNotContain("id=\"nav-clients\"");

        HttpClient admin = signedIn("root", ADMIN_PASSWORD);
        HttpResponse<String> noCsrf =
                server.post(admin, "/admin/clients", webAppForm("Sneaky", "https://sneaky.example.com/cb"));
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        assertThat(registered()).isEmpty();
    }

    /** The clients registered through the pages: all but Signet's own CLI. */
    private List<OidcClient> registered() {
        return bean(ClientService.class).list().stream()
                .filter(c -> !c.clientId().equals(CliClient.ID))
                .toList();
    }

    private static String group(Pattern p, String body) {
        Matcher m = p.matcher(body);
        assertThat(m.find()).as(body).isTrue();
        return m.group(1);
    }

    private HttpClient signedIn(String username, String password) throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        HttpResponse<String> r =
                server.submit(client, "/signin", "/signin", "username=" + enc(username) + "&password=" + enc(password));
        assertThat(r.statusCode()).isEqualTo(302);
        return client;
    }

    private <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }
}
