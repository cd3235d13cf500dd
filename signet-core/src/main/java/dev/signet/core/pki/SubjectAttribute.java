package dev.signet.core.pki;

import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Subject name attributes a profile may let a request set (<a
 * href="https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.6">RFC 5280 §4.1.2.6</a>, attribute
 * types from <a href="https://www.rfc-editor.org/rfc/rfc5280#appendix-A.1">Appendix A.1</a>).
 */
public enum SubjectAttribute {
    COMMON_NAME(BCStyle.CN),
    ORGANIZATION(BCStyle.O),
    ORGANIZATIONAL_UNIT(BCStyle.OU),
    COUNTRY(BCStyle.C),
    STATE_OR_PROVINCE(BCStyle.ST),
    LOCALITY(BCStyle.L),
    SERIAL_NUMBER(BCStyle.SERIALNUMBER);

    private final ASN1ObjectIdentifier type;

    SubjectAttribute(ASN1ObjectIdentifier type) {
        this.type = type;
    }

    ASN1ObjectIdentifier type() {
        return type;
    }

    static Optional<SubjectAttribute> ofType(ASN1ObjectIdentifier type) {
        for (SubjectAttribute attribute : values()) {
            if (attribute.type.equals(type)) {
                return Optional.of(attribute);
            }
        }
        return Optional.empty();
    }
}
