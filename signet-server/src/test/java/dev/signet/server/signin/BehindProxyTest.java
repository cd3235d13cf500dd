package dev.signet.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code SIGNET_TRUST_PROXY=true}, a TLS-terminating proxy on a private or loopback address
 * that sends {@code X-Forwarded-Proto: https} makes the session cookie Secure, and {@code
 * X-Forwarded-For} names the client; without the setting, both headers are ignored.
 */
class BehindProxyTest {
    @TempDir
    Path dataDir;

    @Test
    void sessionCookieWhenTrustedProxySaysHttpsThenSecureAndClientAddressFromForwardedFor() throws Exception {
        try (TestServer server = TestServer.start(
                TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir, Map.of("SIGNET_TRUST_PROXY", "true")))) {
            HttpClient client = TestServer.browserLikeClient();
            HttpResponse<String> form = get(server, client);
            assertThat(form.headers().allValues("Set-Cookie"))
                    .anySatisfy(c -> assertThat(c).startsWith("SIGNET_SESSION=").contains("; Secure"));
            // The Secure cookie is not sent back over plain HTTP by a cookie jar: carry it by hand, as
            // the proxy's TLS side would.
            String cookie = form.headers().allValues("Set-Cookie").stream()
                    .filter(c -> c.startsWith("SIGNET_SESSION="))
                    .map(c -> c.substring(0, c.indexOf(';')))
                    .findFirst()
                    .orElseThrow();
            HttpResponse<String> r = client.send(
                    HttpRequest.newBuilder(server.uri("/signin"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .header("X-Forwarded-Proto", "https")
                            .header("X-Forwarded-For", "203.0.113.9")
                            .header("Cookie", cookie)
                            .POST(HttpRequest.BodyPublishers.ofString("username=alice&password=wrong&_csrf="
                                    + TestServer.enc(TestServer.csrfFrom(form.body()))))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.headers().firstValue("Location").orElseThrow())
                    .startsWith("https://")
                    .endsWith("/signin?error");
            assertThat(server.running().context().getBean(AuditLog.class).recent(5, "auth.sign_in"))
                    .extracting(AuditRecord::ip)
                    .containsExactly("203.0.113.9");
        }
    }

    @Test
    void sessionCookieWhenProxyNotTrustedThenForwardedHeadersIgnored() throws Exception {
        try (TestServer server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir))) {
            HttpClient client = TestServer.browserLikeClient();
            HttpResponse<String> form = get(server, client);
            assertThat(form.headers().allValues("Set-Cookie"))
                    .anySatisfy(c -> assertThat(c).startsWith("SIGNET_SESSION=").doesNotContain("Secure"));
            postWrongPassword(server, client, TestServer.csrfFrom(form.body()));
            assertThat(server.running().context().getBean(AuditLog.class).recent(5, "auth.sign_in"))
                    .extracting(AuditRecord::ip)
                    .containsExactly("127.0.0.1");
        }
    }

    private static HttpResponse<String> get(TestServer server, HttpClient client) throws Exception {
        return client.send(
                HttpRequest.newBuilder(server.uri("/signin"))
                        .header("X-Forwarded-Proto", "https")
                        .header("X-Forwarded-For", "203.0.113.9")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void postWrongPassword(TestServer server, HttpClient client, String csrf) throws Exception {
        client.send(
                HttpRequest.newBuilder(server.uri("/signin"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("X-Forwarded-Proto", "https")
                        .header("X-Forwarded-For", "203.0.113.9")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "username=alice&password=wrong&_csrf=" + TestServer.enc(csrf)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
