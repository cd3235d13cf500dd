package dev.signet.server.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.Prompt;
import com.nimbusds.openid.connect.sdk.claims.ACR;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import com.sun.net.httpserver.HttpServer;
import dev.signet.core.otp.OtpAlgorithm;
import dev.signet.core.otp.OtpType;
import dev.signet.server.account.User;
import dev.signet.server.factor.OtpService;
import dev.signet.server.testing.Browser;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * An application's sign-in through Signet in a real browser (headless Chromium) from the first
 * redirect to the code exchange: the test is the relying party, with an independent client library
 * (Nimbus OAuth 2.0 SDK with OpenID Connect extensions) building the authorization request (PKCE
 * S256, state, nonce), a real HTTP server on a loopback port receiving the browser at its redirect
 * URI (RFC 8252 section 7.3), and Nimbus exchanging the code and validating the ID token (signature
 * against the JWKS, iss, aud, nonce, exp) before its {@code amr} and {@code acr} are checked. Covered:
 * a sign-in with a TOTP second step (codes from {@code oathtool}, an independent implementation); a
 * sign-in with a passkey (Chrome's virtual authenticator); {@code acr_values} asking for MFA sending
 * a password-only session to the second factor before any code is issued (OpenID Connect Core 1.0
 * section 3.1.2.1); and RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) ending the
 * Signet session. WebAuthn needs a secure context, so Signet is reached as {@code
 * http://localhost:PORT}, its public URL and issuer. Screenshots land in {@code
 * target/screenshots/oidc-*.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OidcBrowserTest {
    private static final DateTimeFormatter OATH_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final ACR MFA = new ACR("urn:signet:acr:mfa");

    final MutableClock clock = MutableClock.startingNow();
    TestServer server;
    OidcKit kit;
    RelyingParty rp;
    OidcKit.Client app;
    User user;
    Browser browser;

    /** One server and one application for the class; each test has its own person and browser. */
    @BeforeAll
    void start(@TempDir Path dataDir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> settings = new HashMap<>(OidcKit.CHEAP);
        settings.put("SIGNET_PORT", Integer.toString(port));
        settings.put("SIGNET_PUBLIC_URL", "http://localhost:" + port);
        server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir, settings), clock);
        kit = new OidcKit(server);
        rp = RelyingParty.start();
        app = kit.register(new ClientService.NewClient(
                "Wiki",
                ClientType.CONFIDENTIAL,
                ClientAuth.CLIENT_SECRET_BASIC,
                null,
                List.of(rp.callback().toString()),
                List.of(rp.signedOut().toString()),
                Set.of(OidcClient.AUTHORIZATION_CODE, OidcClient.REFRESH_TOKEN),
                Set.of("openid", "profile", "email"),
                null,
                null,
                null,
                false,
                false,
                null));
    }

    @BeforeEach
    void newPersonAndBrowser() {
        user = kit.person();
        rp.callbacks.clear();
        rp.signedOut.clear();
        browser = Browser.open(server.base());
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterAll
    void stop() {
        try {
            if (rp != null) {
                rp.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void anApplicationSignsAPersonInWithPasswordAndTotpFromStartToCodeExchange() throws Exception {
        String seed = enrolTotp();
        clock.advance(Duration.ofSeconds(30)); // the enrolment used this step's code

        Flow flow = flow(Map.of());
        browser.go(flow.request().toURI().toString()).waitForPath("/signin");
        assertThat(rp.arrivals())
                .as("nothing reaches the application before the sign-in")
                .isEmpty();
        browser.screenshot("oidc-01-signin-for-application");
        browser.type("username", user.username())
                .type("password", OidcKit.PASSWORD)
                .submit("submit")
                .waitForPath("/signin/factor");
        assertThat(rp.arrivals()).as("no code after the password alone").isEmpty();
        browser.screenshot("oidc-02-totp-step");
        browser.type("code", oathtool(seed, clock.instant())).click("otp-submit");

        URI back = awaitCallback();
        assertThat(browser.text("rp-page")).isEqualTo("Signed in at the application");
        IDTokenClaimsSet id = exchangeAndValidate(flow, back);
        assertThat(id.getSubject().getValue()).isEqualTo(user.id());
        assertThat(id.getAMR()).extracting(Object::toString).containsExactly("pwd", "otp", "mfa");
        assertThat(id.getACR()).isEqualTo(MFA);
        assertThat(id.getAuthenticationTime()).isNotNull();
        assertThat(browser.consoleErrors())
                .as("no CSP violations or script errors")
                .isEmpty();
    }

    @Test
    void anApplicationSignsAPersonInWithAPasskey() throws Exception {
        VirtualAuthenticator authenticator = browser.addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
                .setHasResidentKey(true)
                .setHasUserVerification(true)
                .setIsUserVerified(true));
        // the person adds a passkey on their account page, then signs out
        browser.go("/signin")
                .type("username", user.username())
                .type("password", OidcKit.PASSWORD)
                .submit("submit")
                .waitForPath("/account");
        browser.go("/account/passkeys");
        browser.type("passkey-name", "Laptop").submit("passkey-add").waitForPath("/account/passkeys");
        assertThat(authenticator.getCredentials()).hasSize(1);
        browser.submit("signout").waitForPath("/signin?signedout");

        Flow flow = flow(Map.of());
        browser.go(flow.request().toURI().toString()).waitForPath("/signin");
        browser.click("passkey-signin");

        URI back = awaitCallback();
        browser.screenshot("oidc-03-passkey-signed-in-at-application");
        IDTokenClaimsSet id = exchangeAndValidate(flow, back);
        assertThat(id.getSubject().getValue()).isEqualTo(user.id());
        assertThat(id.getAMR()).extracting(Object::toString).containsExactly("hwk", "mfa");
        assertThat(id.getACR().getValue()).isEqualTo("urn:signet:acr:phishing-resistant");
        assertThat(browser.consoleErrors())
                .as("no CSP violations or script errors")
                .isEmpty();
    }

    @Test
    void acrValuesAskingForMfaSendAPasswordOnlySessionToTheSecondFactorFirst() throws Exception {
        // signed in with the password alone (no second factor enrolled yet): acr pwd
        Flow first = flow(Map.of());
        browser.go(first.request().toURI().toString()).waitForPath("/signin");
        browser.type("username", user.username())
                .type("password", OidcKit.PASSWORD)
                .click("submit");
        IDTokenClaimsSet weak = exchangeAndValidate(first, awaitCallback());
        assertThat(weak.getAMR()).extracting(Object::toString).containsExactly("pwd");
        assertThat(weak.getACR().getValue()).isEqualTo("urn:signet:acr:pwd");

        // the person now has an authenticator; the session is still a password-only one
        String seed = enrolTotp();
        clock.advance(Duration.ofSeconds(30));

        Flow strong = flow(Map.of("acr_values", MFA.getValue()));
        browser.go(strong.request().toURI().toString());
        browser.waitUntil(d -> browser.path().startsWith("/account/step-up") ? Boolean.TRUE : null);
        assertThat(browser.has("step-up-otp")).isTrue();
        assertThat(browser.has("step-up-password"))
                .as("a password cannot make a session MFA")
                .isFalse();
        assertThat(rp.arrivals()).as("no code before the second factor").isEmpty();
        browser.screenshot("oidc-04-step-up-for-acr-mfa");
        browser.type("code", oathtool(seed, clock.instant())).click("step-up-submit");

        IDTokenClaimsSet id = exchangeAndValidate(strong, awaitCallback());
        assertThat(id.getAMR()).extracting(Object::toString).containsExactly("pwd", "otp", "mfa");
        assertThat(id.getACR()).isEqualTo(MFA);
        assertThat(id.getStringClaim("sid"))
                .as("the same single sign-on session, stepped up")
                .isEqualTo(weak.getStringClaim("sid"));
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void rpInitiatedLogoutEndsTheSignetSession() throws Exception {
        Flow flow = flow(Map.of());
        browser.go(flow.request().toURI().toString()).waitForPath("/signin");
        browser.type("username", user.username())
                .type("password", OidcKit.PASSWORD)
                .click("submit");
        OIDCTokenResponse tokens = exchange(flow, awaitCallback());
        validate(tokens.getOIDCTokens().getIDToken(), flow.nonce());
        RefreshToken refresh = tokens.getOIDCTokens().getRefreshToken();
        assertThat(refresh).isNotNull();
        browser.go("/account").waitForPath("/account");

        // the application signs the person out: back to it with its state, the session gone
        State logoutState = new State();
        URI logout = new LogoutRequest(
                        kit.metadata.getEndSessionEndpointURI(),
                        tokens.getOIDCTokens().getIDToken(),
                        rp.signedOut(),
                        logoutState)
                .toURI();
        browser.go(logout.toString());
        URI signedOut = await(rp.signedOut, "the post-logout redirect URI");
        assertThat(OidcKit.query(signedOut.toString())).containsEntry("state", logoutState.getValue());
        browser.screenshot("oidc-05-signed-out-at-application");

        browser.go("/account").waitForPath("/signin");
        // the application's next request needs a new sign-in: no code without one
        Flow again = flow(Map.of());
        browser.go(again.request().toURI().toString()).waitForPath("/signin");
        assertThat(rp.arrivals()).isEmpty();
        // the session's grant is revoked: its refresh token no longer works
        TokenResponse refreshed = TokenResponse.parse(
                new TokenRequest(kit.metadata.getTokenEndpointURI(), app.basic(), new RefreshTokenGrant(refresh))
                        .toHTTPRequest()
                        .send());
        assertThat(refreshed.indicatesSuccess()).isFalse();
        assertThat(((TokenErrorResponse) refreshed).getErrorObject().getCode()).isEqualTo("invalid_grant");
        // and no silent sign-in: prompt=none is answered to the application with login_required
        // (OpenID Connect Core 1.0 section 3.1.2.1), not with a sign-in page
        Flow silent = flow(Map.of("prompt", "none"));
        browser.go(silent.request().toURI().toString());
        Map<String, String> answer = OidcKit.query(awaitCallback().toString());
        assertThat(answer)
                .containsEntry("error", "login_required")
                .containsEntry("state", silent.state().getValue());
        assertThat(answer).doesNotContainKey("code");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    // ---- the relying party ------------------------------------------------------------------------

    record Flow(AuthenticationRequest request, CodeVerifier verifier, State state, Nonce nonce) {}

    /** An authorization request for the application: code, PKCE S256, state, nonce, and {@code extra}. */
    Flow flow(Map<String, String> extra) {
        CodeVerifier verifier = new CodeVerifier();
        State state = new State();
        Nonce nonce = new Nonce();
        AuthenticationRequest.Builder builder = new AuthenticationRequest.Builder(
                        ResponseType.CODE, new Scope("openid", "profile"), app.id(), rp.callback())
                .endpointURI(kit.metadata.getAuthorizationEndpointURI())
                .state(state)
                .nonce(nonce)
                .codeChallenge(verifier, CodeChallengeMethod.S256);
        if (extra.containsKey("acr_values")) {
            builder.acrValues(List.of(new ACR(extra.get("acr_values"))));
        }
        if ("none".equals(extra.get("prompt"))) {
            builder.prompt(new Prompt(Prompt.Type.NONE));
        }
        return new Flow(builder.build(), verifier, state, nonce);
    }

    /** The code the browser brought back, after checking the state; then the token request. */
    OIDCTokenResponse exchange(Flow flow, URI callback) throws Exception {
        Map<String, String> q = OidcKit.query(callback.toString());
        assertThat(q).as(callback.toString()).doesNotContainKey("error");
        assertThat(q.get("state")).isEqualTo(flow.state().getValue());
        if (kit.metadata.supportsAuthorizationResponseIssuerParam()) {
            assertThat(q.get("iss")).as("RFC 9207 issuer").isEqualTo(kit.issuer.getValue());
        }
        TokenResponse response = OIDCTokenResponseParser.parse(new TokenRequest(
                        kit.metadata.getTokenEndpointURI(),
                        app.basic(),
                        new AuthorizationCodeGrant(
                                new AuthorizationCode(q.get("code")), rp.callback(), flow.verifier()))
                .toHTTPRequest()
                .send());
        assertThat(response.indicatesSuccess())
                .as(() -> response.toErrorResponse().getErrorObject().toString())
                .isTrue();
        return (OIDCTokenResponse) response.toSuccessResponse();
    }

    IDTokenClaimsSet exchangeAndValidate(Flow flow, URI callback) throws Exception {
        return validate(exchange(flow, callback).getOIDCTokens().getIDToken(), flow.nonce());
    }

    /** As a relying party must: signature against the JWKS, iss, aud, nonce, exp (Nimbus). */
    IDTokenClaimsSet validate(JWT idToken, Nonce nonce) throws Exception {
        JWKSet jwks = JWKSet.load(kit.metadata.getJWKSetURI().toURL());
        IDTokenValidator validator = new IDTokenValidator(kit.issuer, app.id(), JWSAlgorithm.ES256, jwks);
        // the server's clock moves ahead 30 s for each TOTP step (a minute or so over this class)
        validator.setMaxClockSkew(120);
        return validator.validate(idToken, nonce);
    }

    /**
     * The application's loopback redirect URI, served for real: the browser lands on a page here, and
     * each arrival (path and query) is queued for the test.
     */
    static final class RelyingParty implements AutoCloseable {
        private final HttpServer http;
        private final BlockingQueue<URI> callbacks = new LinkedBlockingQueue<>();
        private final BlockingQueue<URI> signedOut = new LinkedBlockingQueue<>();

        private RelyingParty(HttpServer http) {
            this.http = http;
        }

        static RelyingParty start() throws Exception {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            RelyingParty rp = new RelyingParty(http);
            http.createContext("/callback", exchange -> {
                rp.callbacks.add(exchange.getRequestURI());
                page(exchange, "Signed in at the application");
            });
            http.createContext("/signed-out", exchange -> {
                rp.signedOut.add(exchange.getRequestURI());
                page(exchange, "Signed out of the application");
            });
            http.start();
            return rp;
        }

        private static void page(com.sun.net.httpserver.HttpExchange exchange, String text) throws java.io.IOException {
            // no favicon request (its 404 would be a console error)
            byte[] body = ("<!DOCTYPE html><html lang=\"en\"><head><title>Application</title>"
                            + "<link rel=\"icon\" href=\"data:,\"></head><body>"
                            + "<h1 id=\"rp-page\">" + text + "</h1></body></html>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }

        URI callback() {
            return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/callback");
        }

        URI signedOut() {
            return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/signed-out");
        }

        /** Arrivals at the redirect URI so far, without waiting. */
        List<URI> arrivals() {
            return new ArrayList<>(callbacks);
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    URI awaitCallback() throws InterruptedException {
        return await(rp.callbacks, "the redirect URI");
    }

    /** The next arrival at the application; when none comes, where the browser is and what it logged. */
    private URI await(BlockingQueue<URI> queue, String what) throws InterruptedException {
        URI uri = queue.poll(20, TimeUnit.SECONDS);
        if (uri == null) {
            browser.screenshot("oidc-failed-" + what.replaceAll("[^a-z]+", "-"));
        }
        assertThat(uri)
                .as(() -> "the browser should have reached " + what + "; it is on "
                        + browser.driver().getCurrentUrl() + ", console: " + browser.consoleErrors())
                .isNotNull();
        return uri;
    }

    // ---- factors ----------------------------------------------------------------------------------

    /** Enrols a TOTP authenticator for the user, confirmed with oathtool's code; returns its seed. */
    private String enrolTotp() throws Exception {
        OtpService otp = kit.bean(OtpService.class);
        OtpService.Enrolment enrolment = otp.start(user, "Phone", OtpType.TOTP, OtpAlgorithm.SHA1, 6);
        otp.confirm(user, enrolment.device().id(), oathtool(enrolment.secret(), clock.instant()));
        return enrolment.secret();
    }

    /** The code oathtool computes for the base32 seed at {@code at} (seed on stdin, never on the command line). */
    static String oathtool(String base32, Instant at) throws Exception {
        Path binary = Path.of("/usr/bin/oathtool");
        if (!Files.isExecutable(binary)) {
            throw new AssertionError("oathtool is missing: apt-get install oathtool (bash .ci/run installs it)");
        }
        Process process = new ProcessBuilder(
                        binary.toString(), "--totp", "--base32", "--now=" + OATH_TIME.format(at) + " UTC", "-")
                .redirectErrorStream(true)
                .start();
        try (Writer stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII)) {
            stdin.write(base32 + "\n");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
