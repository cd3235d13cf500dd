package dev.signet.server.web;

import dev.signet.server.account.AccountException;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.oidc.OidcContinuation;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.signin.ClientInfo;
import dev.signet.server.signin.Factor;
import dev.signet.server.signin.FactorPolicy;
import dev.signet.server.signin.SignInService;
import dev.signet.server.signin.SignetAuthentication;
import dev.signet.server.signin.SignetAuthentication.Stage;
import dev.signet.server.signin.SignetPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.stereotype.Component;

/**
 * The steps of a browser sign-in after the first factor: a second factor completing a pending
 * sign-in, a passkey signing someone in on its own, a step-up (fresh authentication) before a
 * sensitive action, and the end of enrolment when policy required a factor. Each step makes a new
 * {@link SignetAuthentication} and stores it in the session; a sign-in that reaches a new stage gets
 * a new session id (no fixation across stages).
 */
@Component
public class SignInFlow {
    private final SignInService signIn;
    private final FactorPolicy policy;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration stepUpWindow;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

    SignInFlow(SignInService signIn, FactorPolicy policy, AuditLog audit, Clock clock, SignetSettings settings) {
        this.signIn = signIn;
        this.policy = policy;
        this.audit = audit;
        this.clock = clock;
        this.stepUpWindow = settings.mfa().stepUp();
    }

    /** The session's sign-in, at whatever stage, if any. */
    public static Optional<SignetAuthentication> current() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth instanceof SignetAuthentication s ? Optional.of(s) : Optional.empty();
    }

    /**
     * The user a WebAuthn ceremony is for: the signed-in or half-signed-in user of this session, or
     * empty when nobody is (a discoverable-credential sign-in).
     */
    public Optional<String> ceremonyUserId(HttpServletRequest request) {
        return current().map(a -> a.getPrincipal().userId());
    }

    /**
     * A factor was verified for {@code user}. Signs the user in (a passkey, nobody signed in yet),
     * completes a pending sign-in (the second factor), or records a step-up. Returns the path the
     * browser should go to next.
     */
    public String factorVerified(HttpServletRequest request, HttpServletResponse response, User user, Factor factor) {
        Optional<SignetAuthentication> current = current();
        ClientInfo client = ClientInfo.of(request);
        if (current.isEmpty()) {
            Stage stage = policy.afterFirstFactor(user, factor);
            SignetAuthentication auth = new SignetAuthentication(
                    SignetPrincipal.of(user),
                    stage,
                    List.of(new SignetAuthentication.FactorUse(factor, clock.instant())));
            auth.setDetails(client);
            signIn.completed(user, List.of(factor), client);
            establish(request, response, auth);
            return next(request, stage, clock);
        }
        SignetAuthentication auth = current.get();
        if (!auth.getPrincipal().userId().equals(user.id())) {
            throw new AccountException("auth.wrong_user", "this factor belongs to another account");
        }
        if (auth.stage() == Stage.SECOND_FACTOR) {
            Stage next = policy.afterSecondFactor(user, factor);
            SignetAuthentication done = auth.with(factor, clock.instant(), next);
            if (next != Stage.SECOND_FACTOR) {
                signIn.completed(
                        user,
                        done.factors().stream()
                                .map(SignetAuthentication.FactorUse::factor)
                                .toList(),
                        client);
            }
            establish(request, response, done);
            return next(request, next, clock);
        }
        // Already signed in: a step-up.
        SignetAuthentication fresh = auth.with(factor, clock.instant(), auth.stage());
        audit.append(SecurityConfig.client(AuditEvent.of("auth.step_up", AuditEvent.SUCCESS), request)
                .actor(user.username())
                .subject(user.username())
                .detail("factor", factor.amr())
                .build());
        save(request, response, fresh);
        return auth.stage() == Stage.COMPLETE ? FactorController.takeStepUpNext(request) : landing(auth.stage());
    }

    /** Whether the session's user proved who they are within the step-up window (5 minutes). */
    public boolean stepUpFresh(HttpServletRequest request) {
        return current()
                .filter(a -> a.stage() != Stage.SECOND_FACTOR)
                .map(a -> !a.lastAuthenticatedAt().isBefore(clock.instant().minus(stepUpWindow)))
                .orElse(false);
    }

    /**
     * Refuses a sensitive action without a recent authentication ({@code auth.step_up_required}).
     */
    public void requireStepUp(HttpServletRequest request) {
        if (!stepUpFresh(request)) {
            throw new AccountException(
                    "auth.step_up_required", "confirm it is you first: this action needs a recent sign-in");
        }
    }

    /**
     * The user's factors changed: a sign-in held at enrolment becomes complete once what is enrolled
     * meets the policy.
     */
    public void factorsChanged(HttpServletRequest request, HttpServletResponse response) {
        current().filter(a -> a.stage() == Stage.ENROL).ifPresent(auth -> {
            String userId = auth.getPrincipal().userId();
            if (FactorPolicy.canSatisfy(policy.requirement(userId), policy.enrolled(userId))) {
                establish(request, response, auth.in(Stage.COMPLETE));
            }
        });
    }

    /**
     * Where a sign-in that reached {@code stage} goes: back to the application waiting for it (an
     * OpenID Connect authorization request, {@link OidcContinuation}) once complete, else the stage's
     * page.
     */
    static String next(HttpServletRequest request, Stage stage, Clock clock) {
        return stage == Stage.COMPLETE ? OidcContinuation.next(request, clock, landing(stage)) : landing(stage);
    }

    /** Where each stage lands. */
    static String landing(Stage stage) {
        return switch (stage) {
            case COMPLETE -> "/";
            case SECOND_FACTOR -> "/signin/factor";
            case ENROL -> "/account/factors?enrol";
        };
    }

    private void establish(HttpServletRequest request, HttpServletResponse response, SignetAuthentication auth) {
        if (request.getSession(false) != null) {
            request.changeSessionId();
        }
        save(request, response, auth);
        request.getSession().setAttribute(DbSessionRepository.CLIENT_ATTRIBUTE, ClientInfo.of(request));
    }

    private void save(HttpServletRequest request, HttpServletResponse response, SignetAuthentication auth) {
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(auth);
        SecurityContextHolder.setContext(context);
        contexts.saveContext(context, request, response);
    }
}
