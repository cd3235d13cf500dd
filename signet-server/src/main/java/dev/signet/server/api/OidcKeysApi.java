package dev.signet.server.api;

import dev.signet.server.oidc.TokenKeys;
import dev.signet.server.signin.SignetPrincipal;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/oidc/keys}: the OpenID Connect provider's token-signing keys (scope {@code
 * clients:admin}). {@code GET} lists them (never a private part); {@code POST .../rotate} makes a new
 * current key for every algorithm in use at once (a key is suspected, or before a planned change);
 * the retired keys stay in the JWK Set until the tokens they signed have expired.
 */
@RestController
@RequestMapping(path = "/api/v1/oidc/keys", produces = MediaType.APPLICATION_JSON_VALUE)
class OidcKeysApi {
    record KeyList(List<TokenKeys.KeyInfo> keys) {}

    private final TokenKeys keys;

    OidcKeysApi(TokenKeys keys) {
        this.keys = keys;
    }

    @GetMapping
    KeyList list() {
        return new KeyList(keys.list());
    }

    @PostMapping("/rotate")
    Map<String, Object> rotate(@AuthenticationPrincipal SignetPrincipal me) {
        return Map.of("rotated", keys.rotateAll(me.username(), "on_demand"), "keys", keys.list());
    }
}
