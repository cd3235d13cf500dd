package dev.signet.server.web;

import dev.signet.server.signin.ClientInfo;
import dev.signet.server.signin.Factor;
import dev.signet.server.signin.SignInService;
import dev.signet.server.signin.SignetAuthentication;
import dev.signet.server.signin.SignetPrincipal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;

/** Spring Security's side of {@link SignInService}: the sign-in form's credentials in, a principal out. */
final class PasswordSignInProvider implements AuthenticationProvider {
    /** Refused by brute-force protection: the sign-in page says to wait, without saying which rule. */
    static final class ThrottledException extends AuthenticationException {
        private final Duration retryAfter;

        ThrottledException(Duration retryAfter) {
            super("too many attempts");
            this.retryAfter = retryAfter;
        }

        Duration retryAfter() {
            return retryAfter;
        }
    }

    private final SignInService signIn;
    private final Clock clock;

    PasswordSignInProvider(SignInService signIn, Clock clock) {
        this.signIn = signIn;
        this.clock = clock;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String username = authentication.getName();
        Object credentials = authentication.getCredentials();
        ClientInfo client = authentication.getDetails() instanceof ClientInfo c ? c : new ClientInfo(null, null);
        SignInService.Result result =
                signIn.signIn(username, credentials == null ? null : credentials.toString(), client);
        return switch (result) {
            case SignInService.Success s -> {
                var token = new SignetAuthentication(
                        SignetPrincipal.of(s.user()),
                        s.stage(),
                        List.of(new SignetAuthentication.FactorUse(Factor.PWD, clock.instant())));
                token.setDetails(client);
                yield token;
            }
            case SignInService.Refused r
            when r.throttled() -> throw new ThrottledException(r.retryAfter().orElseThrow());
            case SignInService.Refused r -> throw new BadCredentialsException("bad credentials");
        };
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
