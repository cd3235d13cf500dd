package dev.signet.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.account.SetupService;
import dev.signet.server.testing.Browser;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.support.ui.Select;

/**
 * The administrator's CA pages in a real browser (headless Chromium) against a real server on
 * SQLite: a root and an intermediate made through the "New CA" form, a certificate issued from a CSR
 * pasted into the intermediate's form, found in the inventory by search and filters, downloaded as
 * PEM (a real download, and the link's response headers), revoked with a reason; and the refusals
 * (a malformed CSR, a second revocation) shown as notices. Screenshots of each step land in {@code
 * target/screenshots/ca-*.png}.
 */
class CaBrowserTest {
    private static final String ADMIN_PASSWORD = "correct horse battery staple";
    private static final String HOST = "browser.example.test";

    @TempDir
    Path dataDir;

    @TempDir
    Path downloads;

    private TestServer server;
    private Browser browser;

    @BeforeEach
    void start() {
        server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir));
        server.running()
                .context()
                .getBean(SetupService.class)
                .createAdminFromShell("root", "root@example.test", ADMIN_PASSWORD);
        browser = Browser.open(server.base());
    }

    @AfterEach
    void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            server.close();
        }
    }

    @Test
    void createCasIssueFromCsrFindDownloadAndRevokeThroughThePages() throws Exception {
        browser.go("/signin")
                .type("username", "root")
                .type("password", ADMIN_PASSWORD)
                .submit("submit")
                .waitForPath("/");
        browser.submit("nav-cas").waitForPath("/admin/ca");
        assertThat(browser.byId("nav-cas").getAttribute("aria-current")).isEqualTo("page");
        assertThat(browser.all("#cas tbody tr.ca")).isEmpty();
        browser.screenshot("ca-01-no-cas");

        // a root through the form
        browser.type("new-ca-name", "browser-root");
        new Select(browser.byId("new-ca-key")).selectByValue("ec-p256");
        new Select(browser.byId("new-ca-parent")).selectByValue("");
        browser.type("new-ca-subject", "CN=Browser Root,O=Example")
                .type("new-ca-validity", "3650")
                .submit("create-ca")
                .waitForPath("/admin/ca/browser-root");
        assertThat(browser.text("notice")).isEqualTo("Root CA browser-root is created.");
        assertThat(browser.text("ca-kind")).isEqualTo("root");
        assertThat(browser.text("ca-subject")).isEqualTo("CN=Browser Root,O=Example");
        assertThat(browser.text("ca-key")).isEqualTo("ec-p256");
        browser.screenshot("ca-02-root-created");

        // an intermediate under it
        browser.submit("back-to-cas").waitForPath("/admin/ca");
        browser.type("new-ca-name", "browser-issuing");
        new Select(browser.byId("new-ca-parent")).selectByValue("browser-root");
        browser.type("new-ca-validity", "1000").submit("create-ca").waitForPath("/admin/ca/browser-issuing");
        assertThat(browser.text("notice")).isEqualTo("Intermediate CA browser-issuing is created.");
        assertThat(browser.text("ca-kind")).isEqualTo("intermediate");
        assertThat(browser.text("ca-parent")).isEqualTo("browser-root");
        assertThat(browser.text("ca-chain")).contains("CN=browser-issuing", "CN=Browser Root,O=Example");
        assertThat(browser.byId("crl-download").getAttribute("href")).endsWith("/admin/ca/browser-issuing/crl");
        browser.screenshot("ca-03-intermediate-created");

        browser.submit("back-to-cas").waitForPath("/admin/ca");
        assertThat(browser.all("#cas tbody tr.ca")).hasSize(2);
        assertThat(browser.byId("ca-browser-issuing").getAttribute("class")).contains("ca-depth-1");
        browser.screenshot("ca-04-ca-tree");
        browser.submit("open-browser-issuing").waitForPath("/admin/ca/browser-issuing");
        // (the CA's own OCSP responder certificate is the first it issued)
        int before = browser.all("#recent tbody tr.certificate").size();

        // a malformed CSR is refused with a notice, and nothing is issued
        browser.type(
                        "issue-csr",
                        "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgcmVxdWVzdA==\n"
                                + "-----END CERTIFICATE REQUEST-----")
                .submit("issue")
                .waitForPath("/admin/ca/browser-issuing/issue");
        assertThat(browser.byId("error").getAttribute("data-code")).isEqualTo("csr.malformed");
        assertThat(browser.text("error")).isNotBlank();
        assertThat(browser.byId("issue-csr").getAttribute("value"))
                .as("the form keeps what was pasted")
                .contains("bm90IGEgcmVxdWVzdA==");
        assertThat(browser.all("#recent tbody tr.certificate"))
                .as("nothing issued")
                .hasSize(before);
        browser.screenshot("ca-05-malformed-csr-refused");

        // issue from a CSR pasted into the form
        KeyPair key = ecKey();
        String csr = csrPem(key);
        browser.go("/admin/ca/browser-issuing");
        new Select(browser.byId("issue-profile")).selectByValue("tls-server");
        browser.type("issue-validity", "30").type("issue-csr", csr).submit("issue");
        browser.waitForPath("/admin/ca/browser-issuing/issue");
        assertThat(browser.has("error")).isFalse();
        assertThat(browser.text("notice")).contains("is issued to CN=" + HOST);
        String serial = browser.text("certificate-serial");
        assertThat(serial).matches("[0-9a-f]+");
        X509Certificate issued = parse(browser.byId("issued-pem").getAttribute("value"));
        assertThat(issued.getSerialNumber().toString(16)).isEqualTo(serial);
        assertThat(issued.getPublicKey()).isEqualTo(key.getPublic());
        assertThat(issued.getSubjectX500Principal().getName()).isEqualTo("CN=" + HOST);
        assertThat(issued.getIssuerX500Principal().getName()).contains("browser-issuing");
        assertThat(browser.text("certificate-status")).isEqualTo("valid");
        assertThat(browser.text("certificate-profile")).isEqualTo("tls-server");
        assertThat(browser.text("certificate-sans")).contains(HOST);
        browser.screenshot("ca-06-issued");

        // the inventory lists it; search and filters find it, or not
        String row = "certificate-browser-issuing-" + serial;
        browser.submit("nav-certificates").waitForPath("/admin/certificates");
        assertThat(browser.has(row)).isTrue();
        browser.type("q", HOST).submit("search");
        assertThat(browser.path()).startsWith("/admin/certificates?q=" + HOST);
        assertThat(browser.all("#certificates tbody tr.certificate")).hasSize(1);
        assertThat(browser.has(row)).isTrue();
        assertThat(browser.text("certificates-total")).isEqualTo("1 match");
        new Select(browser.byId("status")).selectByValue("revoked");
        browser.submit("search");
        assertThat(browser.has(row)).as("not revoked yet").isFalse();
        assertThat(browser.text("certificates")).contains("No certificates match.");
        new Select(browser.byId("status")).selectByValue("valid");
        new Select(browser.byId("ca")).selectByValue("browser-issuing");
        new Select(browser.byId("profile")).selectByValue("tls-server");
        browser.type("q", serial.substring(0, 10)).submit("search");
        assertThat(browser.has(row))
                .as("by serial prefix, CA, profile and status")
                .isTrue();
        browser.screenshot("ca-07-inventory-search");

        // open it; download the PEM
        String page = "/admin/certificates/browser-issuing/" + serial;
        browser.submit("open-" + serial).waitForPath(page);
        assertThat(browser.text("certificate-title")).isEqualTo("CN=" + HOST);
        assertThat(browser.has("issued-pem"))
                .as("the PEM panel is only shown right after issuing")
                .isFalse();
        String pemHref = browser.byId("download-pem").getAttribute("href");
        assertThat(pemHref).endsWith(page + "?format=pem");
        @SuppressWarnings("unchecked")
        Map<String, Object> fetched = (Map<String, Object>) browser.driver()
                .executeAsyncScript(
                        "const done = arguments[arguments.length - 1];"
                                + "fetch(arguments[0]).then(r => r.text().then(body => done({status: r.status,"
                                + " type: r.headers.get('Content-Type'),"
                                + " disposition: r.headers.get('Content-Disposition'), body: body})))"
                                + ".catch(e => done({error: String(e)}));",
                        pemHref);
        assertThat(fetched).doesNotContainKey("error");
        assertThat(((Number) fetched.get("status")).intValue()).isEqualTo(200);
        assertThat((String) fetched.get("type")).startsWith("application/x-pem-file");
        assertThat((String) fetched.get("disposition")).startsWith("attachment").contains(".pem");
        assertThat(parse((String) fetched.get("body"))).isEqualTo(issued);

        browser.driver()
                .executeCdpCommand(
                        "Browser.setDownloadBehavior",
                        Map.of("behavior", "allow", "downloadPath", downloads.toString()));
        browser.click("download-pem");
        Path file = downloads.resolve("browser-issuing-" + serial + ".pem");
        browser.waitUntil(d -> Files.isRegularFile(file) ? Boolean.TRUE : null);
        assertThat(parse(Files.readString(file, StandardCharsets.US_ASCII))).isEqualTo(issued);
        assertThat(browser.path()).as("a download does not leave the page").isEqualTo(page);
        browser.screenshot("ca-08-certificate");

        // revoke with a reason
        new Select(browser.byId("revoke-reason")).selectByValue("key-compromise");
        browser.submit("revoke").waitForPath(page);
        assertThat(browser.text("notice"))
                .isEqualTo("Certificate " + serial
                        + " is revoked (key-compromise); CA browser-issuing published a new CRL.");
        assertThat(browser.text("certificate-status")).isEqualTo("revoked");
        assertThat(browser.text("certificate-revoked")).contains("(key-compromise)");
        assertThat(browser.has("revoke-form"))
                .as("no second revocation from this page")
                .isFalse();
        browser.screenshot("ca-09-revoked");

        browser.go("/admin/certificates?status=revoked");
        assertThat(browser.has(row)).isTrue();
        assertThat(browser.byId(row).getText()).contains("revoked");

        // revoking it again through the CA's own form is refused with a notice
        browser.go("/admin/ca/browser-issuing");
        browser.type("revoke-serial", serial);
        new Select(browser.byId("revoke-reason")).selectByValue("superseded");
        browser.submit("revoke").waitForPath("/admin/ca/browser-issuing/revoke");
        assertThat(browser.byId("error").getAttribute("data-code")).isEqualTo("certificate.already_revoked");
        assertThat(browser.byId("revoke-serial").getAttribute("value")).isEqualTo(serial);
        assertThat(browser.text("recent")).contains("CN=" + HOST, "revoked");
        browser.screenshot("ca-10-already-revoked");

        List<String> errors = browser.consoleErrors();
        assertThat(errors)
                .as("only the two refusals' 4xx answers, no CSP violations or script errors")
                .hasSize(2);
        assertThat(errors.get(0)).contains("/admin/ca/browser-issuing/issue", "400");
        assertThat(errors.get(1)).contains("/admin/ca/browser-issuing/revoke", "409");
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A PEM PKCS#10 request for {@code CN=HOST} with a dNSName SAN, signed by {@code key}. */
    private static String csrPem(KeyPair key) throws Exception {
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(
                Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, HOST)));
        byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + HOST), key.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
                .getEncoded();
        return "-----BEGIN CERTIFICATE REQUEST-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    private static X509Certificate parse(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }
}
