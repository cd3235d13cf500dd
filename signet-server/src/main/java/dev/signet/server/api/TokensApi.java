package dev.signet.server.api;

import dev.signet.server.account.AccountException;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.User;
import dev.signet.server.api.Views.CreatedToken;
import dev.signet.server.api.Views.TokenList;
import dev.signet.server.api.Views.TokenView;
import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.token.Scopes;
import dev.signet.server.token.TokenService;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/tokens}: the caller's own API tokens (scope {@code tokens:write}). Listing never
 * shows a secret; creating shows the new secret once.
 *
 * <p>A token creates only narrower or equal tokens: every requested scope must be one its owner's
 * role allows ({@link Scopes#check}, {@code token.scope_not_allowed}) and one the calling token has
 * itself ({@code token.scope_forbidden}), and the new token expires no later than the calling one
 * ({@code token.expiry_invalid}). Otherwise a short-lived {@code tokens:write} token could mint a
 * permanent, broader one.
 */
@RestController
@RequestMapping(path = "/api/v1/tokens", produces = MediaType.APPLICATION_JSON_VALUE)
class TokensApi {
    /** How long a token created without an expiry lives (capped by the calling token's own expiry). */
    static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);

    /**
     * A new token: a name, its scopes, and at most one of {@code expiresInDays} (1 to 732) and {@code
     * expiresAt} (ISO-8601 instant or date, or {@code "never"}); neither means 90 days.
     */
    record CreateToken(String name, List<String> scopes, Integer expiresInDays, String expiresAt) {}

    private final TokenService tokens;
    private final AccountService accounts;
    private final Clock clock;

    TokensApi(TokenService tokens, AccountService accounts, Clock clock) {
        this.tokens = tokens;
        this.accounts = accounts;
        this.clock = clock;
    }

    @GetMapping
    TokenList list(@AuthenticationPrincipal SignetPrincipal me) {
        Instant now = clock.instant();
        return new TokenList(tokens.forUser(me.userId()).stream()
                .map(t -> TokenView.of(t, now))
                .toList());
    }

    @GetMapping("/{id}")
    TokenView show(@PathVariable("id") String id, @AuthenticationPrincipal SignetPrincipal me) {
        return TokenView.of(own(id, me), clock.instant());
    }

    @PostMapping
    ResponseEntity<CreatedToken> create(
            @JsonBody CreateToken body, @AuthenticationPrincipal SignetPrincipal me, HttpServletRequest request) {
        User owner = accounts.get(me.userId());
        if (body.scopes() != null && body.scopes().contains(null)) {
            throw RequestRefused.invalid("field 'scopes' must be an array of strings");
        }
        Set<String> requested =
                Scopes.check(body.scopes() == null ? Set.of() : new LinkedHashSet<>(body.scopes()), owner.role());
        Set<String> beyond = new TreeSet<>(requested);
        CallerScopes.current().forEach(beyond::remove);
        if (!beyond.isEmpty()) {
            throw new RequestRefused(
                    HttpStatus.FORBIDDEN,
                    "token.scope_forbidden",
                    "a token can only create tokens with scopes it has itself; this one lacks "
                            + String.join(" ", beyond));
        }
        Optional<Instant> expires = expiry(body, me);
        TokenService.Created created = tokens.create(owner, body.name(), requested, expires, me.username());
        return ResponseEntity.created(URI.create(request.getContextPath() + "/api/v1/tokens/"
                        + created.token().id()))
                .cacheControl(CacheControl.noStore())
                .body(CreatedToken.of(created));
    }

    /** Revokes one of the caller's tokens (the calling one too); revoking a revoked token is not an error. */
    @DeleteMapping("/{id}")
    ResponseEntity<Void> revoke(@PathVariable("id") String id, @AuthenticationPrincipal SignetPrincipal me) {
        TokenService.ApiToken token = own(id, me);
        tokens.revoke(accounts.get(me.userId()), token.id(), me.username());
        return ResponseEntity.noContent().build();
    }

    private TokenService.ApiToken own(String id, SignetPrincipal me) {
        return tokens.byId(id)
                .filter(t -> t.userId().equals(me.userId()))
                .orElseThrow(() -> new AccountException("token.not_found", "no such token"));
    }

    private Optional<Instant> expiry(CreateToken body, SignetPrincipal me) {
        Instant now = clock.instant();
        Optional<Instant> callerExpires = tokens.byId(me.tokenId()).flatMap(TokenService.ApiToken::expires);
        Optional<Instant> expires;
        if (body.expiresInDays() != null && body.expiresAt() != null) {
            throw RequestRefused.invalid("give either 'expiresInDays' or 'expiresAt', not both");
        } else if (body.expiresInDays() != null) {
            long max = TokenService.MAX_LIFETIME.toDays();
            if (body.expiresInDays() < 1 || body.expiresInDays() > max) {
                throw RequestRefused.invalid("field 'expiresInDays' must be from 1 to " + max);
            }
            expires = Optional.of(now.plus(Duration.ofDays(body.expiresInDays())));
        } else if (body.expiresAt() != null) {
            expires = body.expiresAt().strip().equalsIgnoreCase("never")
                    ? Optional.empty()
                    : Optional.of(Params.parseInstant(body.expiresAt().strip())
                            .orElseThrow(() -> RequestRefused.invalid("field 'expiresAt' must be an ISO-8601 instant"
                                    + " such as 2027-01-01T00:00:00Z, a date such as 2027-01-01, or \"never\"")));
        } else {
            Instant byDefault = now.plus(DEFAULT_LIFETIME);
            expires =
                    Optional.of(callerExpires.filter(c -> c.isBefore(byDefault)).orElse(byDefault));
        }
        if (callerExpires.isPresent() && (expires.isEmpty() || expires.get().isAfter(callerExpires.get()))) {
            throw new AccountException(
                    "token.expiry_invalid",
                    "a token cannot outlive the token that creates it; this one expires at " + callerExpires.get());
        }
        return expires;
    }
}
