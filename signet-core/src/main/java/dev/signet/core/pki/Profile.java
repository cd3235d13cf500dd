package dev.signet.core.pki;

import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A certificate template: what every certificate issued under it says and what a request may ask
 * for. Immutable; build with {@link #builder(String)}, or take a built-in from {@link Profiles}.
 *
 * <p>The constructor refuses a profile that contradicts <a
 * href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.3">RFC 5280 §4.2.1.3</a> (key usage),
 * <a href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.9">§4.2.1.9</a> (basic constraints)
 * or <a href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.12">§4.2.1.12</a> (extended key
 * usage consistent with key usage), <a href="https://www.rfc-editor.org/rfc/rfc3161#section-2.3">RFC
 * 3161 §2.3</a> (timeStamping alone and critical) and <a
 * href="https://www.rfc-editor.org/rfc/rfc6960#section-4.2.2.2.1">RFC 6960 §4.2.2.2.1</a>
 * (id-pkix-ocsp-nocheck only on OCSP signing certificates), with {@code profile.invalid}.
 *
 * @param name the profile's stable name, for example {@code tls-server}
 * @param keyUsage key usage bits, always marked critical; never empty
 * @param extendedKeyUsage purposes; empty means no extended key usage extension
 * @param extendedKeyUsageCritical whether the extended key usage extension is critical
 * @param ca whether certificates are CA certificates (cA TRUE)
 * @param pathLength the pathLenConstraint for CA certificates; empty means none
 * @param allowedKeys key algorithms a request may use; the first in {@link KeyAlgorithm} order is
 *     the one "generate for me" uses unless told otherwise
 * @param maxValidity the longest validity a request may ask for
 * @param defaultValidity the validity when a request names none
 * @param subjectAttributes subject attributes a request may set
 * @param sanTypes subject alternative name types a request may set
 * @param ocspNoCheck whether to add id-pkix-ocsp-nocheck
 */
