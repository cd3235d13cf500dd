package dev.signet.server.testing;

import dev.signet.server.SignetServer;
import dev.signet.server.config.SignetSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Signet server in this JVM on a free loopback port, with helpers to talk to it over HTTP
 * like a browser would (cookies, CSRF tokens from the forms).
 */
public final class TestServer implements AutoCloseable {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    private final SignetServer.Running running;
    private final ByteArrayOutputStream output;

    private TestServer(SignetServer.Running running, ByteArrayOutputStream output) {
        this.running = running;
        this.output = output;
    }

    public static TestServer start(SignetSettings settings) {
        return start(settings, Clock.systemUTC());
    }

    public static TestServer start(SignetSettings settings, Clock clock) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SignetServer.Running running =
                SignetServer.start(settings, clock, new PrintStream(out, true, StandardCharsets.UTF_8));
        return new TestServer(running, out);
    }

    public SignetServer.Running running() {
        return running;
    }

    public URI base() {
        return running.baseUrl();
    }

    public URI uri(String path) {
        return URI.create(running.baseUrl() + path);
    }

    /** The setup link the server printed at start, if one was printed. */
    public String setupLink() {
        return running.setupLink().orElseThrow(() -> new IllegalStateException("no setup link was printed"));
    }

    public String setupToken() {
        String link = setupLink();
        return link.substring(link.indexOf("token=") + "token=".length());
    }

    public String printed() {
        return output.toString(StandardCharsets.UTF_8);
    }

    /** A client with its own cookie jar that does not follow redirects (tests look at them). */
    public static HttpClient browserLikeClient() {
        return HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public HttpResponse<String> get(HttpClient client, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GETs {@code formPath}, takes the CSRF token from the form, and POSTs {@code form} to {@code postPath}. */
    public HttpResponse<String> submit(HttpClient client, String formPath, String postPath, String form)
            throws Exception {
        String csrf = csrfFrom(get(client, formPath).body());
        return post(client, postPath, form + "&_csrf=" + csrf);
    }

    public HttpResponse<String> post(HttpClient client, String path, String form) throws Exception {
        return client.send(
                HttpRequest.newBuilder(uri(path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("User-Agent", "signet-tests")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public static String csrfFrom(String html) {
        Matcher m = CSRF.matcher(html);
        if (!m.find()) {
            throw new AssertionError("no CSRF token in the page:\n" + html);
        }
        return m.group(1);
    }

    public static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        running.close();
    }
}
