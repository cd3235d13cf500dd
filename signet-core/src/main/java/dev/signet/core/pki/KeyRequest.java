package dev.signet.core.pki;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * A "generate for me" request: Signet makes the key pair, then issues through the same pipeline as
 * for a CSR ({@link Issuer#generate}).
 *
 * @param subject the subject name
 * @param sans subject alternative names
 * @param algorithm the key algorithm; empty means the profile's {@link Profile#preferredKey()}
 * @param validity the validity; empty means the profile's default
 */
public record KeyRequest(
        X500Name subject, List<San> sans, Optional<KeyAlgorithm> algorithm, Optional<Duration> validity) {
    public KeyRequest {
        Objects.requireNonNull(subject, "subject");
        sans = List.copyOf(sans);
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(validity, "validity");
    }

    /** A request for {@code subject} with the profile's defaults. */
    public static KeyRequest of(X500Name subject, San... sans) {
        return new KeyRequest(subject, List.of(sans), Optional.empty(), Optional.empty());
    }

    public KeyRequest withAlgorithm(KeyAlgorithm algorithm) {
        return new KeyRequest(subject, sans, Optional.of(algorithm), validity);
    }

    public KeyRequest withValidity(Duration validity) {
        return new KeyRequest(subject, sans, algorithm, Optional.of(validity));
    }
}
