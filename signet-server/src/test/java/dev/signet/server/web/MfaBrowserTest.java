package dev.signet.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.User;
import dev.signet.server.config.SignetSettings.MfaRequirement;
import dev.signet.server.signin.FactorPolicy;
import dev.signet.server.testing.Browser;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enrolling an authenticator app in a real browser (headless Chromium), with {@code oathtool} (an
 * independent TOTP implementation) as the app: the QR code the server drew decodes (ZXing) to the
 * setup link shown beside it, oathtool's codes for the seed shown are accepted, and the account's
 * policy holds the user at enrolment until then. Screenshots land in {@code
 * target/screenshots/mfa-*.png}.
 */
class MfaBrowserTest {
    private static final String PASSWORD = "harbour violet engine sixty";
    private static final DateTimeFormatter OATH_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @TempDir
    Path dataDir;

    final MutableClock clock = MutableClock.startingNow();
    TestServer server;
    Browser browser;

    @BeforeEach
    void start() {
        server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir), clock);
        User carol = server.running()
                .context()
                .getBean(AccountService.class)
                .create(
                        new AccountService.NewAccount(
                                "carol", "carol@example.test", "Carol", User.Role.USER, null, PASSWORD, null),
                        "test");
        server.running().context().getBean(FactorPolicy.class).setOwn(carol.id(), Optional.of(MfaRequirement.ANY));
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
    void enrolAnAuthenticatorWithOathtoolThenSignInWithItsCodes() throws Exception {
        signIn().waitForPath("/account/factors?enrol");
        assertThat(browser.text("enrol-needed")).contains("requires a second factor");
        browser.go("/account").waitForPath("/account/factors?enrol");
        browser.screenshot("mfa-01-enrol-needed");

        browser.type("otp-name", "Phone").submit("add-otp");
        browser.waitUntil(d -> browser.has("otpauth-uri"));
        String uri = browser.byId("otpauth-uri").getAttribute("value");
        assertThat(uri).startsWith("otpauth://totp/Signet:carol?secret=");
        String qr = browser.byId("qr").getAttribute("src");
        assertThat(qr).startsWith("data:image/png;base64,");
        assertThat(decodeQr(Base64.getDecoder().decode(qr.substring(qr.indexOf(',') + 1))))
                .as("the QR code says what the page shows")
                .isEqualTo(uri);
        String secret = browser.text("secret").replace(" ", "");
        assertThat(uri).contains("secret=" + secret);
        browser.screenshot("mfa-02-qr");

        browser.type("code", oathtool(secret, clock.instant())).submit("confirm");
        browser.waitUntil(d -> browser.has("codes"));
        assertThat(browser.all("#codes li")).hasSize(10);
        browser.screenshot("mfa-03-recovery-codes");
        browser.click("done").waitForPath("/account/factors");
        assertThat(browser.all("tr.device")).hasSize(1);
        browser.go("/account").waitForPath("/account");

        browser.submit("signout").waitForPath("/signin?signedout");
        signIn().waitForPath("/signin/factor");
        browser.screenshot("mfa-04-second-step");
        browser.type("code", "000000".equals(oathtool(secret, clock.instant())) ? "111111" : "000000")
                .submit("otp-submit");
        assertThat(browser.text("otp-error")).contains("not right");
        clock.advance(Duration.ofSeconds(30));
        browser.type("code", oathtool(secret, clock.instant()))
                .submit("otp-submit")
                .waitForPath("/account");
        assertThat(browser.consoleErrors())
                .as("only the wrong code's 401")
                .singleElement()
                .satisfies(e -> assertThat(e).contains("/signin/factor/otp", "401"));
    }

    private Browser signIn() {
        return browser.go("/signin")
                .type("username", "carol")
                .type("password", PASSWORD)
                .submit("submit");
    }

    private static String decodeQr(byte[] png) throws Exception {
        var image = ImageIO.read(new ByteArrayInputStream(png));
        return new QRCodeReader()
                .decode(new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image))))
                .getText();
    }

    /** The code oathtool computes for the base32 seed at {@code at} (seed on stdin, never on the command line). */
    static String oathtool(String base32, Instant at) throws Exception {
        Path binary = Path.of("/usr/bin/oathtool");
        if (!Files.isExecutable(binary)) {
            throw new AssertionError("oathtool is missing: apt-get install oathtool (bash .ci/run installs it)");
        }
        List<String> command = new ArrayList<>(
                List.of(binary.toString(), "--totp", "--base32", "--now=" + OATH_TIME.format(at) + " UTC", "-"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write((base32 + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
