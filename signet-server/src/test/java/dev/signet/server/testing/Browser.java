package dev.signet.server.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * A real, headless Chromium driven by Selenium, pointed at one test server.
 *
 * <p>Uses Debian's {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} and nothing else:
 * no driver download, no Selenium Manager. When either is missing, {@link #open(URI)} fails the
 * test (it does not skip it), saying how to install them. Each browser gets a fresh profile in a
 * temporary directory, removed again by {@link #close()}.
 *
 * <p>Helpers take element ids, because the pages give every element a test looks at an id.
 * {@link #screenshot(String)} saves full-page PNGs under {@code target/screenshots/} for people to
 * look at; {@link #addVirtualAuthenticator(VirtualAuthenticatorOptions)} gives WebAuthn tests a
 * passkey device.
 */
public final class Browser implements AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final int WIDTH = 1280;
    public static final int HEIGHT = 900;

    private static final Duration WAIT = Duration.ofSeconds(15);

    private final URI base;
    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;

    private Browser(URI base, ChromeDriverService service, ChromeDriver driver, Path profile) {
        this.base = base;
        this.service = service;
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts a headless Chromium whose relative paths ({@link #go(String)}) resolve against {@code base}. */
    public static Browser open(URI base) {
        requireInstalled();
        Path profile;
        try {
            profile = Files.createTempDirectory("signet-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a Chromium profile directory", e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--window-size=" + WIDTH + "," + HEIGHT,
                "--user-data-dir=" + profile);
        // keep the page's console, so tests can see CSP violations and script errors
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteTree(profile);
            throw e;
        }
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new Browser(base, service, driver, profile);
    }

    private static void requireInstalled() {
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                throw new AssertionError(
                        p + " is missing: the browser tests need Debian's Chromium and chromedriver."
                                + " Run `bash .ci/run` (it installs them), or `sudo apt-get install chromium chromium-driver`.");
            }
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Opens {@code pathOrUrl}: an absolute URL as is, anything else relative to the server. */
    public Browser go(String pathOrUrl) {
        driver.get(
                pathOrUrl.contains("://") ? pathOrUrl : base.resolve(pathOrUrl).toString());
        return this;
    }

    /** The current page's path and query, e.g. {@code /signin?error}. */
    public String path() {
        URI now = URI.create(driver.getCurrentUrl());
        return now.getRawPath() + (now.getRawQuery() == null ? "" : "?" + now.getRawQuery());
    }

    public String title() {
        return driver.getTitle();
    }

    /** The element with this id, waiting for it to appear. */
    public WebElement byId(String id) {
        return waitUntil(d -> d.findElements(By.id(id)).stream().findFirst().orElse(null));
    }

    /** Whether an element with this id is on the page now (no waiting). */
    public boolean has(String id) {
        return !driver.findElements(By.id(id)).isEmpty();
    }

    public List<WebElement> all(String cssSelector) {
        return driver.findElements(By.cssSelector(cssSelector));
    }

    /** The visible text of the element with this id. */
    public String text(String id) {
        return byId(id).getText().strip();
    }

    /** Clears the field with this id and types {@code value} into it. */
    public Browser type(String id, String value) {
        WebElement field = byId(id);
        field.clear();
        field.sendKeys(value);
        return this;
    }

    /** Clicks the element with this id; see {@link #submit(String)} when the click loads a new page. */
    public Browser click(String id) {
        byId(id).click();
        return this;
    }

    /** Clicks the button or link with this id and waits until the page it leads to has loaded. */
    public Browser submit(String id) {
        WebElement element = byId(id);
        // a mark on the old page's window: gone once the browser has moved on to the next page
        driver.executeScript("window.__signetOldPage = true");
        element.click();
        waitUntil(d -> {
            try {
                Object done = driver.executeScript(
                        "return window.__signetOldPage !== true && document.readyState === 'complete'");
                return Boolean.TRUE.equals(done) ? Boolean.TRUE : null;
            } catch (WebDriverException e) {
                return null; // between two pages
            }
        });
        return this;
    }

    /** Waits until the current page's path and query equal {@code pathAndQuery}. */
    public Browser waitForPath(String pathAndQuery) {
        try {
            waitUntil(d -> pathAndQuery.equals(path()) ? Boolean.TRUE : null);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("expected to be on " + pathAndQuery + " but the browser is on " + path(), e);
        }
        return this;
    }

    public <T> T waitUntil(ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, WAIT).until(condition);
    }

    /**
     * The console errors the pages logged since the last call: Content-Security-Policy violations,
     * script errors, failed loads. Each as {@code LEVEL message}.
     */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(e -> e.getLevel() + " " + e.getMessage())
                .toList();
    }

    /** Resizes the viewport, e.g. to a phone's 390 × 844. */
    public Browser viewport(int width, int height) {
        driver.executeCdpCommand(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", width < 700));
        return this;
    }

    /** Back to the default {@value #WIDTH} × {@value #HEIGHT} desktop viewport. */
    public Browser desktopViewport() {
        driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        return this;
    }

    /** Emulates the user's preferred colour scheme: {@code "dark"}, {@code "light"}, or {@code ""} to reset. */
    public Browser colorScheme(String scheme) {
        driver.executeCdpCommand(
                "Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
        return this;
    }

    /** The computed value of a CSS property of the element with this id. */
    public String css(String id, String property) {
        return byId(id).getCssValue(property);
    }

    public Object script(String javascript, Object... args) {
        return driver.executeScript(javascript, args);
    }

    /**
     * Saves a PNG of the whole page (not only the viewport) to {@code target/screenshots/NAME.png}
     * and returns its path.
     */
    public Path screenshot(String name) {
        Path dir = screenshotDirectory();
        Path file = dir.resolve(name + ".png");
        Number width = (Number)
                driver.executeScript("return Math.max(document.documentElement.scrollWidth, window.innerWidth)");
        Number height = (Number)
                driver.executeScript("return Math.max(document.documentElement.scrollHeight, window.innerHeight)");
        Map<String, Object> shot = driver.executeCdpCommand(
                "Page.captureScreenshot",
                Map.of(
                        "format",
                        "png",
                        "captureBeyondViewport",
                        true,
                        "clip",
                        Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        try {
            Files.createDirectories(dir);
            Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the screenshot " + file, e);
        }
        return file;
    }

    /** {@code target/screenshots} of the module under test (Maven sets {@code basedir}). */
    public static Path screenshotDirectory() {
        return Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("screenshots");
    }

    /** Adds a WebAuthn virtual authenticator (a software passkey device) to this browser. */
    public VirtualAuthenticator addVirtualAuthenticator(VirtualAuthenticatorOptions options) {
        return driver.addVirtualAuthenticator(options);
    }

    public void removeVirtualAuthenticator(VirtualAuthenticator authenticator) {
        driver.removeVirtualAuthenticator(authenticator);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary profile is harmless
        }
    }
}
