package dev.signet.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.signet.server.oidc.ClientAuth;
import dev.signet.server.oidc.ClientException;
import dev.signet.server.oidc.ClientService;
import dev.signet.server.oidc.ClientType;
import dev.signet.server.oidc.OidcClient;
import dev.signet.server.signin.SignetPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /api/v1/clients}: the OpenID Connect client registry (scope {@code clients:admin}, see {@code
 * web.SecurityConfig}). Fields carry the names of OAuth 2.0 Dynamic Client Registration (RFC 7591 §2)
 * and OpenID Connect Dynamic Client Registration 1.0 §2 where those define one ({@code client_name},
 * {@code token_endpoint_auth_method}, {@code redirect_uris}, {@code grant_types}, {@code scope}, {@code
 * jwks}, {@code id_token_signed_response_alg}, ...), so they read as every OAuth developer expects.
 *
 * <p>A client's secret appears in exactly two answers: the one that creates the client and the one
 * that rotates the secret ({@code client_secret}, with {@code Cache-Control: no-store}). The rules
 * are {@link ClientService}'s; the token's owner is the actor in the audit trail.
 */
@RestController
@RequestMapping(path = "/api/v1/clients", produces = MediaType.APPLICATION_JSON_VALUE)
class ClientsApi {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * A client to create, or what an existing one becomes (PUT replaces it whole). Defaults: {@code
     * token_endpoint_auth_method} {@code client_secret_basic} (RFC 7591 §2), {@code none} when {@code
     * client_type} is {@code public}; {@code client_type} follows the method ({@code none}: public);
     * {@code grant_types} {@code ["authorization_code"]}; lifetimes (seconds) 300 and 2,592,000;
     * {@code id_token_signed_response_alg} ES256; {@code require_consent} true; {@code require_mfa}
     * false; {@code enabled} true.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ClientRequest(
            String clientName,
            String clientType,
            String tokenEndpointAuthMethod,
            JsonNode jwks,
            List<String> redirectUris,
            List<String> postLogoutRedirectUris,
            List<String> grantTypes,
            String scope,
            Long accessTokenTtl,
            Long refreshTokenTtl,
            String idTokenSignedResponseAlg,
            Boolean requireConsent,
            Boolean requireMfa,
            String backchannelLogoutUri,
            Boolean enabled) {}

    /** A registered client: never its secret, only whether it has one. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ClientView(
            String clientId,
            String clientName,
            String clientType,
            String tokenEndpointAuthMethod,
            boolean hasSecret,
            JsonNode jwks,
            List<String> redirectUris,
            List<String> postLogoutRedirectUris,
            List<String> grantTypes,
            String scope,
            long accessTokenTtl,
            long refreshTokenTtl,
            String idTokenSignedResponseAlg,
            boolean requireConsent,
            boolean requireMfa,
            String backchannelLogoutUri,
            boolean enabled,
            String createdAt,
            String updatedAt) {
        static ClientView of(OidcClient c) {
            return new ClientView(
                    c.clientId(),
                    c.name(),
                    c.type().id(),
                    c.auth().id(),
                    c.hasSecret(),
                    c.jwks() == null ? null : JSON.readTree(c.jwks()),
                    c.redirectUris(),
                    c.postLogoutRedirectUris(),
                    List.copyOf(c.grantTypes()),
                    String.join(" ", c.scopes()),
                    c.accessTokenTtl().toSeconds(),
                    c.refreshTokenTtl().toSeconds(),
                    c.idTokenAlgorithm(),
                    c.consent(),
                    c.requireMfa(),
                    c.backchannelLogoutUri(),
                    c.enabled(),
                    Views.iso(c.createdAt()),
                    Views.iso(c.updatedAt()));
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ClientList(List<ClientView> clients) {}

    /** A client with its secret, shown this once (absent for clients without one). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ClientWithSecret(
            @JsonUnwrapped ClientView client,
            @JsonInclude(JsonInclude.Include.NON_NULL) String clientSecret) {
        static ClientWithSecret of(ClientService.Created created) {
            return new ClientWithSecret(ClientView.of(created.client()), created.secret());
        }

        @Override
        public String toString() {
            return "ClientWithSecret[" + client.clientId() + ", secret redacted]";
        }
    }

    private final ClientService clients;

    ClientsApi(ClientService clients) {
        this.clients = clients;
    }

    @GetMapping
    ClientList list() {
        return new ClientList(clients.list().stream().map(ClientView::of).toList());
    }

    @GetMapping("/{id}")
    ClientView show(@PathVariable("id") String id) {
        return ClientView.of(clients.get(id));
    }

    /** Registers a client: 201 with its id and, for a client with a secret method, the secret (once). */
    @PostMapping
    ResponseEntity<ClientWithSecret> create(
            @JsonBody ClientRequest body, @AuthenticationPrincipal SignetPrincipal me, HttpServletRequest request) {
        ClientService.Created created = clients.create(toNew(body), me.username());
        if (Boolean.FALSE.equals(body.enabled())) {
            created = new ClientService.Created(
                    clients.setEnabled(created.client().clientId(), false, me.username()), created.secret());
        }
        return ResponseEntity.created(URI.create(request.getContextPath() + "/api/v1/clients/"
                        + created.client().clientId()))
                .cacheControl(CacheControl.noStore())
                .body(ClientWithSecret.of(created));
    }

