package dev.signet.core.pki;

import static dev.signet.core.pki.TestPki.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProfileTest {
    @Test
    void builtInWhenListedThenSixProfilesByName() {
        assertThat(Profiles.builtIn())
                .containsOnlyKeys("code-signing", "tls-server", "tls-client", "timestamping", "ocsp-signing", "sub-ca");
        assertThat(Profiles.named("tls-server")).isSameAs(Profiles.TLS_SERVER);
    }

    @Test
    void namedWhenUnknownThenProfileUnknown() {
        assertFailsWith(PkiException.PROFILE_UNKNOWN, () -> Profiles.named("tls-sever"));
        assertFailsWith(PkiException.PROFILE_UNKNOWN, () -> Profiles.named(null));
    }

    @Test
    void buildWhenKeyCertSignWithoutCaThenInvalid() {
        assertFailsWith(
                PkiException.PROFILE_INVALID,
                () -> Profile.builder("x").keyUsage(KeyUse.KEY_CERT_SIGN).build());
    }

    @Test
    void buildWhenCaWithoutKeyCertSignThenInvalid() {
        assertFailsWith(
                PkiException.PROFILE_INVALID,
                () -> Profile.builder("x").keyUsage(KeyUse.CRL_SIGN).ca(true).build());
    }

    @Test
    void buildWhenPathLengthOnEndEntityThenInvalid() {
        assertFailsWith(
                PkiException.PROFILE_INVALID,
                () -> Profile.builder("x")
                        .keyUsage(KeyUse.DIGITAL_SIGNATURE)
                        .pathLength(0)
                        .build());
    }

    @Test
    void buildWhenExtendedKeyUsageInconsistentWithKeyUsageThenInvalid() {
        // RFC 5280 4.2.1.12: codeSigning goes with digitalSignature; keyEncipherment alone contradicts it.
        assertFailsWith(
                PkiException.PROFILE_INVALID,
                () -> Profile.builder("x")
                        .keyUsage(KeyUse.KEY_ENCIPHERMENT)
                        .extendedKeyUsage(ExtendedUse.CODE_SIGNING)
                        .build());
        assertFailsWith(
                PkiException.PROFILE_INVALID,
                () -> Profile.builder("x")
                        .keyUsage(KeyUse.CRL_SIGN)
                        .extendedKeyUsage(ExtendedUse.SERVER_AUTH)
                        .build());
    }

    @Test
    void buildWhenTimeStampingWithOtherPurposeOrNotCriticalThenInvalid() {
        assertFailsWith(
                PkiException.PROFILE_INVALID,
                () -> Profiles.TIMESTAMPING.toBuilder()
                        .extendedKeyUsage(ExtendedUse.TIME_STAMPING, ExtendedUse.CODE_SIGNING)
                        .build());
        assertFailsWith(
                PkiException.PROFILE_INVALID,
                () -> Profiles.TIMESTAMPING.toBuilder()
                        .extendedKeyUsageCritical(false)
                        .build());
    }

    @Test
    void buildWhenOcspNoCheckWithoutOcspSigningThenInvalid() {
        assertFailsWith(
                PkiException.PROFILE_INVALID,
                () -> Profiles.TLS_SERVER.toBuilder().ocspNoCheck(true).build());
    }

    @Test
    void buildWhenDefaultValidityOverMaximumThenInvalid() {
        assertFailsWith(
                PkiException.PROFILE_INVALID,
                () -> Profiles.TLS_SERVER.toBuilder()
                        .validity(Duration.ofDays(400), Duration.ofDays(398))
                        .build());
    }

    @Test
    void toBuilderWhenUnchangedThenEqualProfile() {
        for (Profile profile : Profiles.builtIn().values()) {
            assertThat(profile.toBuilder().build()).isEqualTo(profile);
        }
    }

    @Test
    void preferredKeyWhenBuiltInThenFirstAllowedInEnumOrder() {
        assertThat(Profiles.TLS_SERVER.preferredKey()).isEqualTo(KeyAlgorithm.EC_P256);
        assertThat(Profile.builder("x")
                        .keyUsage(KeyUse.DIGITAL_SIGNATURE)
                        .allowedKeys(KeyAlgorithm.ML_DSA_65, KeyAlgorithm.RSA_3072)
                        .build()
                        .preferredKey())
                .isEqualTo(KeyAlgorithm.RSA_3072);
    }
}
