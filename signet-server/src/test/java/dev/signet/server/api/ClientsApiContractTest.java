package dev.signet.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.User;
import dev.signet.server.api.ApiCalls.Answer;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.oidc.CliClient;
import dev.signet.server.oidc.ClientService;
import dev.signet.server.testing.TestDatabases;
import dev.signet.server.testing.TestServer;
import dev.signet.server.token.Scopes;
import dev.signet.server.token.TokenService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/v1/clients} over real HTTP against a real server, on SQLite and on PostgreSQL: the
 * scope, the RFC 7591 field names, the secret shown once at creation and rotation and never again,
 * replacement, deletion, and bad input answered with a stable code and nothing stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClientsApiContractTest {
    static final String PASSWORD = "violet quartz harbour lantern 7319";

    TestServer server;
    ApiCalls api;
    User root;
    String admin;

    abstract TestDatabases.Kind kind();

    /** One server for the class; each test starts with only the built-in client. */
    @BeforeAll
    void start(@TempDir Path dataDir) {
        server = TestServer.start(TestDatabases.settings(kind(), dataDir));
        api = new ApiCalls(server);
        root = bean(SetupService.class).createAdminFromShell("root", null, PASSWORD);
        admin = token(Scopes.CLIENTS_ADMIN);
    }

    @BeforeEach
    void onlyTheBuiltInClient() {
        ClientService clients = bean(ClientService.class);
        clients.list().stream()
                .filter(c -> !c.clientId().equals(CliClient.ID))
                .forEach(c -> clients.delete(c.clientId(), "test"));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    <T> T bean(Class<T> type) {
        return server.running().context().getBean(type);
    }

    String token(String... scopes) {
        return bean(TokenService.class)
                .create(root, "test", Set.of(scopes), Optional.of(Instant.now().plus(Duration.ofDays(1))), "test")
                .secret();
    }

    static Map<String, Object> webApp(String name) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("client_name", name);
        body.put("redirect_uris", List.of("https://wiki.example.com/oidc/callback"));
        body.put("post_logout_redirect_uris", List.of("https://wiki.example.com/"));
        body.put("grant_types", List.of("authorization_code", "refresh_token"));
        body.put("scope", "openid profile email offline_access");
        return body;
    }

    Answer post(Object body) {
        return api.post("/api/v1/clients", admin, ApiCalls.JSON.writeValueAsString(body));
    }

    Answer put(String id, Object body) {
        return api.send(
                "PUT",
                "/api/v1/clients/" + id,
                admin,
                "application/json",
                body instanceof String s ? s : ApiCalls.JSON.writeValueAsString(body));
    }

    @Test
    void createWhenConfidentialThenTheSecretIsInTheCreatedAnswerOnlyAndWorks() {
        Answer created = ok(post(webApp("Wiki")), 201);
        JsonNode c = created.json();
        String id = c.path("client_id").asString();
        String secret = c.path("client_secret").asString();

        assertThat(id).matches("sgc_[A-Za-z0-9_-]{22}");
        assertThat(secret).matches("sgcs_[A-Za-z0-9_-]{43}");
        assertThat(created.headers().firstValue("Location").orElseThrow()).endsWith("/api/v1/clients/" + id);
        assertThat(created.headers().firstValue("Cache-Control").orElseThrow()).contains("no-store");
        assertThat(c.propertyNames())
                .containsExactlyInAnyOrder(
                        "client_id",
                        "client_secret",
                        "client_name",
                        "client_type",
                        "token_endpoint_auth_method",
                        "has_secret",
                        "jwks",
                        "redirect_uris",
                        "post_logout_redirect_uris",
                        "grant_types",
                        "scope",
                        "access_token_ttl",
                        "refresh_token_ttl",
                        "id_token_signed_response_alg",
                        "require_consent",
                        "require_mfa",
                        "backchannel_logout_uri",
                        "enabled",
                        "created_at",
                        "updated_at");
        assertThat(c.path("client_type").asString()).isEqualTo("confidential");
        assertThat(c.path("token_endpoint_auth_method").asString()).isEqualTo("client_secret_basic");
        assertThat(c.path("grant_types").toString()).isEqualTo("[\"authorization_code\",\"refresh_token\"]");
        assertThat(c.path("access_token_ttl").asLong()).isEqualTo(300);
        assertThat(c.path("id_token_signed_response_alg").asString()).isEqualTo("ES256");
        assertThat(c.path("require_consent").asBoolean()).isTrue();

        Answer shown = ok(api.get("/api/v1/clients/" + id, admin), 200);
        assertThat(shown.json().has("client_secret")).isFalse();
        assertThat(shown.json().path("has_secret").asBoolean()).isTrue();
        assertThat(shown.body()).doesNotContain(secret);
        Answer listed = ok(api.get("/api/v1/clients", admin), 200);
        assertThat(registered()).containsExactly(id);
        assertThat(listed.body()).doesNotContain(secret);

        ClientService clients = bean(ClientService.class);
        assertThat(clients.secretMatches(clients.get(id), secret)).isTrue();
        AuditRecord event = bean(AuditLog.class).recent(1, "client.created").getFirst();
        assertThat(event.actor()).isEqualTo("root");
        assertThat(event.subject()).isEqualTo(id);
    }

    @Test
    void createWhenPublicOrPrivateKeyJwtThenNoSecretIsIssued() throws Exception {
        Map<String, Object> spa = webApp("SPA");
        spa.put("client_type", "public");
        spa.put("redirect_uris", List.of("https://spa.example.com/cb", "http://127.0.0.1:8400/cb"));
        Answer created = ok(post(spa), 201);
        assertThat(created.json().has("client_secret")).isFalse();
        assertThat(created.json().path("token_endpoint_auth_method").asString()).isEqualTo("none");

        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("svc-1").generate();
        Map<String, Object> svc = new LinkedHashMap<>();
        svc.put("client_name", "Inventory sync");
        svc.put("token_endpoint_auth_method", "private_key_jwt");
        svc.put("jwks", ApiCalls.JSON.readTree("{\"keys\":[" + key.toPublicJWK().toJSONString() + "]}"));
        svc.put("grant_types", List.of("client_credentials"));
        svc.put("scope", "inventory:read");
        Answer service = ok(post(svc), 201);
        assertThat(service.json().has("client_secret")).isFalse();
        assertThat(service.json().path("client_type").asString()).isEqualTo("confidential");
        assertThat(service.json().path("jwks").path("keys").path(0).path("kid").asString())
                .isEqualTo("svc-1");
        assertThat(service.json().path("jwks").path("keys").path(0).has("d")).isFalse();

        String id = service.json().path("client_id").asString();
        api.post("/api/v1/clients/" + id + "/secret", admin, null).isProblem(400, "client.no_secret");
    }

    @Test
    void createWhenInputIsBadThenAStableCodeAndNothingIsStored() throws Exception {
        long events = bean(AuditLog.class).size();
        ECKey privateKey = new ECKeyGenerator(Curve.P_256).generate();
        Map<String, Map<String, Object>> cases = new LinkedHashMap<>();
        cases.put(
                "client.redirect_uri_invalid",
                with(webApp("a"), "redirect_uris", List.of("http://wiki.example.com/cb")));
        cases.put(
                "client.redirect_uri_invalid#fragment",
                with(webApp("a"), "redirect_uris", List.of("https://a.example/cb#x")));
        cases.put("client.grant_unknown", with(webApp("a"), "grant_types", List.of("implicit")));
        cases.put("client.grant_unknown#password", with(webApp("a"), "grant_types", List.of("password")));
        cases.put(
                "client.auth_invalid",
                with(with(webApp("a"), "client_type", "public"), "token_endpoint_auth_method", "client_secret_post"));
        cases.put("client.jwks_invalid", with(webApp("a"), "token_endpoint_auth_method", "private_key_jwt"));
        cases.put(
                "client.jwks_invalid#private",
                with(
                        with(webApp("a"), "token_endpoint_auth_method", "private_key_jwt"),
                        "jwks",
                        ApiCalls.JSON.readTree("{\"keys\":[" + privateKey.toJSONString() + "]}")));
        cases.put(
                "client.jwks_invalid#garbage",
                with(
                        with(webApp("a"), "token_endpoint_auth_method", "private_key_jwt"),
                        "jwks",
                        ApiCalls.JSON.readTree("{\"keys\":[{\"kty\":\"nope\"}]}")));
        cases.put(
                "request.invalid#jwks_string",
                with(with(webApp("a"), "token_endpoint_auth_method", "private_key_jwt"), "jwks", "{\"keys\":[]}"));
        cases.put("client.jwks_unexpected", with(webApp("a"), "jwks", ApiCalls.JSON.readTree("{\"keys\":[]}")));
        cases.put("client.type_unknown", with(webApp("a"), "client_type", "trusted"));
        cases.put("client.auth_unknown", with(webApp("a"), "token_endpoint_auth_method", "tls_client_auth"));
        cases.put("client.name_invalid", with(webApp("a"), "client_name", " "));
        cases.put("client.scope_invalid", with(webApp("a"), "scope", "openid \"quoted\""));
        cases.put("client.ttl_invalid", with(webApp("a"), "access_token_ttl", 5));
        cases.put("client.ttl_invalid#negative", with(webApp("a"), "refresh_token_ttl", -1));
        cases.put("client.algorithm_unknown", with(webApp("a"), "id_token_signed_response_alg", "HS256"));
        cases.put("client.redirect_uri_missing", with(webApp("a"), "redirect_uris", List.of()));
        cases.put("request.invalid#unknown_field", with(webApp("a"), "client_secret", "mine"));
        cases.put("request.invalid#type", with(webApp("a"), "redirect_uris", "https://wiki.example.com/cb"));
        for (var c : cases.entrySet()) {
            String code = c.getKey().replaceAll("#.*", "");
            post(c.getValue()).isProblem(400, code);
        }
        api.post("/api/v1/clients", admin, "{\"client_name\": ").isProblem(400, "request.malformed");
        api.send("POST", "/api/v1/clients", admin, "text/plain", "x").isProblem(415, "request.unsupported_media_type");

        assertThat(registered()).isEmpty();
        assertThat(bean(AuditLog.class).size()).as("nothing audited either").isEqualTo(events);

        ok(post(webApp("Wiki")), 201);
        post(webApp("WIKI")).isProblem(409, "client.taken");
        assertThat(registered()).hasSize(1);
    }

    @Test
    void updateRotateAndDeleteWhenTheClientExistsThenTheyApplyAndOtherwiseNotFound() {
        JsonNode created = ok(post(webApp("Wiki")), 201).json();
        String id = created.path("client_id").asString();
        String first = created.path("client_secret").asString();

        Map<String, Object> changed =
                with(webApp("Wiki (staging)"), "redirect_uris", List.of("https://staging.example.com/cb"));
        changed.put("require_mfa", true);
        changed.put("enabled", false);
        changed.put("access_token_ttl", 600);
        JsonNode updated = ok(put(id, changed), 200).json();
        assertThat(updated.path("client_name").asString()).isEqualTo("Wiki (staging)");
        assertThat(updated.path("redirect_uris").toString()).isEqualTo("[\"https://staging.example.com/cb\"]");
        assertThat(updated.path("require_mfa").asBoolean()).isTrue();
        assertThat(updated.path("enabled").asBoolean()).isFalse();
        assertThat(updated.path("access_token_ttl").asLong()).isEqualTo(600);
        assertThat(updated.has("client_secret")).isFalse();
        put(id, with(webApp("Wiki"), "redirect_uris", List.of("http://evil.example.com/")))
                .isProblem(400, "client.redirect_uri_invalid");
        assertThat(api.get("/api/v1/clients/" + id, admin)
                        .json()
                        .path("client_name")
                        .asString())
                .isEqualTo("Wiki (staging)");

        Answer rotated = ok(api.post("/api/v1/clients/" + id + "/secret", admin, null), 200);
        String second = rotated.json().path("client_secret").asString();
        assertThat(second).matches("sgcs_[A-Za-z0-9_-]{43}").isNotEqualTo(first);
        assertThat(rotated.headers().firstValue("Cache-Control").orElseThrow()).contains("no-store");
        ClientService clients = bean(ClientService.class);
        assertThat(clients.secretMatches(clients.get(id), first)).isFalse();
        assertThat(clients.secretMatches(clients.get(id), second)).isTrue();

        ok(api.delete("/api/v1/clients/" + id, admin), 204);
        api.get("/api/v1/clients/" + id, admin).isProblem(404, "client.not_found");
        api.delete("/api/v1/clients/" + id, admin).isProblem(404, "client.not_found");
        put(id, webApp("Wiki")).isProblem(404, "client.not_found");
        api.post("/api/v1/clients/" + id + "/secret", admin, null).isProblem(404, "client.not_found");
        assertThat(bean(AuditLog.class).recent(10, null))
                .extracting(AuditRecord::type)
                .contains(
                        "client.created",
                        "client.updated",
                        "client.disabled",
                        "client.secret_rotated",
                        "client.deleted");
    }

    @Test
    void callsWhenTheTokenLacksTheScopeThenRefused() {
        String other = token(Scopes.USERS_READ, Scopes.CA_ADMIN);
        api.get("/api/v1/clients", other).isProblem(403, "auth.insufficient_scope");
        api.post("/api/v1/clients", other, ApiCalls.JSON.writeValueAsString(webApp("Wiki")))
                .isProblem(403, "auth.insufficient_scope");
        assertThat(api.get("/api/v1/clients", null).status()).isEqualTo(401);
        assertThat(registered()).isEmpty();
    }

    /** The ids of the clients registered through the API: all but Signet's own CLI. */
    List<String> registered() {
        List<String> ids = new java.util.ArrayList<>();
        ok(api.get("/api/v1/clients", admin), 200)
                .json()
                .path("clients")
                .forEach(c -> ids.add(c.path("client_id").asString()));
        assertThat(ids).contains(CliClient.ID);
        ids.remove(CliClient.ID);
        return ids;
    }

    static Answer ok(Answer answer, int status) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        return answer;
    }

    static Map<String, Object> with(Map<String, Object> body, String field, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(body);
        copy.put(field, value);
        return copy;
    }
}