    /** Replaces the client's settings; its id and secret stay. */
    @PutMapping("/{id}")
    ClientView update(
            @PathVariable("id") String id, @JsonBody ClientRequest body, @AuthenticationPrincipal SignetPrincipal me) {
        clients.get(id);
        OidcClient updated = clients.update(id, toNew(body), me.username());
        if (body.enabled() != null && body.enabled() != updated.enabled()) {
            updated = clients.setEnabled(id, body.enabled(), me.username());
        }
        return ClientView.of(updated);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable("id") String id, @AuthenticationPrincipal SignetPrincipal me) {
        clients.delete(id, me.username());
        return ResponseEntity.noContent().build();
    }

    /** A new secret, shown this once; the old one stops working at once. */
    @PostMapping("/{id}/secret")
    ResponseEntity<ClientWithSecret> rotateSecret(
            @PathVariable("id") String id, @AuthenticationPrincipal SignetPrincipal me) {
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .body(ClientWithSecret.of(clients.rotateSecret(id, me.username())));
    }

    private static ClientService.NewClient toNew(ClientRequest b) {
        ClientType type = b.clientType() == null
                ? null
                : ClientType.byId(b.clientType())
                        .orElseThrow(() -> new ClientException(
                                ClientException.TYPE_UNKNOWN,
                                "field 'client_type' must be \"confidential\" or \"public\""));
        ClientAuth auth = b.tokenEndpointAuthMethod() == null
                ? null
                : ClientAuth.byId(b.tokenEndpointAuthMethod())
                        .orElseThrow(() -> new ClientException(
                                ClientException.AUTH_UNKNOWN,
                                "field 'token_endpoint_auth_method' must be client_secret_basic, client_secret_post,"
                                        + " private_key_jwt or none"));
        if (auth == null) {
            auth = type == ClientType.PUBLIC ? ClientAuth.NONE : ClientAuth.CLIENT_SECRET_BASIC;
        }
        if (type == null) {
            type = auth == ClientAuth.NONE ? ClientType.PUBLIC : ClientType.CONFIDENTIAL;
        }
        String jwks = null;
        if (b.jwks() != null && !b.jwks().isNull()) {
            if (!b.jwks().isObject()) {
                throw RequestRefused.invalid("field 'jwks' must be a JSON object, a JWK Set: {\"keys\": [...]}");
            }
            jwks = JSON.writeValueAsString(b.jwks());
        }
        noNulls(b.redirectUris(), "redirect_uris");
        noNulls(b.postLogoutRedirectUris(), "post_logout_redirect_uris");
        noNulls(b.grantTypes(), "grant_types");
        Set<String> grants =
                b.grantTypes() == null ? Set.of(OidcClient.AUTHORIZATION_CODE) : new LinkedHashSet<>(b.grantTypes());
        Set<String> scopes = b.scope() == null || b.scope().isBlank()
                ? Set.of()
                : new LinkedHashSet<>(Arrays.asList(b.scope().strip().split(" +")));
        return new ClientService.NewClient(
                b.clientName(),
                type,
                auth,
                jwks,
                b.redirectUris(),
                b.postLogoutRedirectUris(),
                grants,
                scopes,
                seconds(b.accessTokenTtl()),
                seconds(b.refreshTokenTtl()),
                b.idTokenSignedResponseAlg(),
                b.requireConsent() == null || b.requireConsent(),
                b.requireMfa() != null && b.requireMfa(),
                b.backchannelLogoutUri());
    }

    private static void noNulls(List<String> values, String field) {
        if (values != null && values.contains(null)) {
            throw RequestRefused.invalid("field '" + field + "' must be an array of strings");
        }
    }

    private static Duration seconds(Long s) {
        if (s == null) {
            return null;
        }
        if (s < 0 || s > Duration.ofDays(3660).toSeconds()) {
            throw new ClientException(ClientException.TTL_INVALID, "token lifetimes are given in seconds");
        }
        return Duration.ofSeconds(s);
    }
}
