package dev.signet.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.account.User;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a session records of its factors, for the OIDC {@code amr} claim (RFC 8176). */
class SignetAuthenticationTest {
    static final SignetPrincipal ALICE = new SignetPrincipal("id-1", "alice", User.Role.USER, null);
    static final Instant T = Instant.parse("2030-01-01T00:00:00Z");

    static SignetAuthentication with(Factor... factors) {
        SignetAuthentication a = new SignetAuthentication(
                ALICE,
                SignetAuthentication.Stage.SECOND_FACTOR,
                List.of(new SignetAuthentication.FactorUse(factors[0], T)));
        for (int i = 1; i < factors.length; i++) {
            a = a.with(factors[i], T.plusSeconds(i), SignetAuthentication.Stage.COMPLETE);
        }
        return a;
    }

    @Test
    void amrNamesEachFactorOnceAndMfaWhenTwoKindsOrAPasskeyWereUsed() {
        assertThat(with(Factor.PWD).amr()).containsExactly("pwd");
        assertThat(with(Factor.PWD, Factor.OTP).amr()).containsExactly("pwd", "otp", "mfa");
        assertThat(with(Factor.PWD, Factor.RECOVERY_CODE).amr()).containsExactly("pwd", "otp", "mfa");
        assertThat(with(Factor.HWK).amr()).containsExactly("hwk", "mfa");
        assertThat(with(Factor.SWK).amr()).containsExactly("swk", "mfa");
        assertThat(with(Factor.PWD, Factor.OTP, Factor.OTP).amr()).containsExactly("pwd", "otp", "mfa");
    }

    @Test
    void onlyACompleteSignInCarriesTheRoleAndTheSignedInAuthority() {
        assertThat(with(Factor.PWD).getAuthorities())
                .extracting(a -> a.getAuthority())
                .containsExactly(SignetAuthentication.SECOND_FACTOR_PENDING);
        assertThat(with(Factor.PWD, Factor.OTP).getAuthorities())
                .extracting(a -> a.getAuthority())
                .containsExactlyInAnyOrder("ROLE_USER", SignetAuthentication.SIGNED_IN);
        assertThat(with(Factor.PWD).in(SignetAuthentication.Stage.ENROL).getAuthorities())
                .extracting(a -> a.getAuthority())
                .containsExactly(SignetAuthentication.ENROL_PENDING);
        assertThat(with(Factor.PWD, Factor.OTP).lastAuthenticatedAt()).isEqualTo(T.plusSeconds(1));
    }
}