public record Profile(
        String name,
        Set<KeyUse> keyUsage,
        Set<ExtendedUse> extendedKeyUsage,
        boolean extendedKeyUsageCritical,
        boolean ca,
        OptionalInt pathLength,
        Set<KeyAlgorithm> allowedKeys,
        Duration maxValidity,
        Duration defaultValidity,
        Set<SubjectAttribute> subjectAttributes,
        Set<SanType> sanTypes,
        boolean ocspNoCheck) {

    public Profile {
        Objects.requireNonNull(name, "name");
        keyUsage = Set.copyOf(keyUsage);
        extendedKeyUsage = Set.copyOf(extendedKeyUsage);
        Objects.requireNonNull(pathLength, "pathLength");
        allowedKeys = Set.copyOf(allowedKeys);
        Objects.requireNonNull(maxValidity, "maxValidity");
        Objects.requireNonNull(defaultValidity, "defaultValidity");
        subjectAttributes = Set.copyOf(subjectAttributes);
        sanTypes = Set.copyOf(sanTypes);
        check(name, keyUsage, extendedKeyUsage, extendedKeyUsageCritical, ca, pathLength, allowedKeys);
        if (maxValidity.isNegative() || maxValidity.isZero()) {
            throw invalid(name, "maximum validity must be positive");
        }
        if (defaultValidity.isNegative() || defaultValidity.isZero() || defaultValidity.compareTo(maxValidity) > 0) {
            throw invalid(name, "default validity must be positive and at most the maximum");
        }
        if (ocspNoCheck && !extendedKeyUsage.contains(ExtendedUse.OCSP_SIGNING)) {
            throw invalid(name, "id-pkix-ocsp-nocheck belongs only on OCSP signing certificates (RFC 6960 4.2.2.2.1)");
        }
    }

    private static void check(
            String name,
            Set<KeyUse> keyUsage,
            Set<ExtendedUse> extendedKeyUsage,
            boolean extendedKeyUsageCritical,
            boolean ca,
            OptionalInt pathLength,
            Set<KeyAlgorithm> allowedKeys) {
        if (keyUsage.isEmpty()) {
            throw invalid(name, "at least one key usage bit must be set (RFC 5280 4.2.1.3)");
        }
        if (keyUsage.contains(KeyUse.KEY_CERT_SIGN) != ca) {
            throw invalid(name, "keyCertSign is asserted exactly when cA is TRUE (RFC 5280 4.2.1.3, 4.2.1.9)");
        }
        if (pathLength.isPresent() && (!ca || pathLength.getAsInt() < 0)) {
            throw invalid(name, "a path length belongs only on a CA and is not negative (RFC 5280 4.2.1.9)");
        }
        for (ExtendedUse purpose : extendedKeyUsage) {
            if (purpose.consistentKeyUses().stream().noneMatch(keyUsage::contains)) {
                throw invalid(
                        name,
                        purpose + " needs one of " + purpose.consistentKeyUses() + " in key usage (RFC 5280 4.2.1.12)");
            }
        }
        if (extendedKeyUsage.contains(ExtendedUse.TIME_STAMPING)
                && (extendedKeyUsage.size() != 1 || !extendedKeyUsageCritical)) {
            throw invalid(name, "timeStamping must be the only purpose, in a critical extension (RFC 3161 2.3)");
        }
        if (extendedKeyUsageCritical && extendedKeyUsage.isEmpty()) {
            throw invalid(name, "an empty extended key usage cannot be critical");
        }
        if (allowedKeys.isEmpty()) {
            throw invalid(name, "at least one key algorithm must be allowed");
        }
    }

    private static PkiException invalid(String name, String why) {
        return new PkiException(PkiException.PROFILE_INVALID, "profile " + name + ": " + why);
    }

    /** The key algorithm "generate for me" uses when the request names none. */
    public KeyAlgorithm preferredKey() {
        return EnumSet.copyOf(allowedKeys).iterator().next();
    }

    /** A builder with nothing set but the name; {@link Builder#build()} checks the result. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder starting from this profile, for variants (another name, shorter validity, ...). */
    public Builder toBuilder() {
        Builder builder = new Builder(name)
                .keyUsage(keyUsage)
                .extendedKeyUsage(extendedKeyUsage)
                .extendedKeyUsageCritical(extendedKeyUsageCritical)
                .ca(ca)
                .allowedKeys(allowedKeys)
                .validity(defaultValidity, maxValidity)
                .subjectAttributes(subjectAttributes)
                .sanTypes(sanTypes)
                .ocspNoCheck(ocspNoCheck);
        pathLength.ifPresent(builder::pathLength);
        return builder;
    }

    /**
     * Builds a {@link Profile}. Defaults: every key algorithm allowed, common name only, no SANs,
     * 90 days default and 398 days maximum validity, not a CA.
     */
    public static final class Builder {
        private String name;
        private final EnumSet<KeyUse> keyUsage = EnumSet.noneOf(KeyUse.class);
        private final EnumSet<ExtendedUse> extendedKeyUsage = EnumSet.noneOf(ExtendedUse.class);
        private boolean extendedKeyUsageCritical;
        private boolean ca;
        private OptionalInt pathLength = OptionalInt.empty();
        private final EnumSet<KeyAlgorithm> allowedKeys = EnumSet.allOf(KeyAlgorithm.class);
        private Duration defaultValidity = Duration.ofDays(90);
        private Duration maxValidity = Duration.ofDays(398);
        private final EnumSet<SubjectAttribute> subjectAttributes = EnumSet.of(SubjectAttribute.COMMON_NAME);
        private final EnumSet<SanType> sanTypes = EnumSet.noneOf(SanType.class);
        private boolean ocspNoCheck;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        public Builder keyUsage(Collection<KeyUse> uses) {
            keyUsage.clear();
            keyUsage.addAll(uses);
            return this;
        }

        public Builder keyUsage(KeyUse first, KeyUse... rest) {
            return keyUsage(EnumSet.of(first, rest));
        }

        public Builder extendedKeyUsage(Collection<ExtendedUse> purposes) {
            extendedKeyUsage.clear();
            extendedKeyUsage.addAll(purposes);
            return this;
        }

        public Builder extendedKeyUsage(ExtendedUse first, ExtendedUse... rest) {
            return extendedKeyUsage(EnumSet.of(first, rest));
        }

        public Builder extendedKeyUsageCritical(boolean critical) {
            this.extendedKeyUsageCritical = critical;
            return this;
        }

        public Builder ca(boolean ca) {
            this.ca = ca;
            return this;
        }

        public Builder pathLength(int pathLength) {
            this.pathLength = OptionalInt.of(pathLength);
            return this;
        }

        public Builder allowedKeys(Collection<KeyAlgorithm> algorithms) {
            allowedKeys.clear();
            allowedKeys.addAll(algorithms);
            return this;
        }

        public Builder allowedKeys(KeyAlgorithm first, KeyAlgorithm... rest) {
            return allowedKeys(EnumSet.of(first, rest));
        }

        public Builder validity(Duration defaultValidity, Duration maxValidity) {
            this.defaultValidity = Objects.requireNonNull(defaultValidity, "defaultValidity");
            this.maxValidity = Objects.requireNonNull(maxValidity, "maxValidity");
            return this;
        }

        public Builder subjectAttributes(Collection<SubjectAttribute> attributes) {
            subjectAttributes.clear();
            subjectAttributes.addAll(attributes);
            return this;
        }

        public Builder subjectAttributes(SubjectAttribute first, SubjectAttribute... rest) {
            return subjectAttributes(EnumSet.of(first, rest));
        }

        public Builder sanTypes(Collection<SanType> types) {
            sanTypes.clear();
            sanTypes.addAll(types);
            return this;
        }

        public Builder sanTypes(SanType first, SanType... rest) {
            return sanTypes(EnumSet.of(first, rest));
        }

        public Builder ocspNoCheck(boolean ocspNoCheck) {
            this.ocspNoCheck = ocspNoCheck;
            return this;
        }

        /**
         * The profile.
         *
         * @throws PkiException {@code profile.invalid} when the settings contradict the RFCs
         */
        public Profile build() {
            return new Profile(
                    name,
                    keyUsage,
                    extendedKeyUsage,
                    extendedKeyUsageCritical,
                    ca,
                    pathLength,
                    allowedKeys,
                    maxValidity,
                    defaultValidity,
                    subjectAttributes,
                    sanTypes,
                    ocspNoCheck);
        }
    }
}
