package dev.signet.server.web;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The console in a real browser: headless Chromium against a real server on SQLite, from the
 * one-time setup link to the dashboard and out again. Screenshots of each step land in {@code
 * target/screenshots/}.
 */
class BrowserFlowTest {
    private static final String ADMIN = "admin";
    private static final String PASSWORD = "correct horse battery staple";

    @TempDir
    Path dataDir;

    private TestServer server;
    private Browser browser;

    @BeforeEach
    void start() {
        server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir));
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
    void setupLinkWhenFollowedThenAdminCanSignInAndSeeDashboard() {
        browser.go(server.setupLink());
        assertThat(browser.path()).startsWith("/setup?token=");
        assertThat(browser.byId("username").isDisplayed()).isTrue();
        assertThat(browser.has("error")).isFalse();
        browser.screenshot("01-setup");

        browser.type("username", ADMIN)
                .type("email", "admin@example.test")
                .type("password", PASSWORD)
                .type("confirm", PASSWORD)
                .submit("submit")
                .waitForPath("/signin?created");
        assertThat(browser.text("created")).isEqualTo("Administrator created. Sign in with your new account.");
        assertThat(browser.has("setup-needed")).isFalse();
        browser.screenshot("02-signin-created");

        signIn(ADMIN, "not the password at all").waitForPath("/signin?error");
        assertThat(browser.text("error")).isEqualTo("Wrong username or password.");
        assertThat(browser.has("created")).isFalse();
        browser.screenshot("03-signin-wrong-password");

        signIn(ADMIN, PASSWORD).waitForPath("/");
        assertThat(browser.text("current-user")).isEqualTo(ADMIN);
        assertThat(browser.text("stat-users")).isEqualTo("1");
        assertThat(Long.parseLong(browser.text("stat-signins"))).isGreaterThanOrEqualTo(1);
        assertThat(browser.text("stat-failed")).isEqualTo("1");
        assertThat(Long.parseLong(browser.text("stat-events")))
                .as("admin created, one failed and one good sign-in")
                .isGreaterThanOrEqualTo(3);
        assertThat(rows("#last-signins"))
                .as("newest first: the good sign-in, then the wrong password")
                .hasSize(2)
                .satisfies(r -> assertThat(r.get(0)).contains(ADMIN, "success", "127.0.0.1"))
                .satisfies(r -> assertThat(r.get(1)).contains(ADMIN, "failure"));
        assertThat(browser.text("recent-events")).contains("auth.sign_in", "bad_password");
        browser.screenshot("04-dashboard");

        browser.submit("signout").waitForPath("/signin?signedout");
        assertThat(browser.text("signedout")).isEqualTo("You are signed out.");
        assertThat(browser.has("current-user")).isFalse();
        browser.screenshot("05-signed-out");

        browser.go("/").waitForPath("/signin");
        assertThat(browser.has("stat-users")).as("the session is gone").isFalse();
        assertThat(browser.consoleErrors())
                .as("no Content-Security-Policy violations or failed loads on any page")
                .isEmpty();
    }

    @Test
    void setupLinkWhenOpenedAgainThenShowsUsedPage() {
        createAdmin();

        browser.go(server.setupLink());
        WebElement closed = browser.byId("setup-closed");
        assertThat(closed.getAttribute("data-state")).isEqualTo("used");
        assertThat(closed.getText()).contains("This setup link has been used", "Each setup link works once");
        assertThat(browser.has("password")).as("no form on a used link").isFalse();
        browser.screenshot("06-setup-link-used");

        browser.submit("go-signin").waitForPath("/signin");
        assertThat(browser.has("username")).isTrue();
    }

    @Test
    void setupPageWhenPasswordsDifferThenSaysSoAndKeepsUsername() {
        browser.go(server.setupLink());
        browser.type("username", ADMIN)
                .type("password", PASSWORD)
                .type("confirm", PASSWORD + " but different")
                .submit("submit");

        assertThat(browser.path()).isEqualTo("/setup");
        assertThat(browser.byId("error").getAttribute("data-code")).isNotBlank();
        assertThat(browser.text("error")).isNotBlank();
        assertThat(browser.byId("username").getAttribute("value")).isEqualTo(ADMIN);
        assertThat(browser.byId("password").getAttribute("value"))
                .as("passwords are never sent back")
                .isEmpty();
        browser.screenshot("07-setup-error");
    }

    @Test
    void consoleWhenPhoneWidthOrDarkSchemeThenFitsAndStaysReadable() {
        createAdmin();
        signIn(ADMIN, PASSWORD).waitForPath("/");

        browser.viewport(390, 844);
        browser.go("/");
        assertThat(horizontalOverflow())
                .as("no sideways scrolling of the page at phone width")
                .isZero();
        assertThat(browser.byId("signout").isDisplayed()).isTrue();
        assertThat(browser.text("stat-users")).isEqualTo("1");
        browser.screenshot("08-dashboard-phone");

        browser.colorScheme("dark");
        browser.go("/");
        assertThat(isDark(browser.script("return getComputedStyle(document.body).backgroundColor")))
                .as("the page follows prefers-color-scheme: dark")
                .isTrue();
        browser.screenshot("09-dashboard-phone-dark");

        browser.desktopViewport();
        browser.go("/");
        browser.screenshot("10-dashboard-dark");

        browser.go("/no/such/page");
        WebElement notFound = browser.byId("error-page");
        assertThat(notFound.getAttribute("data-status")).isEqualTo("404");
        assertThat(notFound.getText()).contains("Page not found").doesNotContain("Exception");
        browser.screenshot("11-not-found-dark");
        browser.consoleErrors(); // the 404 itself is logged; start afresh

        browser.go("/");
        browser.submit("signout").waitForPath("/signin?signedout");
        browser.viewport(390, 844);
        browser.go("/signin?error");
        assertThat(horizontalOverflow()).isZero();
        browser.screenshot("12-signin-phone-dark");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void signinPageWhenNoAdministratorYetThenPointsToTheSetupLink() {
        browser.go("/");
        browser.waitForPath("/signin");
        assertThat(browser.text("setup-needed")).contains("No administrator exists yet", "signet admin create-admin");
        browser.screenshot("13-signin-setup-needed");
    }

    @Test
    void signinFormWhenSessionExpiredBeforeSubmitThenShowsAccessDeniedPage() {
        createAdmin();
        browser.go("/signin");
        browser.driver().manage().deleteAllCookies();

        browser.type("username", ADMIN).type("password", PASSWORD).submit("submit");

        WebElement page = browser.byId("error-page");
        assertThat(page.getAttribute("data-status")).isEqualTo("403");
        assertThat(page.getText()).contains("Access denied", "reload the page");
        assertThat(browser.has("current-user")).as("not signed in").isFalse();
        assertThat(browser.consoleErrors()).anyMatch(e -> e.contains("403"));
        browser.screenshot("14-stale-form-denied");

        browser.submit("back-home").waitForPath("/signin");
    }

    private Browser signIn(String username, String password) {
        browser.go("/signin");
        return browser.type("username", username).type("password", password).submit("submit");
    }

    private void createAdmin() {
        browser.go(server.setupLink())
                .type("username", ADMIN)
                .type("password", PASSWORD)
                .type("confirm", PASSWORD)
                .submit("submit")
                .waitForPath("/signin?created");
    }

    /** The visible text of each body row of the table the selector names. */
    private List<String> rows(String table) {
        return browser.all(table + " tbody tr").stream()
                .map(WebElement::getText)
                .toList();
    }

    private long horizontalOverflow() {
        return ((Number) browser.script("return Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"))
                .longValue();
    }

    /** Whether a computed CSS colour such as {@code rgb(11, 15, 23)} is dark. */
    private static boolean isDark(Object cssColor) {
        String[] parts = String.valueOf(cssColor).replaceAll("[^0-9,.]", "").split(",");
        double r = Double.parseDouble(parts[0]);
        double g = Double.parseDouble(parts[1]);
        double b = Double.parseDouble(parts[2]);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b < 80;
    }
}
