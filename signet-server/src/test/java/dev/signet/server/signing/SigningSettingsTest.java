package dev.signet.server.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.core.sign.TimeStampAuthority;
import dev.signet.server.config.SettingsException;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.token.Scopes;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The signing settings ({@code SIGNET_TSA_*}) and the {@code sign:KEYNAME} scope pattern: defaults,
 * accepted values, and refusals that name the variable or the scope.
 */
class SigningSettingsTest {
    static SignetSettings.Signing read(Map<String, String> env) {
        return SignetSettings.read(env, Map.of()).signing();
    }

    @Test
    void tsaSettingsWhenAbsentThenFirstOnlineCaTheCorePolicyAndEcP256() {
        SignetSettings.Signing signing = read(Map.of());
        assertThat(signing.tsaCa()).isEmpty();
        assertThat(signing.tsaPolicy()).isEqualTo(TimeStampAuthority.DEFAULT_POLICY);
        assertThat(signing.tsaKey()).isEqualTo("ec-p256");
    }

    @Test
    void tsaSettingsWhenGivenThenUsedAndBadValuesRefusedNamingTheVariable() {
        SignetSettings.Signing signing = read(Map.of(
                "SIGNET_TSA_CA", "release-root", "SIGNET_TSA_POLICY", "1.2.3.4.5", "SIGNET_TSA_KEY", "RSA-3072"));
        assertThat(signing.tsaCa()).isEqualTo(Optional.of("release-root"));
        assertThat(signing.tsaPolicy()).isEqualTo("1.2.3.4.5");
        assertThat(signing.tsaKey()).isEqualTo("rsa-3072");

        assertThatThrownBy(() -> read(Map.of("SIGNET_TSA_CA", "bad name")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("SIGNET_TSA_CA");
        for (String policy : new String[] {"not an oid", "3.1", "1", "1.02", "1.2.", "1..2", "1.45"}) {
            assertThatThrownBy(() -> read(Map.of("SIGNET_TSA_POLICY", policy)))
                    .as(policy)
                    .isInstanceOf(SettingsException.class)
                    .hasMessageContaining("SIGNET_TSA_POLICY");
        }
        for (String key : new String[] {"ed25519", "rsa-2048", "ml-dsa-65", "dsa"}) {
            assertThatThrownBy(() -> read(Map.of("SIGNET_TSA_KEY", key)))
                    .as(key)
                    .isInstanceOf(SettingsException.class)
                    .hasMessageContaining("SIGNET_TSA_KEY");
        }
    }

    @Test
    void signScopeWhenWellFormedThenAnyRoleMayCarryItLowerCased() {
        assertThat(Scopes.signKey("sign:Release-1.x")).hasValue("release-1.x");
        assertThat(Scopes.check(java.util.Set.of("sign:Release"), dev.signet.server.account.User.Role.USER))
                .containsExactly("sign:release");
        assertThat(Scopes.allows("sign:release", dev.signet.server.account.User.Role.USER))
                .isTrue();
        assertThat(Scopes.allows(Scopes.KEYS_ADMIN, dev.signet.server.account.User.Role.USER))
                .isFalse();
        assertThat(Scopes.allows(Scopes.KEYS_ADMIN, dev.signet.server.account.User.Role.ADMIN))
                .isTrue();
        for (String bad : new String[] {"sign:", "sign:-x", "sign:a b", "sign:" + "x".repeat(65), "sign:a/b", "sign"}) {
            assertThat(Scopes.signKey(bad)).as(bad).isEmpty();
            assertThatThrownBy(() -> Scopes.check(java.util.Set.of(bad), dev.signet.server.account.User.Role.ADMIN))
                    .as(bad)
                    .hasMessageContaining("unknown scope");
        }
        assertThatThrownBy(() ->
                        Scopes.check(java.util.Set.of(Scopes.KEYS_ADMIN), dev.signet.server.account.User.Role.USER))
                .hasMessageContaining("needs an administrator");
    }
}
