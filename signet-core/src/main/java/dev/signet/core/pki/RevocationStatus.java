package dev.signet.core.pki;

import java.time.Instant;
import java.util.Objects;

/**
 * A certificate's status as its CA's records know it: good or revoked. "Unknown" (<a
 * href="https://www.rfc-editor.org/rfc/rfc6960#section-2.2">RFC 6960 §2.2</a>), a serial this CA never
 * issued, is the absence of a status ({@code Optional.empty()}).
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

    static RevocationStatus good() {
        return new Good();
    }

    static RevocationStatus revoked(Instant revokedAt, RevocationReason reason) {
        return new Revoked(revokedAt, reason);
    }
}
