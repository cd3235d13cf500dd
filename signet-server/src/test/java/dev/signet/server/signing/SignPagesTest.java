package dev.signet.server.signing;

import static dev.signet.server.signing.SignCalls.openssl;
import static dev.signet.server.testing.TestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.otp.OneTimePasswords;
import dev.signet.core.otp.OtpParams;
import dev.signet.core.otp.OtpSeed;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.ca.CaService;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The signing pages over real HTTP (SQLite): the administrator's key pages (create, grant, remove a
 * grant, export only an exportable key and only after a recent sign-in), and {@code /sign} for a user:
 * digests in, a {@code .p7s} or a zip of them out (each verified by {@code openssl cms -verify}), CSRF
 * required, and a key with step-up refusing a session whose second factor is not fresh.
 */
class SignPagesTest {
    static final String ADMIN_PASSWORD = "correct horse battery staple";
    static final String ALICE_PASSWORD = "quartz lantern meadow violin 47";
    static final String EXPORT_PASSWORD = "export pass phrase 2931";
    static final Pattern SECRET = Pattern.compile("id=\"secret\">([A-Z2-7 ]+)<");
    static final Pattern CONFIRM = Pattern.compile("action=\"(/account/factors/otp/[^/\"]+/confirm)\"");
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dataDir;

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES));
    TestServer server;
    User alice;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir), clock);
        bean(SetupService.class).createAdminFromShell("root", "root@example.test", ADMIN_PASSWORD);
        alice = bean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "alice", null, "Alice", User.Role.USER, User.Kind.PERSON, ALICE_PASSWORD, null),
                        "test");
        bean(CaService.class).create(CaService.NewCa.root("root", KeyAlgorithm.EC_P256), "test");
        Files.writeString(
                dir.resolve("root.pem"),
                dev.signet.core.pki.Pem.certificates(bean(CaService.class).chain("root")));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void adminPagesCreateGrantAndExportOnlyAnExportableKeyAfterARecentSignIn() throws Exception {
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);
        HttpResponse<String> list = server.get(admin, "/admin/keys");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("id=\"nav-keys\"", "id=\"nav-sign\"", "id=\"new-key-form\"");

        HttpResponse<String> created = server.submit(
                admin,
                "/admin/keys",
                "/admin/keys",
                "name=release&algorithm=ec-p256&ca=root&subject=" + enc("CN=Release,O=Example") + "&exportable=on");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(302);
        assertThat(location(created)).endsWith("/admin/keys/release");
        HttpResponse<String> page = server.get(admin, "/admin/keys/release");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("Signing key release is created (exportable).")
                .contains("id=\"key-scope\">sign:release<")
                .contains("CN=Release,O=Example")
                .contains("id=\"export-form\"");
        HttpResponse<String> refused =
                server.submit(admin, "/admin/keys", "/admin/keys", "name=release&algorithm=ec-p256&ca=root");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("data-code=\"keys.taken\"");
        HttpResponse<String> locked =
                server.submit(admin, "/admin/keys", "/admin/keys", "name=locked&algorithm=ed25519&ca=root&stepUp=on");
        assertThat(locked.statusCode()).isEqualTo(302);
        assertThat(server.get(admin, "/admin/keys/locked").body())
                .contains("id=\"key-step-up\"")
                .doesNotContain("id=\"export-form\"");
        assertThat(server.get(admin, "/admin/keys").body()).contains("id=\"key-release\"", "id=\"key-locked\"");

        HttpResponse<String> granted =
                server.submit(admin, "/admin/keys/release", "/admin/keys/release/grants", "to=" + enc("user:alice"));
        assertThat(granted.statusCode()).isEqualTo(302);
        assertThat(server.get(admin, "/admin/keys/release").body())
                .contains("user:alice may now sign with release.")
                .contains("id=\"grant-user:alice\"");
        HttpResponse<String> nobody =
                server.submit(admin, "/admin/keys/release", "/admin/keys/release/grants", "to=" + enc("user:nobody"));
        assertThat(nobody.statusCode()).isEqualTo(404);
        assertThat(nobody.body()).contains("data-code=\"keys.grantee_not_found\"");
        HttpResponse<String> removed = server.submit(
                admin, "/admin/keys/release", "/admin/keys/release/grants/remove", "to=" + enc("user:alice"));
        assertThat(removed.statusCode()).isEqualTo(302);
        assertThat(server.get(admin, "/admin/keys/release").body()).doesNotContain("id=\"grant-user:alice\"");

        // exporting: not for a locked key; for the exportable one, a PKCS#12 openssl opens
        HttpResponse<String> notExportable = server.submit(
                admin,
                "/admin/keys/locked",
                "/admin/keys/locked/export",
                "password=" + enc(EXPORT_PASSWORD) + "&confirm=" + enc(EXPORT_PASSWORD));
        assertThat(notExportable.statusCode()).isEqualTo(409);
        assertThat(notExportable.body()).contains("data-code=\"keys.not_exportable\"");
        String csrf =
                TestServer.csrfFrom(server.get(admin, "/admin/keys/release").body());
        HttpResponse<byte[]> p12 = admin.send(
                HttpRequest.newBuilder(server.uri("/admin/keys/release/export"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("password=" + enc(EXPORT_PASSWORD) + "&confirm="
                                + enc(EXPORT_PASSWORD) + "&_csrf=" + csrf))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(p12.statusCode()).isEqualTo(200);
        assertThat(p12.headers().firstValue("Content-Type").orElse("")).startsWith("application/pkcs12");
        assertThat(p12.headers().firstValue("Content-Disposition").orElse("")).contains("release.p12");
        Files.write(dir.resolve("release.p12"), p12.body());
        assertThat(openssl(
                        dir,
                        "pkcs12",
                        "-in",
                        "release.p12",
                        "-passin",
                        "pass:" + EXPORT_PASSWORD,
                        "-nokeys",
                        "-clcerts"))
                .contains("subject=CN = Release, O = Example");
        assertThat(bean(AuditLog.class).recent(5, "keys.exported")).hasSize(1);

        // later, the export needs a fresh sign-in first
        clock.advance(Duration.ofMinutes(10));
        HttpResponse<String> stale = server.submit(
                admin,
                "/admin/keys/release",
                "/admin/keys/release/export",
                "password=" + enc(EXPORT_PASSWORD) + "&confirm=" + enc(EXPORT_PASSWORD));
        assertThat(stale.statusCode()).isEqualTo(302);
        assertThat(location(stale)).endsWith("/account/step-up?next=/admin/keys/release");
        assertThat(bean(AuditLog.class).recent(5, "keys.exported")).hasSize(1);
    }

    @Test
    void signPageSignsDigestsIntoAP7sOrAZipAndAStepUpKeyRefusesAStaleSession() throws Exception {
        SigningKeyService keys = bean(SigningKeyService.class);
        keys.create(newKey("plain", false), "test");
        keys.create(newKey("guarded", true), "test");
        keys.grant("plain", "user:alice", "test");
        keys.grant("guarded", "user:alice", "test");

        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("notes.txt", "release notes\n".getBytes(StandardCharsets.UTF_8));
        files.put("app 1.0.tar.gz", new byte[] {1, 2, 3, 4, 5});
        files.put("../../etc/passwd", "not a path\n".getBytes(StandardCharsets.UTF_8));

        // signed in with a password only: the plain key signs; the guarded one needs a second factor
        HttpClient browser = signedIn("alice", ALICE_PASSWORD);
        HttpResponse<String> page = server.get(browser, "/sign");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("id=\"sign-form\"", "/js/sign.js", "name=\"_csrf\"")
                .contains("value=\"plain\"", "value=\"guarded\"", "data-digest=\"sha256\"")
                .contains("id=\"second-factor-needed\"");
        String csrf = TestServer.csrfFrom(page.body());
        HttpResponse<byte[]> one = post(browser, csrf, "plain", Map.of("notes.txt", files.get("notes.txt")));
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.headers().firstValue("Content-Type").orElse("")).startsWith("application/pkcs7-signature");
        assertThat(one.headers().firstValue("Content-Disposition").orElse("")).contains("notes.txt.p7s");
        verify("notes.txt", files.get("notes.txt"), one.body());
        HttpResponse<byte[]> guarded = post(browser, csrf, "guarded", files);
        assertThat(guarded.statusCode()).isEqualTo(403);
        assertThat(new String(guarded.body(), StandardCharsets.UTF_8)).contains("\"code\":\"sign.step_up_required\"");

        // the token page offers sign:KEY for the keys alice is granted on; such a token signs over the API
        HttpResponse<String> tokens = server.get(browser, "/account/tokens");
        assertThat(tokens.body()).contains("value=\"sign:plain\"", "value=\"sign:guarded\"");
        HttpResponse<String> created =
                server.submit(browser, "/account/tokens", "/account/tokens", "name=ci&scopes=sign%3Aplain&expiry=30");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        Matcher secret =
                Pattern.compile("id=\"token-secret\" value=\"(sgt_[^\"]+)\"").matcher(created.body());
        assertThat(secret.find()).as(created.body()).isTrue();
        SignCalls api = new SignCalls(server);
        api.post(
                        "/api/v1/sign",
                        secret.group(1),
                        Map.of(
                                "key",
                                "plain",
                                "items",
                                List.of(Map.of(
                                        "name",
                                        "notes.txt",
                                        "digest",
                                        HexFormat.of()
                                                .formatHex(MessageDigest.getInstance("SHA-256")
                                                        .digest(files.get("notes.txt")))))))
                .isOk(200);
        api.post(
                        "/api/v1/sign",
                        secret.group(1),
                        Map.of("key", "guarded", "items", List.of(Map.of("name", "a", "digest", "00".repeat(32)))))
                .isProblem(403, "sign.not_allowed");

        // without the CSRF token: refused
        HttpResponse<byte[]> forged = post(browser, null, "plain", files);
        assertThat(forged.statusCode()).isEqualTo(403);

        // alice enrols an authenticator, signs in again with it: the guarded key signs at once
        OtpSeed seed = enrol(browser);
        HttpClient fresh = TestServer.browserLikeClient();
        HttpResponse<String> first =
                server.submit(fresh, "/signin", "/signin", "username=alice&password=" + enc(ALICE_PASSWORD));
        assertThat(location(first)).endsWith("/signin/factor");
        HttpResponse<String> second =
                server.submit(fresh, "/signin/factor", "/signin/factor/otp", "code=" + code(seed, step()));
        assertThat(location(second)).endsWith("/");
        csrf = TestServer.csrfFrom(server.get(fresh, "/sign").body());
        HttpResponse<byte[]> zip = post(fresh, csrf, "guarded", files);
        assertThat(zip.statusCode())
                .as(new String(zip.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(zip.headers().firstValue("Content-Type").orElse("")).startsWith("application/zip");
        assertThat(zip.headers().firstValue("X-Signet-Signed")).hasValue("3");
        Map<String, byte[]> entries = unzip(zip.body());
        assertThat(entries.keySet()).containsExactly("notes.txt.p7s", "app 1.0.tar.gz.p7s", "passwd.p7s");
        verify("notes.txt", files.get("notes.txt"), entries.get("notes.txt.p7s"));
        verify("app.tar.gz", files.get("app 1.0.tar.gz"), entries.get("app 1.0.tar.gz.p7s"));
        verify("passwd", files.get("../../etc/passwd"), entries.get("passwd.p7s"));

        // six minutes on, the session is stale for the guarded key, not for the plain one
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> stalePage = server.get(fresh, "/sign");
        assertThat(stalePage.body()).contains("id=\"step-up-needed\"", "/account/step-up?next=/sign");
        HttpResponse<byte[]> stale = post(fresh, csrf, "guarded", files);
        assertThat(stale.statusCode()).isEqualTo(403);
        assertThat(new String(stale.body(), StandardCharsets.UTF_8)).contains("\"code\":\"sign.step_up_required\"");
        assertThat(post(fresh, csrf, "plain", files).statusCode()).isEqualTo(200);

        // the step-up page, with a code, leads back to /sign, and the guarded key signs again
        server.get(fresh, "/account/step-up?next=/sign");
        clock.advance(Duration.ofSeconds(30));
        HttpResponse<String> steppedUp =
                server.submit(fresh, "/account/step-up?next=/sign", "/account/step-up", "code=" + code(seed, step()));
        assertThat(location(steppedUp)).endsWith("/sign");
        assertThat(post(fresh, csrf, "guarded", files).statusCode()).isEqualTo(200);

        List<AuditRecord> refusals = bean(AuditLog.class).recent(10, "sign.refused");
        assertThat(refusals).hasSize(3);
        assertThat(refusals)
                .filteredOn(r -> "step_up".equals(r.reason()))
                .hasSize(2)
                .allSatisfy(r -> {
                    assertThat(r.actor()).isEqualTo("alice");
                    assertThat(r.reason()).isEqualTo("step_up");
                    assertThat(r.subject()).isEqualTo("guarded");
                });
        assertThat(bean(AuditLog.class).recent(20, "sign.signature"))
                .hasSize(1 + 1 + 3 + 3 + 3)
                .filteredOn(r -> r.details().contains("\"caller\":\"session\""))
                .hasSize(1 + 3 + 3 + 3);

        // bad input on the page's endpoint: a clear 4xx with its code
        HttpResponse<byte[]> bad = send(
                fresh, csrf, "{\"key\":\"plain\",\"items\":[{\"name\":\"a\",\"digest\":\"xyz\"}]}", "application/json");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new String(bad.body(), StandardCharsets.UTF_8)).contains("sign.digest_malformed");
        HttpResponse<byte[]> notJson = send(fresh, csrf, "{", "application/json");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(new String(notJson.body(), StandardCharsets.UTF_8)).contains("request.malformed");
    }

    // ------------------------------------------------------------------ helpers

    SigningKeyService.NewKey newKey(String name, boolean stepUp) {
        return new SigningKeyService.NewKey(
                name,
                KeyAlgorithm.EC_P256,
                "root",
                java.util.Optional.empty(),
                java.util.Optional.empty(),
                false,
                stepUp);
    }

    <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }

    HttpClient signedIn(String username, String password) throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        HttpResponse<String> r =
                server.submit(client, "/signin", "/signin", "username=" + enc(username) + "&password=" + enc(password));
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(location(r)).endsWith("/");
        return client;
    }

    HttpResponse<byte[]> post(HttpClient client, String csrf, String key, Map<String, byte[]> files) throws Exception {
        List<Map<String, String>> items = new java.util.ArrayList<>();
        for (var f : files.entrySet()) {
            items.add(Map.of(
                    "name",
                    f.getKey(),
                    "digest",
                    HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(f.getValue()))));
        }
        return send(client, csrf, JSON.writeValueAsString(Map.of("key", key, "items", items)), "application/json");
    }

    HttpResponse<byte[]> send(HttpClient client, String csrf, String body, String type) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/sign"))
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (csrf != null) {
            b.header("X-CSRF-TOKEN", csrf);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    void verify(String name, byte[] content, byte[] p7s) throws Exception {
        Files.write(dir.resolve(name), content);
        Files.write(dir.resolve(name + ".p7s"), p7s);
        assertThat(openssl(
                        dir,
                        "cms",
                        "-verify",
                        "-binary",
                        "-inform",
                        "DER",
                        "-in",
                        name + ".p7s",
                        "-content",
                        name,
                        "-CAfile",
                        "root.pem",
                        "-purpose",
                        "any",
                        "-out",
                        "/dev/null"))
                .contains("Verification successful");
    }

    static Map<String, byte[]> unzip(byte[] zip) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip), StandardCharsets.UTF_8)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    long step() {
        return clock.instant().getEpochSecond() / 30;
    }

    static String code(OtpSeed seed, long step) {
        return OneTimePasswords.generate(OtpParams.totpDefault(), seed, step);
    }

    /** Enrols a TOTP authenticator through the pages (right after a password sign-in); returns its seed. */
    OtpSeed enrol(HttpClient client) throws Exception {
        HttpResponse<String> page = server.submit(client, "/account/factors", "/account/factors/otp", "name=phone");
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        Matcher secret = SECRET.matcher(page.body());
        Matcher confirm = CONFIRM.matcher(page.body());
        assertThat(secret.find()).isTrue();
        assertThat(confirm.find()).isTrue();
        OtpSeed seed = OtpSeed.fromBase32(secret.group(1).replace(" ", ""));
        HttpResponse<String> done = server.post(
                client,
                confirm.group(1),
                "code=" + code(seed, step() - 1) + "&_csrf=" + TestServer.csrfFrom(page.body()));
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(30));
        return seed;
    }

    static String location(HttpResponse<?> r) {
        return r.headers().firstValue("Location").orElse("");
    }
}
