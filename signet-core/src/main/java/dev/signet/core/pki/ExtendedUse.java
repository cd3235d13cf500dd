package dev.signet.core.pki;

import java.util.EnumSet;
import java.util.Set;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * Extended key usage purposes (<a href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.12">RFC
 * 5280 §4.2.1.12</a>), each with the key usage bits that are consistent with it: a certificate
 * carrying the purpose must assert at least one of them.
 */
public enum ExtendedUse {
    SERVER_AUTH(
            KeyPurposeId.id_kp_serverAuth,
            EnumSet.of(KeyUse.DIGITAL_SIGNATURE, KeyUse.KEY_ENCIPHERMENT, KeyUse.KEY_AGREEMENT)),
    CLIENT_AUTH(KeyPurposeId.id_kp_clientAuth, EnumSet.of(KeyUse.DIGITAL_SIGNATURE, KeyUse.KEY_AGREEMENT)),
    CODE_SIGNING(KeyPurposeId.id_kp_codeSigning, EnumSet.of(KeyUse.DIGITAL_SIGNATURE)),
    EMAIL_PROTECTION(
            KeyPurposeId.id_kp_emailProtection,
            EnumSet.of(
                    KeyUse.DIGITAL_SIGNATURE,
                    KeyUse.CONTENT_COMMITMENT,
                    KeyUse.KEY_ENCIPHERMENT,
                    KeyUse.KEY_AGREEMENT)),
    TIME_STAMPING(KeyPurposeId.id_kp_timeStamping, EnumSet.of(KeyUse.DIGITAL_SIGNATURE, KeyUse.CONTENT_COMMITMENT)),
    OCSP_SIGNING(KeyPurposeId.id_kp_OCSPSigning, EnumSet.of(KeyUse.DIGITAL_SIGNATURE, KeyUse.CONTENT_COMMITMENT));

    private final KeyPurposeId purpose;
    private final Set<KeyUse> consistentKeyUses;

    ExtendedUse(KeyPurposeId purpose, Set<KeyUse> consistentKeyUses) {
        this.purpose = purpose;
        this.consistentKeyUses = consistentKeyUses;
    }

    KeyPurposeId purpose() {
        return purpose;
    }

    /** The key usage bits of which a certificate with this purpose asserts at least one. */
    public Set<KeyUse> consistentKeyUses() {
        return Set.copyOf(consistentKeyUses);
    }
}
