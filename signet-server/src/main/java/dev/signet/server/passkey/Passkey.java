package dev.signet.server.passkey;

import dev.signet.server.signin.Factor;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A registered passkey as listed and audited: never the key material beyond its public credential id.
 *
 * @param credentialId base64url of the WebAuthn credential id
 * @param attestationFormat the attestation statement format at registration ({@code none} or {@code
 *     packed})
 * @param aaguid the authenticator model's AAGUID, when the authenticator disclosed one (all zeroes
 *     means it did not)
 * @param transports what the browser reported the authenticator can be reached by ({@code internal},
 *     {@code hybrid}, {@code usb}, ...)
 * @param backupEligible the BE flag at registration: a synced passkey (may exist on several devices)
 * @param backedUp the BS flag the last time it was used
 * @param signCount the last signature counter seen (0 for authenticators that do not count)
 */
public record Passkey(
        String id,
        String userId,
        String name,
        String credentialId,
        String attestationFormat,
        Optional<String> aaguid,
        List<String> transports,
        Instant createdAt,
        Optional<Instant> lastUsedAt,
        boolean backupEligible,
        boolean backedUp,
        long signCount) {

    public Passkey {
        transports = List.copyOf(transports);
    }

    /** The factor this passkey stands for: device-bound ({@code hwk}) or synced ({@code swk}). */
    public Factor factor() {
        return backupEligible ? Factor.SWK : Factor.HWK;
    }

    /** Synced (backup-eligible) rather than bound to one device. */
    public boolean synced() {
        return backupEligible;
    }
}
