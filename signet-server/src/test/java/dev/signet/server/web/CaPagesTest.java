package dev.signet.server.web;

import static dev.signet.server.testing.TestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.account.AccountService;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
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
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The administrator's CA pages over real HTTP against a real server on SQLite: CAs made through the
 * form, issuance from a CSR, the inventory with its filters, downloads, revocation, refusals, and
 * who may open what.
 */
class CaPagesTest {
    static final String ADMIN_PASSWORD = "correct horse battery staple";
    static final String BOB_PASSWORD = "quartz lantern meadow violin 47";
    private static final Pattern SERIAL = Pattern.compile("id=\"certificate-serial\">([0-9a-f]+)<");

    @TempDir
    Path dataDir;

    @TempDir
    Path work;

    MutableClock clock = MutableClock.startingNow();
    TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir), clock);
        bean(SetupService.class).createAdminFromShell("root", "root@example.test", ADMIN_PASSWORD);
        bean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "bob", "bob@example.test", "Bob", User.Role.USER, User.Kind.PERSON, BOB_PASSWORD, null),
                        "test");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void caTreeIssuanceInventoryDownloadsAndRevocationThroughThePages() throws Exception {
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);

        // a root and an intermediate through the "New CA" form
        HttpResponse<String> root = server.submit(
                admin,
                "/admin/ca",
                "/admin/ca",
                "name=pages-root&key=ec-p256&parent=&subject=" + enc("CN=Pages Root,O=Example") + "&validityDays=3650");
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(location(root)).endsWith("/admin/ca/pages-root");
        HttpResponse<String> sub = server.submit(
                admin, "/admin/ca", "/admin/ca", "name=pages-issuing&key=ec-p256&parent=pages-root&validityDays=1000");
        assertThat(sub.statusCode()).isEqualTo(302);
        assertThat(location(sub)).endsWith("/admin/ca/pages-issuing");

        HttpResponse<String> list = server.get(admin, "/admin/ca");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body())
                .contains("id=\"nav-cas\"", "id=\"nav-certificates\"")
                .contains("id=\"ca-pages-root\"", "id=\"ca-pages-issuing\"")
                .contains("ca-depth-1")
                .contains("CN=Pages Root,O=Example");
        assertThat(list.body().indexOf("ca-pages-root")).isLessThan(list.body().indexOf("ca-pages-issuing"));

        HttpResponse<String> page = server.get(admin, "/admin/ca/pages-issuing");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("Intermediate CA pages-issuing is created.")
                .contains("id=\"ca-kind\">intermediate<")
                .contains("/ca/pages-issuing/crl")
                .contains("id=\"issue-form\"", "id=\"revoke-form\"");

        // the CA's chain and CRL
        HttpResponse<byte[]> chain = bytes(admin, "/admin/ca/pages-issuing/chain?format=pem");
        assertThat(chain.statusCode()).isEqualTo(200);
        assertThat(chain.headers().firstValue("Content-Type").orElseThrow())
                .startsWith("application/pem-certificate-chain");
        assertThat(certificates(chain.body())).hasSize(2);
        HttpResponse<byte[]> chainP7 = bytes(admin, "/admin/ca/pages-issuing/chain?format=p7b");
        assertThat(chainP7.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/pkcs7-mime");
        assertThat(pkcs7(chainP7.body())).hasSize(2);
        HttpResponse<byte[]> crl = bytes(admin, "/admin/ca/pages-issuing/crl");
        assertThat(crl.statusCode()).isEqualTo(200);
        assertThat(crl.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/pkix-crl");
        assertThat(CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(crl.body())))
                .isNotNull();

        // issue from a CSR: the answer shows the PEM and the download links
        String csr = csr("pages.example");
        HttpResponse<String> issued = server.submit(
                admin,
                "/admin/ca/pages-issuing",
                "/admin/ca/pages-issuing/issue",
                "profile=tls-server&validityDays=20&csr=" + enc(csr));
        assertThat(issued.statusCode()).isEqualTo(200);
        assertThat(issued.body())
                .contains("id=\"issued-pem\"")
                .contains("-----BEGIN CERTIFICATE-----")
                .contains("id=\"download-pem\"", "id=\"download-der\"", "id=\"download-p7b\"")
                .contains("CN=pages.example");
        String serial = first(SERIAL, issued.body());
        String certPath = "/admin/certificates/pages-issuing/" + serial;

        // the inventory lists it, and finds it by subject, SAN, serial, CA, profile and status
        HttpResponse<String> inventory = server.get(admin, "/admin/certificates");
        assertThat(inventory.statusCode()).isEqualTo(200);
        assertThat(inventory.body()).contains(serial).contains("CN=pages.example");
        assertThat(server.get(admin, "/admin/certificates?q=pages.example").body())
                .contains(serial);
        assertThat(server.get(admin, "/admin/certificates?q=" + serial.substring(0, 8))
                        .body())
                .contains(serial);
        assertThat(server.get(admin, "/admin/certificates?ca=pages-issuing&profile=tls-server&status=valid")
                        .body())
                .contains(serial);
        assertThat(server.get(admin, "/admin/certificates?ca=pages-root").body())
                .doesNotContain(serial);
        assertThat(server.get(admin, "/admin/certificates?q=nothing-like-this").body())
                .doesNotContain(serial)
                .contains("No certificates match.");

        // downloads
        HttpResponse<byte[]> pem = bytes(admin, certPath + "?format=pem");
        assertThat(pem.statusCode()).isEqualTo(200);
        assertThat(pem.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/x-pem-file");
        assertThat(pem.headers().firstValue("Content-Disposition").orElseThrow())
                .startsWith("attachment")
                .contains(".pem");
        List<X509Certificate> fromPem = certificates(pem.body());
        assertThat(fromPem).hasSize(1);
        assertThat(fromPem.getFirst().getSubjectX500Principal().getName()).isEqualTo("CN=pages.example");
        assertThat(fromPem.getFirst().getSerialNumber().toString(16)).isEqualTo(serial);
        HttpResponse<byte[]> der = bytes(admin, certPath + "?format=der");
        assertThat(der.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/pkix-cert");
        assertThat(der.headers().firstValue("Content-Disposition").orElseThrow())
                .startsWith("attachment");
        assertThat(certificates(der.body()).getFirst()).isEqualTo(fromPem.getFirst());
        HttpResponse<byte[]> p7b = bytes(admin, certPath + "?format=p7b");
        assertThat(p7b.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/pkcs7-mime");
        assertThat(p7b.headers().firstValue("Content-Disposition").orElseThrow())
                .startsWith("attachment");
        List<Certificate> withChain = pkcs7(p7b.body());
        assertThat(withChain).hasSize(3).contains(fromPem.getFirst());
        HttpResponse<String> badFormat = server.get(admin, certPath + "?format=docx");
        assertThat(badFormat.statusCode()).isEqualTo(400);
        assertThat(badFormat.body()).contains("data-code=\"format.invalid\"");

        // revoke it from its page; the list shows it revoked
        HttpResponse<String> revoked = server.submit(admin, certPath, certPath + "/revoke", "reason=key-compromise");
        assertThat(revoked.statusCode()).isEqualTo(302);
        assertThat(location(revoked)).endsWith(certPath);
        HttpResponse<String> after = server.get(admin, certPath);
        assertThat(after.body())
                .contains("id=\"certificate-status\">revoked<")
                .contains("(key-compromise)")
                .doesNotContain("id=\"revoke-form\"");
        assertThat(server.get(admin, "/admin/certificates?status=revoked").body())
                .contains(serial);
        assertThat(server.get(admin, "/admin/certificates?status=valid").body()).doesNotContain(serial);

        // a second revocation through the CA page is refused with its code and 409
        HttpResponse<String> again = server.submit(
                admin,
                "/admin/ca/pages-issuing",
                "/admin/ca/pages-issuing/revoke",
                "serial=" + serial + "&reason=superseded");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("data-code=\"certificate.already_revoked\"");
    }

    @Test
    void expiringFilterFollowsTheClock() throws Exception {
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);
        CaService cas = bean(CaService.class);
        cas.create(CaService.NewCa.root("exp-root", dev.signet.core.pki.KeyAlgorithm.EC_P256), "test");
        HttpResponse<String> issued = server.submit(
                admin,
                "/admin/ca/exp-root",
                "/admin/ca/exp-root/issue",
                "profile=tls-server&validityDays=20&csr=" + enc(csr("soon.example")));
        assertThat(issued.statusCode()).isEqualTo(200);
        String serial = first(SERIAL, issued.body());

        HttpResponse<String> list = server.get(admin, "/admin/certificates");
        assertThat(list.body()).contains("id=\"expiring-30\"");
        assertThat(server.get(admin, "/admin/certificates?expiring=30").body()).contains(serial);
        assertThat(server.get(admin, "/admin/certificates?expiring=10").body()).doesNotContain(serial);

        clock.advance(Duration.ofDays(15));
        admin = signedIn("root", ADMIN_PASSWORD); // the session has timed out meanwhile
        assertThat(server.get(admin, "/admin/certificates?expiring=10").body()).contains(serial);

        clock.advance(Duration.ofDays(10));
        admin = signedIn("root", ADMIN_PASSWORD);
        assertThat(server.get(admin, "/admin/certificates?expiring=30").body()).doesNotContain(serial);
        assertThat(server.get(admin, "/admin/certificates?status=expired").body())
                .contains(serial);

        HttpResponse<String> bad = server.get(admin, "/admin/certificates?expiring=soon");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("data-code=\"expiring.invalid\"");
    }

    @Test
    void refusalsAreNoticesWithTheirStatus() throws Exception {
        HttpClient admin = signedIn("root", ADMIN_PASSWORD);

        HttpResponse<String> badName =
                server.submit(admin, "/admin/ca", "/admin/ca", "name=" + enc("no spaces") + "&key=ec-p256");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(badName.body()).contains("data-code=\"ca.name_invalid\"").contains("value=\"no spaces\"");

        server.submit(admin, "/admin/ca", "/admin/ca", "name=dup&key=ec-p256");
        HttpResponse<String> taken = server.submit(admin, "/admin/ca", "/admin/ca", "name=dup&key=ec-p256");
        assertThat(taken.statusCode()).isEqualTo(409);

        HttpResponse<String> noParent =
                server.submit(admin, "/admin/ca", "/admin/ca", "name=orphan&key=ec-p256&parent=missing");
        assertThat(noParent.statusCode()).isEqualTo(404);

        HttpResponse<String> missing = server.get(admin, "/admin/ca/missing");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("data-code=\"ca.not_found\"");

        HttpResponse<String> badCsr = server.submit(
                admin, "/admin/ca/dup", "/admin/ca/dup/issue", "profile=tls-server&csr=" + enc("not a csr"));
        assertThat(badCsr.statusCode()).isEqualTo(400);
        assertThat(badCsr.body()).contains("data-code=\"csr.");

        HttpResponse<String> reserved = server.submit(
                admin, "/admin/ca/dup", "/admin/ca/dup/issue", "profile=sub-ca&csr=" + enc(csr("x.example")));
        assertThat(reserved.statusCode()).isEqualTo(400);

        HttpResponse<String> noCert = server.get(admin, "/admin/certificates/dup/abcdef");
        assertThat(noCert.statusCode()).isEqualTo(404);
        assertThat(noCert.body()).contains("data-code=\"certificate.not_found\"");
    }

    @Test
    void nonAdminsAreForbiddenAndFormsNeedCsrf() throws Exception {
        HttpClient bob = signedIn("bob", BOB_PASSWORD);
        for (String path : List.of("/admin/ca", "/admin/certificates", "/admin/ca/any", "/admin/certificates/a/1")) {
            assertThat(server.get(bob, path).statusCode()).as(path).isEqualTo(403);
        }
        assertThat(server.get(bob, "/account").body()).doesNotContain("id=\"nav-cas\"");

        HttpClient admin = signedIn("root", ADMIN_PASSWORD);
        HttpResponse<String> noCsrf = server.post(admin, "/admin/ca", "name=sneaky&key=ec-p256");
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        assertThat(bean(CaService.class).find("sneaky")).isEmpty();
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private String csr(String cn) throws Exception {
        Path dir = Files.createTempDirectory(work, "csr");
        Process p = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-new",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-nodes",
                        "-subj",
                        "/CN=" + cn,
                        "-addext",
                        "subjectAltName=DNS:" + cn,
                        "-keyout",
                        "k.pem",
                        "-out",
                        "r.csr")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return Files.readString(dir.resolve("r.csr"), StandardCharsets.US_ASCII);
    }

    private <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }

    private HttpClient signedIn(String username, String password) throws Exception {
        HttpClient client = TestServer.browserLikeClient();
        HttpResponse<String> r =
                server.submit(client, "/signin", "/signin", "username=" + enc(username) + "&password=" + enc(password));
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(location(r)).as("sign-in of " + username).doesNotContain("/signin");
        return client;
    }

    private HttpResponse<byte[]> bytes(HttpClient client, String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(server.uri(path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static List<X509Certificate> certificates(byte[] body) throws Exception {
        List<X509Certificate> found = new ArrayList<>();
        for (Certificate c :
                CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(body))) {
            found.add((X509Certificate) c);
        }
        return found;
    }

    private static List<Certificate> pkcs7(byte[] body) throws Exception {
        return List.copyOf(CertificateFactory.getInstance("X.509")
                .generateCertPath(new ByteArrayInputStream(body), "PKCS7")
                .getCertificates());
    }

    private static String location(HttpResponse<String> r) {
        return r.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location header"));
    }

    private static String first(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new AssertionError("no " + pattern + " in:\n" + text);
        }
        return m.group(1);
    }
}
