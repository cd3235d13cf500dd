package dev.signet.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.account.AccountService;
import dev.signet.server.account.User;
import dev.signet.server.testing.Browser;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.virtualauthenticator.Credential;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * A real passkey ceremony in a real browser: headless Chromium with Chrome's virtual authenticator
 * (CTAP2, internal, resident keys, user verification) against a real server on SQLite. WebAuthn needs
 * a secure context and a domain as RP ID, so the server is reached as {@code http://localhost:PORT},
 * which is also its public URL (RP ID {@code localhost}). Screenshots land in {@code
 * target/screenshots/passkey-*.png}.
 */
class PasskeyBrowserTest {
    private static final String PASSWORD = "quartz lantern meadow violin 47";

    @TempDir
    Path dataDir;

    private TestServer server;
    private Browser browser;

    @BeforeEach
    void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = TestServer.start(TestDatabases.settings(
                TestDatabases.Kind.SQLITE,
                dataDir,
                Map.of(
                        "SIGNET_PORT",
                        Integer.toString(port),
                        "SIGNET_PUBLIC_URL",
                        "http://localhost:" + port,
                        "SIGNET_ARGON2_MEMORY_KIB",
                        "8192",
                        "SIGNET_ARGON2_ITERATIONS",
                        "1")));
        server.running()
                .context()
                .getBean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "dana", "dana@example.test", "Dana", User.Role.USER, User.Kind.PERSON, PASSWORD, null),
                        "test");
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
    void passkeyWhenAddedThenSignsInWithoutUsernameAndOnceRemovedNoLonger() {
        VirtualAuthenticator authenticator = browser.addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
                .setHasResidentKey(true)
                .setHasUserVerification(true)
                .setIsUserVerified(true));

        browser.go("/signin");
        // a user (not an administrator) lands on their account page
        browser.type("username", "dana")
                .type("password", PASSWORD)
                .submit("submit")
                .waitForPath("/account");

        // a fresh sign-in counts as a step-up: adding a passkey asks nothing more
        browser.go("/account/passkeys");
        assertThat(browser.byId("tab-passkeys").getAttribute("aria-current")).isEqualTo("page");
        assertThat(browser.text("passkeys")).contains("No passkeys yet.");
        browser.screenshot("passkey-01-none-yet");
        browser.type("passkey-name", "Laptop").submit("passkey-add").waitForPath("/account/passkeys");
        assertThat(browser.text("notice")).contains("Passkey “Laptop” is added.");
        List<WebElement> rows = browser.all("#passkeys tbody tr.passkey");
        assertThat(rows).hasSize(1);
        String id = rows.getFirst().getAttribute("id").substring("passkey-".length());
        assertThat(browser.byId("name-" + id).getAttribute("value")).isEqualTo("Laptop");
        assertThat(browser.text("kind-" + id)).isEqualTo("this device only");
        assertThat(browser.text("last-used-" + id)).isEqualTo("never");
        List<Credential> credentials = authenticator.getCredentials();
        assertThat(credentials).singleElement().satisfies(c -> {
            assertThat(c.isResidentCredential()).as("a discoverable credential").isTrue();
            assertThat(c.getRpId()).isEqualTo("localhost");
        });
        browser.screenshot("passkey-02-added");
        assertThat(browser.consoleErrors())
                .as("no CSP violations or script errors")
                .isEmpty();

        // signed out, the passkey alone signs in: no username typed
        browser.submit("signout").waitForPath("/signin?signedout");
        browser.submit("passkey-signin").waitForPath("/account");
        assertThat(browser.text("current-user")).isEqualTo("dana");
        browser.screenshot("passkey-03-signed-in-with-passkey");
        browser.go("/account/passkeys");
        assertThat(browser.text("last-used-" + id)).isNotEqualTo("never");

        // removing it (the passkey sign-in was a fresh authentication)
        browser.submit("remove-" + id).waitForPath("/account/passkeys");
        assertThat(browser.text("notice")).contains("Passkey “Laptop” is removed");
        assertThat(browser.all("#passkeys tbody tr.passkey")).isEmpty();
        browser.screenshot("passkey-04-removed");
        assertThat(browser.consoleErrors()).isEmpty();

        // the authenticator still offers it, but the server no longer knows it
        browser.submit("signout").waitForPath("/signin?signedout");
        browser.click("passkey-signin");
        String error = browser.waitUntil(d -> {
            WebElement box = d.findElement(By.id("passkey-error"));
            return box.isDisplayed() && !box.getText().isBlank() ? box.getText() : null;
        });
        assertThat(error).containsIgnoringCase("not registered");
        assertThat(browser.byId("passkey-error").getAttribute("data-code")).isEqualTo("passkey.unknown_credential");
        assertThat(browser.path()).isEqualTo("/signin?signedout");
        assertThat(browser.has("current-user")).isFalse();
        browser.screenshot("passkey-05-unknown-passkey");
        assertThat(browser.consoleErrors())
                .as("only the refusal itself, a 400")
                .singleElement()
                .satisfies(e -> assertThat(e).contains("/signin/passkey", "400"));
    }
}
