package dev.signet.server.oidc;

import static dev.signet.server.oidc.OidcKit.location;
import static dev.signet.server.testing.TestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import com.nimbusds.openid.connect.sdk.validators.LogoutTokenValidator;
import com.sun.net.httpserver.HttpServer;
import dev.signet.core.otp.OneTimePasswords;
import dev.signet.core.otp.OtpAlgorithm;
import dev.signet.core.otp.OtpParams;
import dev.signet.core.otp.OtpSeed;
import dev.signet.core.otp.OtpType;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.factor.OtpService;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import dev.signet.server.token.Scopes;
import dev.signet.server.token.TokenService;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an OpenID Connect sign-in says about the session and how sessions end, over HTTP on SQLite:
 * second factor and step-up before a code ({@code acr_values}, {@code max_age}, {@code prompt}, a
 * client that requires MFA), consent and the account's Applications page, RP-initiated and console
 * logout with back-channel logout tokens (checked with Nimbus's LogoutTokenValidator), key rotation
 * with the old key kept in the JWKS, RS256 and EdDSA ID tokens, and an expired code (the server's
 * clock moved on).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SqliteOidcSessionsTest {
    final MutableClock clock = MutableClock.startingNow();
    TestServer server;
    OidcKit kit;
    HttpServer backchannel;
    final BlockingQueue<String> logoutTokens = new LinkedBlockingQueue<>();

    @BeforeAll
    void start(@TempDir Path dataDir) throws Exception {
        server = TestServer.start(TestDatabases.settings(TestDatabases.Kind.SQLITE, dataDir, OidcKit.CHEAP), clock);
        kit = new OidcKit(server);
        backchannel = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backchannel.createContext("/backchannel", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (body.startsWith("logout_token=")) {
                logoutTokens.add(URLDecoder.decode(body.substring("logout_token=".length()), StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        backchannel.start();
    }

    @AfterAll
    void stop() {
        if (backchannel != null) {
            backchannel.stop(0);
        }
        if (server != null) {
            server.close();
        }
    }

    String backchannelUri() {
        return "http://127.0.0.1:" + backchannel.getAddress().getPort() + "/backchannel";
    }

    // ---- second factor, step-up, assurance -------------------------------------------------------

    /** Enrols a TOTP authenticator for {@code user}; the code of the current step is used up by it. */
    OtpSeed enrolOtp(User user) {
        OtpService otp = kit.bean(OtpService.class);
        OtpService.Enrolment enrolment = otp.start(user, "phone", OtpType.TOTP, OtpAlgorithm.SHA1, 6);
        OtpSeed seed = OtpSeed.fromBase32(enrolment.secret());
        otp.confirm(user, enrolment.device().id(), code(seed));
        return seed;
    }

    /** The code of the current step, after moving the clock on a step (each code is accepted once). */
    String nextCode(OtpSeed seed) {
        clock.advance(Duration.ofSeconds(30));
        return code(seed);
    }

    String code(OtpSeed seed) {
        return OneTimePasswords.generate(
                OtpParams.totpDefault(), seed, clock.instant().getEpochSecond() / 30);
    }

    @Test
    @Order(1)
    void acrValuesAskingForMfaSendAPasswordOnlySessionToTheSecondFactorFirst() throws Exception {
        OidcKit.Client app = kit.webApp();
        User alice = kit.person();
        HttpClient browser = OidcKit.browser();
        OidcKit.Flow plain = kit.flow(app.id(), "openid", Map.of());
        IDTokenClaimsSet first = idToken(app, plain, kit.signInAndAuthorize(browser, alice, plain));
        assertThat(first.getACR().getValue()).isEqualTo("urn:signet:acr:pwd");

        OtpSeed seed = enrolOtp(alice);
        OidcKit.Flow strong = kit.flow(app.id(), "openid", Map.of("acr_values", "urn:signet:acr:mfa"));
        HttpResponse<String> asked = kit.get(browser, strong.request().toURI().toString());
        assertThat(location(asked)).endsWith("/account/step-up?next=" + OidcContinuation.PATH);
        assertThat(OidcKit.query(location(asked))).doesNotContainKey("code");
        HttpResponse<String> stepped =
                server.submit(browser, kit.local(location(asked)), "/account/step-up", "code=" + nextCode(seed));
        assertThat(location(stepped)).endsWith(OidcContinuation.PATH);
        IDTokenClaimsSet second = idToken(app, strong, OidcKit.code(kit.follow(browser, stepped), strong));
        assertThat(second.getAMR()).extracting(Object::toString).containsExactly("pwd", "otp", "mfa");
        assertThat(second.getACR().getValue()).isEqualTo("urn:signet:acr:mfa");
        assertThat(second.getStringClaim("sid")).isEqualTo(first.getStringClaim("sid"));
    }

    @Test
    @Order(2)
    void aHalfDoneSignInGetsNoCodeUntilItsSecondFactor() throws Exception {
        OidcKit.Client app = kit.webApp();
        User bob = kit.person();
        OtpSeed seed = enrolOtp(bob);
        HttpClient browser = OidcKit.browser();
        OidcKit.Flow flow = kit.flow(app.id(), "openid", Map.of());
        assertThat(location(kit.get(browser, flow.request().toURI().toString())))
                .endsWith("/signin");
        HttpResponse<String> password = kit.signIn(browser, bob);
        assertThat(location(password)).endsWith("/signin/factor");

        // password only: the application's request leads back to the second step, not to a code
        HttpResponse<String> early = kit.get(browser, flow.request().toURI().toString());
        assertThat(location(early)).endsWith("/signin/factor");

        HttpResponse<String> factor =
                server.submit(browser, "/signin/factor", "/signin/factor/otp", "code=" + nextCode(seed));
        assertThat(location(factor)).endsWith(OidcContinuation.PATH);
        IDTokenClaimsSet id = idToken(app, flow, OidcKit.code(kit.follow(browser, factor), flow));
        assertThat(id.getAMR()).extracting(Object::toString).containsExactly("pwd", "otp", "mfa");
    }

    @Test
    @Order(3)
    void aClientThatRequiresMfaGetsNoCodeForAUserWithoutASecondFactor() throws Exception {
        OidcKit.Client app = kit.webApp(false, true, "ES256", null);
        User carol = kit.person();
        HttpClient browser = OidcKit.browser();
        OidcKit.Flow flow = kit.flow(app.id(), "openid", Map.of());
        kit.get(browser, flow.request().toURI().toString());
        HttpResponse<String> unmet = kit.follow(browser, kit.signIn(browser, carol));
        assertThat(unmet.statusCode()).isEqualTo(403);
        assertThat(unmet.body()).contains("id=\"unmet\"").contains(app.client().name());
        assertThat(unmet.headers().firstValue("Location")).isEmpty();

        // with prompt=none the client hears it instead, with no page shown
        OidcKit.Flow silent = kit.flow(app.id(), "openid", Map.of("prompt", "none"));
        HttpResponse<String> refused = kit.get(browser, silent.request().toURI().toString());
        assertThat(location(refused)).startsWith(OidcKit.REDIRECT);
        assertThat(OidcKit.query(location(refused)))
                .containsEntry("error", "interaction_required")
                .containsEntry("state", silent.state().getValue())
                .doesNotContainKey("code");
    }

    @Test
    @Order(4)
    void promptLoginAndMaxAgeAskForAFreshAuthentication() throws Exception {
        OidcKit.Client app = kit.webApp();
        User dave = kit.person();
        HttpClient browser = OidcKit.browser();
        OidcKit.Flow flow = kit.flow(app.id(), "openid", Map.of());
        IDTokenClaimsSet first = idToken(app, flow, kit.signInAndAuthorize(browser, dave, flow));

        clock.advance(Duration.ofMinutes(2));
        OidcKit.Flow fresh = kit.flow(app.id(), "openid", Map.of("max_age", "60"));
        HttpResponse<String> asked = kit.get(browser, fresh.request().toURI().toString());
        assertThat(location(asked)).endsWith("/account/step-up?next=" + OidcContinuation.PATH);
        HttpResponse<String> again = server.submit(
                browser, kit.local(location(asked)), "/account/step-up", "password=" + enc(OidcKit.PASSWORD));
        IDTokenClaimsSet second = idToken(app, fresh, OidcKit.code(kit.follow(browser, again), fresh));
        assertThat(second.getAuthenticationTime()).isAfter(first.getAuthenticationTime());

        // prompt=login right after: a new authentication again (the one just made does not count)
        OidcKit.Flow login = kit.flow(app.id(), "openid", Map.of("prompt", "login"));
        assertThat(location(kit.get(browser, login.request().toURI().toString())))
                .endsWith("/account/step-up?next=" + OidcContinuation.PATH);

        // a max_age that is not a number is refused to the client
        OidcKit.Flow bad = kit.flow(app.id(), "openid", Map.of("max_age", "soon"));
        assertThat(OidcKit.query(location(kit.get(browser, bad.request().toURI().toString()))))
                .containsEntry("error", "invalid_request");
    }

    @Test
    @Order(5)
    void aDeviceApprovalForAClientThatRequiresMfaStepsUpFirst() throws Exception {
        OidcKit.Client cli = kit.register(new ClientService.NewClient(
                "Strict CLI",
                ClientType.PUBLIC,
                ClientAuth.NONE,
                null,
                java.util.List.of(),
                java.util.List.of(),
                Set.of(OidcClient.DEVICE_CODE),
                Set.of("profile"),
                null,
                null,
                null,
                false,
                true,
                null));
        User judy = kit.person();
        HttpClient browser = OidcKit.browser();
        kit.signIn(browser, judy);
        OtpSeed seed = enrolOtp(judy);
        var device = com.nimbusds.oauth2.sdk.device.DeviceAuthorizationResponse.parse(
                        new com.nimbusds.oauth2.sdk.device.DeviceAuthorizationRequest(
                                        kit.metadata.getDeviceAuthorizationEndpointURI(),
                                        cli.id(),
                                        new com.nimbusds.oauth2.sdk.Scope("profile"))
                                .toHTTPRequest()
                                .send())
                .toSuccessResponse();
        String userCode = device.getUserCode().getValue();
        HttpResponse<String> approve =
                server.submit(browser, "/device?user_code=" + enc(userCode), "/device", "user_code=" + enc(userCode));
        HttpResponse<String> stepUp = kit.get(browser, location(approve));
        assertThat(location(stepUp)).endsWith("/account/step-up?next=" + OidcContinuation.PATH);
        HttpResponse<String> stepped =
                server.submit(browser, kit.local(location(stepUp)), "/account/step-up", "code=" + nextCode(seed));
        HttpResponse<String> back = kit.follow(browser, stepped);
        assertThat(back.body()).contains("id=\"device-form\"").contains(userCode);
        HttpResponse<String> consent =
                kit.follow(browser, server.submit(browser, "/device", "/device", "user_code=" + enc(userCode)));
        assertThat(kit.allow(browser, consent, "profile").body()).contains("the device is signed in");
    }

    // ---- consent and the Applications page ------------------------------------------------------

    @Test
    @Order(6)
    void consentIsAskedOnceAndRevokingAnApplicationEndsItsTokens() throws Exception {
        OidcKit.Client app = kit.webApp(true, false, "ES256", null);
        User erin = kit.person();
        HttpClient browser = OidcKit.browser();
        OidcKit.Flow flow = kit.flow(app.id(), "openid profile email offline_access", Map.of());
        kit.get(browser, flow.request().toURI().toString());
        HttpResponse<String> consent = kit.follow(browser, kit.signIn(browser, erin));
        assertThat(consent.body())
                .contains("id=\"consent-form\"")
                .contains(app.client().name());
        HttpResponse<String> redirect = kit.allow(browser, consent, "profile", "email", "offline_access");
        OIDCTokens tokens =
                kit.exchange(flow, OidcKit.code(redirect, flow), app.basic()).getOIDCTokens();

        // asked once: the next request goes straight back with a code
        OidcKit.Flow again = kit.flow(app.id(), "openid profile", Map.of());
        OidcKit.code(kit.authorize(browser, again), again);

        HttpResponse<String> page = kit.get(browser, "/account/applications");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("id=\"application-" + app.client().clientId() + "\"")
                .contains(app.client().name())
                .contains("id=\"offline-" + app.client().clientId() + "\"");
        assertThat(active(app.basic(), tokens.getRefreshToken().getValue())).isTrue();

        HttpResponse<String> revoked = server.submit(
                browser,
                "/account/applications",
                "/account/applications/" + app.client().clientId() + "/revoke",
                "");
        assertThat(location(revoked)).endsWith("/account/applications");
        assertThat(active(app.basic(), tokens.getRefreshToken().getValue())).isFalse();
        assertThat(active(app.basic(), tokens.getAccessToken().getValue())).isFalse();
        assertThat(kit.get(browser, "/account/applications").body())
                .doesNotContain("id=\"application-" + app.client().clientId() + "\"");
        OidcKit.Flow afterwards = kit.flow(app.id(), "openid profile", Map.of());
        assertThat(kit.authorize(browser, afterwards).body()).contains("id=\"consent-form\"");
    }

    // ---- logout --------------------------------------------------------------------------------

    @Test
    @Order(7)
    void rpInitiatedLogoutEndsTheSessionAndTellsTheClientsOfIt() throws Exception {
        logoutTokens.clear();
        OidcKit.Client app = kit.webApp(false, false, "ES256", backchannelUri());
        User frank = kit.person();
        HttpClient browser = OidcKit.browser();
        OidcKit.Flow flow = kit.flow(app.id(), "openid profile", Map.of());
        OIDCTokens tokens = kit.exchange(flow, kit.signInAndAuthorize(browser, frank, flow), app.basic())
                .getOIDCTokens();
        IDTokenClaimsSet id = kit.validate(tokens.getIDToken(), app.id(), flow.nonce(), JWSAlgorithm.ES256);

        State state = new State();
        LogoutRequest logout = new LogoutRequest(
                kit.metadata.getEndSessionEndpointURI(),
                tokens.getIDToken(),
                URI.create("http://127.0.0.1:9/signed-out"),
                state);
        HttpResponse<String> out = kit.get(browser, logout.toURI().toString());
        assertThat(location(out)).startsWith("http://127.0.0.1:9/signed-out");
        assertThat(OidcKit.query(location(out))).containsEntry("state", state.getValue());
        assertThat(location(kit.get(browser, "/account"))).endsWith("/signin");

        LogoutTokenClaimsSet claims = logoutToken(app, JWSAlgorithm.ES256);
        assertThat(claims.getSessionID().getValue()).isEqualTo(id.getStringClaim("sid"));
        assertThat(claims.getSubject().getValue()).isEqualTo(frank.id());
        // the session's online grant ended with it
        assertThat(active(app.basic(), tokens.getRefreshToken().getValue())).isFalse();

        // an unregistered post-logout URI is not redirected to
        HttpClient other = OidcKit.browser();
        OidcKit.Flow second = kit.flow(app.id(), "openid", Map.of());
        OIDCTokens more = kit.exchange(second, kit.signInAndAuthorize(other, frank, second), app.basic())
                .getOIDCTokens();
        HttpResponse<String> evil = kit.get(
                other,
                new LogoutRequest(
                                kit.metadata.getEndSessionEndpointURI(),
                                more.getIDToken(),
                                URI.create("https://evil.example/"),
                                state)
                        .toURI()
                        .toString());
        assertThat(location(evil)).doesNotContain("evil.example");
    }

    @Test
    @Order(8)
    void signingOutOfTheConsoleTellsTheApplicationsSignedInThroughIt() throws Exception {
        logoutTokens.clear();
        OidcKit.Client app = kit.webApp(false, false, "ES256", backchannelUri());
        User grace = kit.person();
        HttpClient browser = OidcKit.browser();
        OidcKit.Flow flow = kit.flow(app.id(), "openid offline_access", Map.of());
        OIDCTokens tokens = kit.exchange(flow, kit.signInAndAuthorize(browser, grace, flow), app.basic())
                .getOIDCTokens();
        String sid = kit.validate(tokens.getIDToken(), app.id(), flow.nonce(), JWSAlgorithm.ES256)
                .getStringClaim("sid");

        HttpResponse<String> out = server.submit(browser, "/account", "/signout", "");
        assertThat(location(out)).endsWith("/signin?signedout");
        assertThat(logoutToken(app, JWSAlgorithm.ES256).getSessionID().getValue())
                .isEqualTo(sid);
        // offline access outlives the browser session
        assertThat(active(app.basic(), tokens.getRefreshToken().getValue())).isTrue();
    }

    // ---- keys and algorithms ------------------------------------------------------------------------

    @Test
    @Order(9)
    void rotatingKeysKeepsTheOldPublicKeyUntilItsTokensExpire() throws Exception {
        OidcKit.Client app = kit.webApp();
        User henry = kit.person();
        HttpClient browser = OidcKit.browser();
        OidcKit.Flow flow = kit.flow(app.id(), "openid", Map.of());
        OIDCTokens before = kit.exchange(flow, kit.signInAndAuthorize(browser, henry, flow), app.basic())
                .getOIDCTokens();
        String oldKid = ((SignedJWT) before.getIDToken()).getHeader().getKeyID();

        User root = kit.bean(UserRepository.class).byUsername("root").orElseThrow();
        String admin = kit.bean(TokenService.class)
                .create(
                        root,
                        "keys",
                        Set.of(Scopes.CLIENTS_ADMIN),
                        Optional.of(Instant.now().plusSeconds(3600)),
                        "test")
                .secret();
        String weak = kit.bean(TokenService.class)
                .create(root, "weak", Set.of(Scopes.USERS_READ), Optional.empty(), "test")
                .secret();
        assertThat(rotate(weak).statusCode()).isEqualTo(403);
        HttpResponse<String> rotated = rotate(admin);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        java.util.regex.Matcher kid =
                java.util.regex.Pattern.compile("\"rotated\":\\[\"([^\"]+)\"").matcher(rotated.body());
        assertThat(kid.find()).as(rotated.body()).isTrue();
        String newKid = kid.group(1);
        assertThat(newKid).isNotEqualTo(oldKid);

        JWKSet jwks = JWKSet.load(kit.metadata.getJWKSetURI().toURL());
        assertThat(jwks.getKeys()).extracting(JWK::getKeyID).contains(oldKid, newKid);
        // the token signed before still validates; new ones use the new key
        kit.validate(before.getIDToken(), app.id(), flow.nonce(), JWSAlgorithm.ES256);
        OidcKit.Flow after = kit.flow(app.id(), "openid", Map.of());
        OIDCTokens now = kit.exchange(after, OidcKit.code(kit.authorize(browser, after), after), app.basic())
                .getOIDCTokens();
        assertThat(((SignedJWT) now.getIDToken()).getHeader().getKeyID()).isEqualTo(newKid);
        kit.validate(now.getIDToken(), app.id(), after.nonce(), JWSAlgorithm.ES256);
        assertThat(active(app.basic(), before.getAccessToken().getValue())).isTrue();
    }

    @Test
    @Order(10)
    void idTokensCanBeSignedWithRs256OrEdDsaPerClient() throws Exception {
        User ivy = kit.person();
        HttpClient browser = OidcKit.browser();
        OidcKit.Client rsa = kit.webApp(false, false, "RS256", null);
        OidcKit.Flow flow = kit.flow(rsa.id(), "openid", Map.of());
        OIDCTokens tokens = kit.exchange(flow, kit.signInAndAuthorize(browser, ivy, flow), rsa.basic())
                .getOIDCTokens();
        assertThat(((SignedJWT) tokens.getIDToken()).getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        kit.validate(tokens.getIDToken(), rsa.id(), flow.nonce(), JWSAlgorithm.RS256);
        // access tokens stay ES256
        assertThat(SignedJWT.parse(tokens.getAccessToken().getValue())
                        .getHeader()
                        .getAlgorithm())
                .isEqualTo(JWSAlgorithm.ES256);

        OidcKit.Client ed = kit.webApp(false, false, "EdDSA", null);
        OidcKit.Flow edFlow = kit.flow(ed.id(), "openid", Map.of());
        SignedJWT edToken =
                (SignedJWT) kit.exchange(edFlow, OidcKit.code(kit.authorize(browser, edFlow), edFlow), ed.basic())
                        .getOIDCTokens()
                        .getIDToken();
        assertThat(edToken.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.EdDSA);
        // verified with the JDK's own Ed25519 against the published key (Nimbus's verifier needs Tink)
        OctetKeyPair key =
                (OctetKeyPair) JWKSet.load(kit.metadata.getJWKSetURI().toURL())
                        .getKeyByKeyId(edToken.getHeader().getKeyID());
        PublicKey publicKey = KeyFactory.getInstance("Ed25519")
                .generatePublic(new X509EncodedKeySpec(new SubjectPublicKeyInfo(
                                new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                                key.getX().decode())
                        .getEncoded()));
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(publicKey);
        verifier.update(edToken.getSigningInput());
        assertThat(verifier.verify(edToken.getSignature().decode())).isTrue();
        assertThat(edToken.getJWTClaimsSet().getIssuer())
                .isEqualTo(server.base().toString());
        assertThat(edToken.getJWTClaimsSet().getAudience())
                .containsExactly(ed.client().clientId());
        assertThat(edToken.getJWTClaimsSet().getStringClaim("nonce"))
                .isEqualTo(edFlow.nonce().getValue());
        assertThat(edToken.getJWTClaimsSet().getExpirationTime())
                .isAfter(edToken.getJWTClaimsSet().getIssueTime());
    }

    // ---- last: the clock moves on --------------------------------------------------------------------

    @Test
    @Order(100)
    void anExpiredCodeIsRefused() throws Exception {
        OidcKit.Client app = kit.webApp();
        OidcKit.Flow flow = kit.flow(app.id(), "openid", Map.of());
        AuthorizationCode code = kit.signInAndAuthorize(OidcKit.browser(), kit.person(), flow);
        clock.advance(Duration.ofMinutes(6));
        TokenResponse refused = TokenResponse.parse(new TokenRequest(
                        kit.metadata.getTokenEndpointURI(),
                        app.basic(),
                        new AuthorizationCodeGrant(code, URI.create(OidcKit.REDIRECT), flow.verifier()))
                .toHTTPRequest()
                .send());
        assertThat(refused.indicatesSuccess()).isFalse();
        assertThat(refused.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    IDTokenClaimsSet idToken(OidcKit.Client app, OidcKit.Flow flow, AuthorizationCode code) throws Exception {
        OIDCTokens tokens = kit.exchange(flow, code, app.basic()).getOIDCTokens();
        return kit.validate(tokens.getIDToken(), app.id(), flow.nonce(), JWSAlgorithm.ES256);
    }

    HttpResponse<String> rotate(String apiToken) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(server.uri("/api/v1/oidc/keys/rotate"))
                                .header("Authorization", "Bearer " + apiToken)
                                .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    LogoutTokenClaimsSet logoutToken(OidcKit.Client app, JWSAlgorithm alg) throws Exception {
        String token = logoutTokens.poll(10, TimeUnit.SECONDS);
        assertThat(token).as("a logout token is posted to the client").isNotNull();
        LogoutTokenValidator validator = new LogoutTokenValidator(
                kit.issuer,
                app.id(),
                alg,
                JWKSet.load(kit.metadata.getJWKSetURI().toURL()));
        validator.setMaxClockSkew(3600);
        return validator.validate(JWTParser.parse(token));
    }

    boolean active(ClientAuthentication auth, String token) throws Exception {
        TokenIntrospectionResponse response = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(
                        kit.metadata.getIntrospectionEndpointURI(), auth, new BearerAccessToken(token))
                .toHTTPRequest()
                .send());
        return response.toSuccessResponse().isActive();
    }
}
