package dev.signet.core.pki;

import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Key usage bits (<a href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.3">RFC 5280
 * §4.2.1.3</a>). {@code encipherOnly} and {@code decipherOnly} are left out: no Signet profile needs
 * them.
 */
public enum KeyUse {
    DIGITAL_SIGNATURE(KeyUsage.digitalSignature),
    /** Called {@code nonRepudiation} in older texts. */
    CONTENT_COMMITMENT(KeyUsage.nonRepudiation),
    KEY_ENCIPHERMENT(KeyUsage.keyEncipherment),
    DATA_ENCIPHERMENT(KeyUsage.dataEncipherment),
    KEY_AGREEMENT(KeyUsage.keyAgreement),
    KEY_CERT_SIGN(KeyUsage.keyCertSign),
    CRL_SIGN(KeyUsage.cRLSign);

    private final int bit;

    KeyUse(int bit) {
        this.bit = bit;
    }

    int bit() {
        return bit;
    }
}
