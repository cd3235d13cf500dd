package dev.signet.server.api;

import dev.signet.server.account.AccountService;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings.MfaRequirement;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.signin.FactorPolicy;
import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.store.Store;
import java.util.Locale;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A user's second factors, for administrators: {@code GET /api/v1/users/{id}/factors} (scope {@code
 * users:read}) shows the MFA policy and what is enrolled (never a secret); {@code PUT
 * /api/v1/users/{id}/factors/policy} sets the user's own policy and {@code DELETE
 * /api/v1/users/{id}/factors} removes every factor after a lost device (scope {@code users:write}).
 */
@RestController
@RequestMapping(path = "/api/v1/users/{id}/factors", produces = MediaType.APPLICATION_JSON_VALUE)
class UserFactorsApi {
    record FactorsView(String mfaRequired, String effective, int otpDevices, int passkeys, int recoveryCodesLeft) {}

    record SetPolicy(String mfaRequired) {}

    record ResetView(int factorsRemoved, int sessionsEnded) {}

    private final AccountService accounts;
    private final FactorPolicy policy;
    private final DbSessionRepository sessions;
    private final AuditLog audit;
    private final Store store;

    UserFactorsApi(
            AccountService accounts, FactorPolicy policy, DbSessionRepository sessions, AuditLog audit, Store store) {
        this.accounts = accounts;
        this.policy = policy;
        this.sessions = sessions;
        this.audit = audit;
        this.store = store;
    }

    @GetMapping
    FactorsView show(@PathVariable("id") String id) {
        return view(accounts.get(id));
    }

    @PutMapping("/policy")
    FactorsView setPolicy(
            @PathVariable("id") String id, @JsonBody SetPolicy body, @AuthenticationPrincipal SignetPrincipal me) {
        User user = accounts.get(id);
        Optional<MfaRequirement> requirement = parse(body.mfaRequired());
        store.inTransaction(() -> {
            policy.setOwn(user.id(), requirement);
            audit.append(AuditEvent.of("user.mfa_policy_changed", AuditEvent.SUCCESS)
                    .actor(me.username())
                    .subject(user.username())
                    .detail("required", requirement.map(r -> lower(r)).orElse("server"))
                    .detail("via", "api")
                    .build());
        });
        return view(user);
    }

    @DeleteMapping
    ResetView reset(@PathVariable("id") String id, @AuthenticationPrincipal SignetPrincipal me) {
        User user = accounts.get(id);
        return store.inTransaction(() -> {
            int removed = policy.resetAll(user.id());
            int ended = sessions.endAll(user.id(), null);
            audit.append(AuditEvent.of("user.factors_reset", AuditEvent.SUCCESS)
                    .actor(me.username())
                    .subject(user.username())
                    .detail("factors_removed", Integer.toString(removed))
                    .detail("sessions_ended", Integer.toString(ended))
                    .detail("via", "api")
                    .build());
            return new ResetView(removed, ended);
        });
    }

    private FactorsView view(User user) {
        FactorPolicy.Enrolled e = policy.enrolled(user.id());
        return new FactorsView(
                policy.own(user.id()).map(UserFactorsApi::lower).orElse("server"),
                lower(policy.requirement(user.id())),
                e.otpDevices(),
                e.passkeys(),
                e.recoveryCodesLeft());
    }

    private static Optional<MfaRequirement> parse(String value) {
        if (value == null) {
            throw RequestRefused.invalid("field 'mfaRequired' is required: server, any or phishing_resistant");
        }
        return switch (value) {
            case "server" -> Optional.empty();
            case "any" -> Optional.of(MfaRequirement.ANY);
            case "phishing_resistant" -> Optional.of(MfaRequirement.PHISHING_RESISTANT);
            default -> throw RequestRefused.invalid("field 'mfaRequired' must be server, any or phishing_resistant");
        };
    }

    private static String lower(MfaRequirement r) {
        return r.name().toLowerCase(Locale.ROOT);
    }
}
