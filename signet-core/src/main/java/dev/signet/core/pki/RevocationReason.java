package dev.signet.core.pki;

import java.util.Locale;
import java.util.Optional;

/**
 * Why a certificate was revoked: the CRLReason of <a
 * href="https://www.rfc-editor.org/rfc/rfc5280#section-5.3.1">RFC 5280 §5.3.1</a>, also used by OCSP's
 * RevokedInfo (<a href="https://www.rfc-editor.org/rfc/rfc6960#section-4.2.1">RFC 6960 §4.2.1</a>),
 * with a stable name for the CLI and API.
 *
 * <p>Not supported: {@code certificateHold} (6), because a hold makes revocation reversible, which
 * breaks "revoked stays revoked" for relying parties that cache, and the CA/Browser Forum baseline
 * forbids it; and {@code removeFromCRL} (8), which only delta CRLs use to undo a hold and is not a
 * reason anyone revokes with. Code 7 is unassigned.
 */
public enum RevocationReason {
    UNSPECIFIED(0, "unspecified"),
    KEY_COMPROMISE(1, "key-compromise"),
    CA_COMPROMISE(2, "ca-compromise"),
    AFFILIATION_CHANGED(3, "affiliation-changed"),
    SUPERSEDED(4, "superseded"),
    CESSATION_OF_OPERATION(5, "cessation-of-operation"),
    PRIVILEGE_WITHDRAWN(9, "privilege-withdrawn"),
    AA_COMPROMISE(10, "aa-compromise");

    private final int code;
    private final String id;

    RevocationReason(int code, String id) {
        this.code = code;
        this.id = id;
    }

    /** The CRLReason ENUMERATED value. */
    public int code() {
        return code;
    }

    /** The name used by the CLI and API, for example {@code key-compromise}. */
    public String id() {
        return id;
    }

    /** The reason named {@code id} ({@link #id()}, case-insensitive); empty for any other name. */
    public static Optional<RevocationReason> byId(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String folded = id.toLowerCase(Locale.ROOT);
        for (RevocationReason reason : values()) {
            if (reason.id.equals(folded)) {
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }

    /** The reason with CRLReason value {@code code}; empty for hold, removeFromCRL and unassigned values. */
    public static Optional<RevocationReason> byCode(int code) {
        for (RevocationReason reason : values()) {
            if (reason.code == code) {
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }
}
