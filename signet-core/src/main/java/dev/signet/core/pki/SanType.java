package dev.signet.core.pki;

import java.util.Optional;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * Subject alternative name types a profile may allow (<a
 * href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6">RFC 5280 §4.2.1.6</a>). Other
 * GeneralName forms (otherName, directoryName, registeredID, ...) are never accepted from a request.
 */
public enum SanType {
    DNS(GeneralName.dNSName),
    IP(GeneralName.iPAddress),
    EMAIL(GeneralName.rfc822Name),
    URI(GeneralName.uniformResourceIdentifier);

    private final int tag;

    SanType(int tag) {
        this.tag = tag;
    }

    int tag() {
        return tag;
    }

    static Optional<SanType> ofTag(int tag) {
        for (SanType type : values()) {
            if (type.tag == tag) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
