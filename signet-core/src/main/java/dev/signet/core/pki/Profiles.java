package dev.signet.core.pki;

import static dev.signet.core.pki.KeyAlgorithm.EC_P256;
import static dev.signet.core.pki.KeyAlgorithm.EC_P384;
import static dev.signet.core.pki.KeyAlgorithm.ED25519;
import static dev.signet.core.pki.KeyAlgorithm.ML_DSA_65;
import static dev.signet.core.pki.KeyAlgorithm.RSA_2048;
import static dev.signet.core.pki.KeyAlgorithm.RSA_3072;
import static dev.signet.core.pki.KeyAlgorithm.RSA_4096;
import static dev.signet.core.pki.SubjectAttribute.COMMON_NAME;
import static dev.signet.core.pki.SubjectAttribute.COUNTRY;
import static dev.signet.core.pki.SubjectAttribute.LOCALITY;
import static dev.signet.core.pki.SubjectAttribute.ORGANIZATION;
import static dev.signet.core.pki.SubjectAttribute.ORGANIZATIONAL_UNIT;
import static dev.signet.core.pki.SubjectAttribute.STATE_OR_PROVINCE;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The built-in profiles. Key usage is digitalSignature alone for end entities: TLS 1.3 and ECDHE
 * never use keyEncipherment, and <a href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.12">RFC
 * 5280 §4.2.1.12</a> accepts digitalSignature for every purpose here.
 *
 * <ul>
 *   <li>{@code code-signing}: codeSigning; RSA from 3072 bits (CA/B code signing baseline), EC,
 *       Ed25519 and ML-DSA; 1 year by default, at most 39 months.
 *   <li>{@code tls-server}: serverAuth; DNS and IP SANs; no ML-DSA (no TLS stack takes it yet); 90
 *       days by default, at most 398.
 *   <li>{@code tls-client}: clientAuth; DNS, IP, e-mail and URI SANs (SPIFFE IDs); same validity.
 *   <li>{@code timestamping}: timeStamping alone, critical (RFC 3161 §2.3); 1 year by default, at
 *       most 3 years.
 *   <li>{@code ocsp-signing}: OCSPSigning with id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): it cannot
 *       be revoked by OCSP, so it lives 30 days by default and at most 90.
 *   <li>{@code sub-ca}: cA TRUE, pathLenConstraint 0, keyCertSign + cRLSign + digitalSignature (to
 *       sign OCSP responses itself); 5 years by default, at most 10.
 * </ul>
 */
public final class Profiles {
    private static final List<SubjectAttribute> NAME =
            List.of(COMMON_NAME, ORGANIZATION, ORGANIZATIONAL_UNIT, COUNTRY, STATE_OR_PROVINCE, LOCALITY);

    public static final Profile CODE_SIGNING = Profile.builder("code-signing")
            .keyUsage(KeyUse.DIGITAL_SIGNATURE)
            .extendedKeyUsage(ExtendedUse.CODE_SIGNING)
            .allowedKeys(EC_P256, EC_P384, ED25519, RSA_3072, RSA_4096, ML_DSA_65)
            .validity(Duration.ofDays(365), Duration.ofDays(1186))
            .subjectAttributes(NAME)
            .sanTypes(SanType.EMAIL, SanType.URI)
            .build();

    public static final Profile TLS_SERVER = Profile.builder("tls-server")
            .keyUsage(KeyUse.DIGITAL_SIGNATURE)
            .extendedKeyUsage(ExtendedUse.SERVER_AUTH)
            .allowedKeys(EC_P256, EC_P384, ED25519, RSA_2048, RSA_3072, RSA_4096)
            .validity(Duration.ofDays(90), Duration.ofDays(398))
            .subjectAttributes(NAME)
            .sanTypes(SanType.DNS, SanType.IP)
            .build();

    public static final Profile TLS_CLIENT = Profile.builder("tls-client")
            .keyUsage(KeyUse.DIGITAL_SIGNATURE)
            .extendedKeyUsage(ExtendedUse.CLIENT_AUTH)
            .allowedKeys(EC_P256, EC_P384, ED25519, RSA_2048, RSA_3072, RSA_4096)
            .validity(Duration.ofDays(90), Duration.ofDays(398))
            .subjectAttributes(NAME)
            .sanTypes(SanType.DNS, SanType.IP, SanType.EMAIL, SanType.URI)
            .build();

    public static final Profile TIMESTAMPING = Profile.builder("timestamping")
            .keyUsage(KeyUse.DIGITAL_SIGNATURE)
            .extendedKeyUsage(ExtendedUse.TIME_STAMPING)
            .extendedKeyUsageCritical(true)
            .allowedKeys(EC_P256, EC_P384, ED25519, RSA_3072, RSA_4096, ML_DSA_65)
            .validity(Duration.ofDays(365), Duration.ofDays(1095))
            .subjectAttributes(NAME)
            .build();

    public static final Profile OCSP_SIGNING = Profile.builder("ocsp-signing")
            .keyUsage(KeyUse.DIGITAL_SIGNATURE)
            .extendedKeyUsage(ExtendedUse.OCSP_SIGNING)
            .ocspNoCheck(true)
            .validity(Duration.ofDays(30), Duration.ofDays(90))
            .subjectAttributes(NAME)
            .build();

    public static final Profile SUB_CA = Profile.builder("sub-ca")
            .keyUsage(KeyUse.KEY_CERT_SIGN, KeyUse.CRL_SIGN, KeyUse.DIGITAL_SIGNATURE)
            .ca(true)
            .pathLength(0)
            .validity(Duration.ofDays(5 * 365), Duration.ofDays(10 * 365))
            .subjectAttributes(NAME)
            .build();

    private static final Map<String, Profile> BUILT_IN =
            List.of(CODE_SIGNING, TLS_SERVER, TLS_CLIENT, TIMESTAMPING, OCSP_SIGNING, SUB_CA).stream()
                    .collect(Collectors.toUnmodifiableMap(Profile::name, Function.identity()));

    private Profiles() {}

    /** The built-in profiles by name. */
    public static Map<String, Profile> builtIn() {
        return BUILT_IN;
    }

    /**
     * The built-in profile {@code name}.
     *
     * @throws PkiException {@code profile.unknown} when there is none
     */
    public static Profile named(String name) {
        Profile profile = name == null ? null : BUILT_IN.get(name);
        if (profile == null) {
            throw new PkiException(PkiException.PROFILE_UNKNOWN, "no profile named " + name);
        }
        return profile;
    }

    /** The sub-CA profile with another path length constraint. */
    public static Profile subCa(int pathLength) {
        return SUB_CA.toBuilder().pathLength(pathLength).build();
    }
}
