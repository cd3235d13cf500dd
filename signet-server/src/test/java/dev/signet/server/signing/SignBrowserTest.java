package dev.signet.server.signing;

import static dev.signet.server.signing.SignCalls.openssl;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.Pem;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.ca.CaService;
import dev.signet.server.testing.Browser;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.support.ui.Select;

/**
 * The "Sign files" page in a real browser (headless Chromium) against a real server on SQLite: a user
 * granted on a key picks two files with the file chooser and drops a third on the page; the browser
 * hashes them with Web Crypto and gets back a zip of detached signatures, which Chromium downloads
 * and {@code openssl cms -verify} accepts for each file. A single file comes back as a {@code .p7s}.
 * No console errors (the page's script runs under the strict Content-Security-Policy). Screenshots
 * land in {@code target/screenshots/sign-*.png}.
 */
class SignBrowserTest {
    private static final String ADMIN_PASSWORD = "correct horse battery staple";
    private static final String BOB_PASSWORD = "quartz lantern meadow violin 47";

    @TempDir
    Path dataDir;

    @TempDir
    Path work;

    @TempDir
    Path downloads;

    private TestServer server;
    private Browser browser;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir));
        bean(SetupService.class).createAdminFromShell("root", "root@example.test", ADMIN_PASSWORD);
        bean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "bob", "bob@example.test", "Bob", User.Role.USER, User.Kind.PERSON, BOB_PASSWORD, null),
                        "test");
        CaService cas = bean(CaService.class);
        cas.create(CaService.NewCa.root("browser-root", KeyAlgorithm.EC_P256), "test");
        Files.writeString(work.resolve("root.pem"), Pem.certificates(cas.chain("browser-root")));
        SigningKeyService keys = bean(SigningKeyService.class);
        keys.create(
                new SigningKeyService.NewKey(
                        "release",
                        KeyAlgorithm.EC_P256,
                        "browser-root",
                        Optional.empty(),
                        Optional.empty(),
                        false,
                        false),
                "test");
        keys.grant("release", "user:bob", "test");
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
    void signThreeFilesOnTheSignPageAndEveryDownloadedSignatureVerifies() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("release notes.txt", "Signet 1.0\n".getBytes(StandardCharsets.UTF_8));
        byte[] binary = new byte[300_000];
        new Random(7).nextBytes(binary);
        files.put("app.bin", binary);
        Path chosen = Files.createDirectories(work.resolve("chosen"));
        for (var f : files.entrySet()) {
            Files.write(chosen.resolve(f.getKey()), f.getValue());
        }
        files.put("dropped.txt", "dropped on the page\n".getBytes(StandardCharsets.UTF_8));

        browser.go("/signin")
                .type("username", "bob")
                .type("password", BOB_PASSWORD)
                .submit("submit")
                .waitForPath("/account");
        browser.submit("nav-sign").waitForPath("/sign");
        assertThat(browser.byId("nav-sign").getAttribute("aria-current")).isEqualTo("page");
        assertThat(new Select(browser.byId("sign-key")).getFirstSelectedOption().getAttribute("value"))
                .isEqualTo("release");
        assertThat(browser.byId("sign-submit").isEnabled()).isFalse();
        browser.screenshot("sign-01-empty");

        // two files through the file chooser, one dropped on the page
        browser.byId("sign-files").sendKeys(chosen.resolve("release notes.txt") + "\n" + chosen.resolve("app.bin"));
        browser.script(
                "const dt = new DataTransfer();"
                        + "dt.items.add(new File([arguments[0]], 'dropped.txt', {type: 'text/plain'}));"
                        + "const zone = document.getElementById('sign-drop');"
                        + "zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));"
                        + "zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));",
                "dropped on the page\n");
        browser.waitUntil(d -> browser.all("#sign-list-body tr").size() == 3 ? Boolean.TRUE : null);
        assertThat(browser.text("sign-file-status-0")).isEqualTo("ready");
        assertThat(browser.byId("sign-submit").isEnabled()).isTrue();
        browser.screenshot("sign-02-chosen");

        browser.driver()
                .executeCdpCommand(
                        "Browser.setDownloadBehavior",
                        Map.of("behavior", "allow", "downloadPath", downloads.toString()));
        browser.click("sign-submit");
        browser.waitUntil(d -> browser.byId("sign-status").isDisplayed()
                        && browser.text("sign-status").startsWith("Signed")
                ? Boolean.TRUE
                : null);
        assertThat(browser.text("sign-status")).startsWith("Signed 3 files, timestamped: signatures-release-");
        assertThat(browser.text("sign-file-status-2")).isEqualTo("signed");
        assertThat(browser.has("sign-error") && browser.byId("sign-error").isDisplayed())
                .isFalse();
        Path zip = waitForDownload(".zip");
        browser.screenshot("sign-03-signed");

        Map<String, byte[]> signatures = unzip(Files.readAllBytes(zip));
        assertThat(signatures.keySet())
                .containsExactlyInAnyOrder("release notes.txt.p7s", "app.bin.p7s", "dropped.txt.p7s");
        for (var f : files.entrySet()) {
            verify(f.getKey(), f.getValue(), signatures.get(f.getKey() + ".p7s"));
        }
        assertThat(bean(AuditLog.class).recent(10, "sign.signature"))
                .hasSize(3)
                .allSatisfy(r -> assertThat(r.actor()).isEqualTo("bob"));

        // one file: a .p7s
        browser.click("sign-clear");
        browser.waitUntil(d -> browser.all("#sign-list-body tr").isEmpty() ? Boolean.TRUE : null);
        browser.byId("sign-files").sendKeys(chosen.resolve("app.bin").toString());
        browser.waitUntil(d -> browser.all("#sign-list-body tr").size() == 1 ? Boolean.TRUE : null);
        browser.click("sign-submit");
        Path p7s = downloads.resolve("app.bin.p7s");
        browser.waitUntil(d -> Files.isRegularFile(p7s) ? Boolean.TRUE : null);
        verify("app.bin", binary, Files.readAllBytes(p7s));

        assertThat(browser.consoleErrors()).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }

    Path waitForDownload(String suffix) {
        return browser.waitUntil(d -> {
            try (var list = Files.list(downloads)) {
                return list.filter(p -> p.getFileName().toString().endsWith(suffix))
                        .findFirst()
                        .orElse(null);
            } catch (java.io.IOException e) {
                return null;
            }
        });
    }

    void verify(String name, byte[] content, byte[] p7s) throws Exception {
        assertThat(p7s).as(name).isNotNull();
        String safe = name.replace(' ', '_');
        Files.write(work.resolve(safe), content);
        Files.write(work.resolve(safe + ".p7s"), p7s);
        assertThat(openssl(
                        work,
                        "cms",
                        "-verify",
                        "-binary",
                        "-inform",
                        "DER",
                        "-in",
                        safe + ".p7s",
                        "-content",
                        safe,
                        "-CAfile",
                        "root.pem",
                        "-purpose",
                        "any",
                        "-out",
                        "/dev/null"))
                .as(name)
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
}
