package dev.signet.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.account.AccountService;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.testing.Browser;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

/**
 * The account pages in real browsers (headless Chromium) against a real server on SQLite: a user
 * signs in, changes the password, and ends the session of a second browser; an administrator looks
 * at the user list and a user's page. Screenshots of each step land in {@code
 * target/screenshots/acct-*.png}.
 */
class AccountBrowserTest {
    private static final String ADMIN_PASSWORD = "correct horse battery staple";
    private static final String PASSWORD = "quartz lantern meadow violin 47";
    private static final String NEW_PASSWORD = "orbit sparrow canyon thistle 93";

    @TempDir
    Path dataDir;

    private TestServer server;
    private Browser first;
    private Browser second;

    @BeforeEach
    void start() {
        server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir));
        server.running()
                .context()
                .getBean(SetupService.class)
                .createAdminFromShell("root", "root@example.test", ADMIN_PASSWORD);
        server.running()
                .context()
                .getBean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "bob",
                                "bob@example.test",
                                "Bob Example",
                                User.Role.USER,
                                User.Kind.PERSON,
                                PASSWORD,
                                null),
                        "test");
        first = Browser.open(server.base());
    }

    @AfterEach
    void stop() {
        try {
            for (Browser b : new Browser[] {first, second}) {
                if (b != null) {
                    b.close();
                }
            }
        } finally {
            server.close();
        }
    }

    @Test
    void accountWhenPasswordChangedAndOtherBrowserEndedThenThatBrowserIsSignedOut() {
        signIn(first, "bob", "not the password at all").waitForPath("/signin?error");
        assertThat(first.text("error")).isEqualTo("Wrong username or password.");
        first.screenshot("acct-01-signin-wrong-password");

        signIn(first, "bob", PASSWORD).waitForPath("/account");
        assertThat(first.text("profile-username")).isEqualTo("bob");
        assertThat(first.byId("nav-account").getAttribute("aria-current")).isEqualTo("page");
        assertThat(first.has("nav-users")).as("no admin sections for a user").isFalse();
        assertThat(first.text("sign-ins")).contains("wrong password", "Headless Chrome on Linux");
        assertThat(first.byId("end-others").isSelected())
                .as("signing out the other sessions is the default")
                .isTrue();
        first.screenshot("acct-02-account");

        first.type("current", "not my password")
                .type("new-password", NEW_PASSWORD)
                .type("confirm", NEW_PASSWORD)
                .submit("change-password");
        assertThat(first.text("password-error")).contains("current password");
        assertThat(first.byId("tab-profile").getAttribute("aria-current")).isEqualTo("page");
        first.screenshot("acct-03-password-wrong-current");
        assertThat(first.consoleErrors())
                .as("the refusal is a 400, and nothing else went wrong")
                .singleElement()
                .satisfies(e -> assertThat(e).contains("/account/password", "400"));

        first.type("current", PASSWORD)
                .type("new-password", NEW_PASSWORD)
                .type("confirm", NEW_PASSWORD)
                .submit("change-password")
                .waitForPath("/account");
        assertThat(first.text("notice")).startsWith("Your password is changed.");
        first.screenshot("acct-04-password-changed");

        first.submit("signout").waitForPath("/signin?signedout");
        signIn(first, "bob", PASSWORD).waitForPath("/signin?error");
        signIn(first, "bob", NEW_PASSWORD).waitForPath("/account");
        first.screenshot("acct-05-signed-in-with-new-password");

        second = Browser.open(server.base());
        signIn(second, "bob", NEW_PASSWORD).waitForPath("/account");
        second.go("/account/sessions");
        assertThat(second.all("#sessions tbody tr.session")).hasSize(2);

        first.go("/account/sessions");
        assertThat(first.all("#sessions tbody tr.session")).hasSize(2);
        assertThat(first.text("this-device")).isEqualTo("This device");
        assertThat(first.byId("tab-sessions").getAttribute("aria-current")).isEqualTo("page");
        List<WebElement> endButtons = first.all("button[id^='end-session-']");
        assertThat(endButtons)
                .as("only the other browser's session can be ended here")
                .hasSize(1);
        first.screenshot("acct-06-sessions-two-browsers");

        first.submit(endButtons.getFirst().getAttribute("id")).waitForPath("/account/sessions");
        assertThat(first.text("notice")).contains("that device is signed out");
        assertThat(first.all("#sessions tbody tr.session")).hasSize(1);
        first.screenshot("acct-07-other-session-ended");

        second.go("/account");
        second.waitForPath("/signin");
        assertThat(second.has("current-user")).isFalse();
        second.screenshot("acct-08-other-browser-signed-out");

        first.go("/account");
        assertThat(first.text("current-user"))
                .as("the first browser stays signed in")
                .isEqualTo("bob");
        assertThat(first.consoleErrors())
                .as("no CSP violations or failed loads")
                .isEmpty();
        assertThat(second.consoleErrors()).isEmpty();
    }

    @Test
    void tokensWhenCreatedThenTheSecretIsShownOnceAndTheListShowsOnlyItsHint() {
        signIn(first, "bob", PASSWORD).waitForPath("/account");
        first.go("/account/tokens");
        first.type("token-name", "release pipeline").click("scope-tokens-write");
        first.submit("create-token");
        String secret = first.byId("token-secret").getAttribute("value");
        assertThat(secret).startsWith("sgt_");
        assertThat(first.text("once")).contains("will not be shown again");
        first.screenshot("acct-09-token-created");

        first.submit("done").waitForPath("/account/tokens");
        assertThat(first.driver().getPageSource()).doesNotContain(secret);
        assertThat(first.text("tokens")).contains("release pipeline", "…" + secret.substring(secret.length() - 4));
        first.screenshot("acct-10-tokens");
        assertThat(first.consoleErrors()).isEmpty();
    }

    @Test
    void adminPagesWhenOpenedThenListUsersAndShowOneUser() {
        signIn(first, "bob", "a wrong guess").waitForPath("/signin?error");
        signIn(first, "root", ADMIN_PASSWORD).waitForPath("/");
        assertThat(first.has("nav-users")).isTrue();

        first.submit("nav-users").waitForPath("/admin/users");
        assertThat(first.byId("nav-users").getAttribute("aria-current")).isEqualTo("page");
        assertThat(first.all("#users tbody tr.user")).hasSize(2);
        assertThat(first.text("users")).contains("bob", "root", "Bob Example");
        first.screenshot("acct-11-admin-users");

        String bobPage = "/admin/users/" + userId("bob");
        first.submit("open-bob").waitForPath(bobPage);
        assertThat(first.text("user-title")).isEqualTo("bob");
        assertThat(first.text("user-status")).isEqualTo("active");
        assertThat(first.text("delay-state")).contains("1 failed attempt in a row");
        assertThat(first.text("sign-ins")).contains("wrong password");
        first.screenshot("acct-12-admin-user");

        first.submit("delete").waitForPath(bobPage + "/delete");
        first.screenshot("acct-13-admin-user-delete");
        first.click("confirm").submit("delete").waitForPath("/admin/users");
        assertThat(first.text("notice")).contains("User bob is deleted.");

        first.go("/admin/sign-ins");
        assertThat(first.text("attempts")).contains("wrong password", "root");
        first.screenshot("acct-14-admin-sign-ins");

        first.viewport(390, 844).colorScheme("dark");
        first.go("/admin/users");
        assertThat(horizontalOverflow(first))
                .as("no sideways scrolling at phone width")
                .isZero();
        first.screenshot("acct-15-admin-users-phone-dark");
        first.go("/account");
        assertThat(horizontalOverflow(first)).isZero();
        first.screenshot("acct-16-account-phone-dark");
        assertThat(first.consoleErrors()).isEmpty();
    }

    private static Browser signIn(Browser browser, String username, String password) {
        browser.go("/signin");
        return browser.type("username", username).type("password", password).submit("submit");
    }

    private String userId(String username) {
        return server.running()
                .context()
                .getBean(AccountService.class)
                .byUsername(username)
                .orElseThrow()
                .id();
    }

    private static long horizontalOverflow(Browser browser) {
        return ((Number) browser.script("return Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"))
                .longValue();
    }
}
