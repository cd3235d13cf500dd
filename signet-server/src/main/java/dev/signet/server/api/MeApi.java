package dev.signet.server.api;

import dev.signet.server.account.AccountService;
import dev.signet.server.api.Views.UserView;
import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.token.TokenService;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/me}: who the token belongs to, and what the token is (any valid token may ask). */
@RestController
class MeApi {
    /** The calling token, without its secret; {@code scopes} are the ones in effect for this request. */
    record TokenInfo(String id, String name, List<String> scopes, String expiresAt) {}

    record Me(UserView user, TokenInfo token) {}

    private final AccountService accounts;
    private final TokenService tokens;

    MeApi(AccountService accounts, TokenService tokens) {
        this.accounts = accounts;
        this.tokens = tokens;
    }

    @GetMapping(path = "/api/v1/me", produces = MediaType.APPLICATION_JSON_VALUE)
    Me me(@AuthenticationPrincipal SignetPrincipal me) {
        TokenService.ApiToken token = tokens.byId(me.tokenId())
                .orElseThrow(() -> new IllegalStateException("an authenticated token vanished"));
        return new Me(
                UserView.of(accounts.get(me.userId())),
                new TokenInfo(token.id(), token.name(), CallerScopes.current(), Views.iso(token.expires())));
    }
}
