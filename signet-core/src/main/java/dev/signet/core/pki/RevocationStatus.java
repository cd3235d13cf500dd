package dev.signet.core.pki;

import java.time.Instant;
import java.util.Objects;

/**
 * A certificate's status as its CA's records know it: good or revoked. For the CA's own records,
 * "unknown" (<a href="https://www.rfc-editor.org/rfc/rfc6960#section-2.2">RFC 6960 §2.2</a>), a serial
 * this CA never issued, is the absence of a status ({@code Optional.empty()}); {@link Unknown} is what
 * a relying party learns when no CRL or OCSP answer settles the question.
 */
public sealed interface RevocationStatus {
    /** Issued and not revoked. RFC 6960 "good" says no more than that: not that it is still valid. */
    record Good() implements RevocationStatus {}

    /**
     * Revoked at {@code revokedAt} for {@code reason}.
     *
     * @param revokedAt when it was revoked
     * @param reason why
     */
    record Revoked(Instant revokedAt, RevocationReason reason) implements RevocationStatus {
        public Revoked {
            Objects.requireNonNull(revokedAt, "revokedAt");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** No source could say: an OCSP "unknown", no reachable or valid CRL or OCSP response. */
    record Unknown() implements RevocationStatus {}

    static RevocationStatus good() {
        return new Good();
    }

    static RevocationStatus revoked(Instant revokedAt, RevocationReason reason) {
        return new Revoked(revokedAt, reason);
    }

    static RevocationStatus unknown() {
        return new Unknown();
    }
}
