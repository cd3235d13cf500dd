package dev.signet.server.signin;

import dev.signet.server.account.AccountException;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.config.SignetSettings.MfaRequirement;
import dev.signet.server.store.Store;
import java.util.Locale;
import java.util.Optional;

/**
 * The MFA policy: whether a user needs a second factor, which kinds count, and whether a factor may
 * be removed. The requirement is the stricter of the global setting ({@code SIGNET_MFA_REQUIRED}) and
 * the user's own ({@code app_user.mfa_required}, set by an administrator): a user's policy can
 * tighten the global one, never loosen it.
 *
 * <p>A user who enrolled a factor is always asked for it after the password, whatever the policy:
 * someone who set up an authenticator app expects it to protect the account. Recovery codes are a
 * way back in, not a factor of their own: they do not satisfy "a factor is enrolled".
 */
public final class FactorPolicy {
    /** What a user has enrolled: confirmed OTP devices, passkeys, unused recovery codes. */
    public record Enrolled(int otpDevices, int passkeys, int recoveryCodesLeft) {
        public boolean any() {
            return otpDevices > 0 || passkeys > 0;
        }
    }

    private final Store store;
    private final UserRepository users;
    private final MfaRequirement global;

    public FactorPolicy(Store store, MfaRequirement global) {
        this.store = store;
        this.users = new UserRepository(store);
        this.global = global;
    }

    public MfaRequirement global() {
        return global;
    }

    /** The user's own setting, if any. */
    public Optional<MfaRequirement> own(String userId) {
        return store.jdbc()
                .sql("SELECT mfa_required FROM app_user WHERE id = ?")
                .param(userId)
                .query(String.class)
                .optional()
                .map(v -> MfaRequirement.valueOf(v.toUpperCase(Locale.ROOT)));
    }

    /** The requirement in force for the user: the stricter of the global and the user's own. */
    public MfaRequirement requirement(String userId) {
        MfaRequirement own = own(userId).orElse(MfaRequirement.OFF);
        return own.ordinal() > global.ordinal() ? own : global;
    }

    /** Sets (or, with empty, clears) the user's own requirement. The caller audits. */
    public void setOwn(String userId, Optional<MfaRequirement> requirement) {
        store.jdbc()
                .sql("UPDATE app_user SET mfa_required = ? WHERE id = ?")
                .params(requirement.map(r -> r.name()).orElse(null), userId)
                .update();
    }

    public Enrolled enrolled(String userId) {
        // One statement: this runs at every password sign-in.
        return store.jdbc()
                .sql("SELECT (SELECT COUNT(*) FROM otp_device WHERE user_id = ? AND confirmed_at IS NOT NULL),"
                        + " (SELECT COUNT(*) FROM passkey WHERE user_id = ?),"
                        + " (SELECT COUNT(*) FROM recovery_code WHERE user_id = ? AND used_at IS NULL)")
                .params(userId, userId, userId)
                .query((rs, n) -> new Enrolled(rs.getInt(1), rs.getInt(2), rs.getInt(3)))
                .single();
    }

    /** Whether what is enrolled can meet the requirement. */
    public static boolean canSatisfy(MfaRequirement requirement, Enrolled enrolled) {
        return switch (requirement) {
            case OFF -> true;
            case ANY -> enrolled.any();
            case PHISHING_RESISTANT -> enrolled.passkeys() > 0;
        };
    }

    /** Whether a second factor of this kind meets the requirement. */
    public static boolean satisfies(MfaRequirement requirement, Factor factor) {
        return switch (requirement) {
            case OFF, ANY -> factor != Factor.PWD;
            case PHISHING_RESISTANT -> factor.phishingResistant();
        };
    }

    /**
     * Where a sign-in goes after its first factor: straight in, to the second-factor page, or to
     * enrolment (the policy requires a factor the user does not have; they are signed in but can
     * only enrol).
     */
    public SignetAuthentication.Stage afterFirstFactor(User user, Factor first) {
        if (first.passkey()) {
            return SignetAuthentication.Stage.COMPLETE;
        }
        if (enrolled(user.id()).any()) {
            return SignetAuthentication.Stage.SECOND_FACTOR;
        }
        return requirement(user.id()) == MfaRequirement.OFF
                ? SignetAuthentication.Stage.COMPLETE
                : SignetAuthentication.Stage.ENROL;
    }

    /**
     * Where a sign-in goes after a second factor: complete, unless the policy wants a phishing-resistant
     * factor and this was not one (a recovery code, say), in which case the user must enrol a passkey.
     */
    public SignetAuthentication.Stage afterSecondFactor(User user, Factor second) {
        MfaRequirement requirement = requirement(user.id());
        if (satisfies(requirement, second)) {
            return SignetAuthentication.Stage.COMPLETE;
        }
        return canSatisfy(requirement, enrolled(user.id()))
                ? SignetAuthentication.Stage.SECOND_FACTOR
                : SignetAuthentication.Stage.ENROL;
    }

    /**
     * Removes every second factor of the user (authenticators, passkeys, recovery codes): an
     * administrator's answer to a lost device. Returns how many were removed. The caller audits.
     */
    public int resetAll(String userId) {
        return users.deleteFactors(userId);
    }

    /**
     * Refuses removing a factor when the policy requires one and this is the last that meets it
     * ({@code factor.last_required}, 409).
     */
    public void checkRemoval(String userId, Factor factor) {
        MfaRequirement requirement = requirement(userId);
        Enrolled e = enrolled(userId);
        Enrolled after = switch (factor) {
            case OTP -> new Enrolled(Math.max(0, e.otpDevices() - 1), e.passkeys(), e.recoveryCodesLeft());
            case HWK, SWK -> new Enrolled(e.otpDevices(), Math.max(0, e.passkeys() - 1), e.recoveryCodesLeft());
            default -> e;
        };
        if (canSatisfy(requirement, e) && !canSatisfy(requirement, after)) {
            throw new AccountException(
                    "factor.last_required",
                    requirement == MfaRequirement.PHISHING_RESISTANT
                            ? "this is your last passkey, and your account requires one: add another before removing it"
                            : "this is your last second factor, and your account requires one: add another before removing it");
        }
    }
}
