package dev.signet.core.sign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.pki.Credential;
import dev.signet.core.pki.Crls;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.Profiles;
import dev.signet.core.pki.RevocationReason;
import dev.signet.core.pki.RevocationStatus;
import dev.signet.core.pki.RevokedCertificate;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OCSP first, CRL second, unknown last; answers that cannot be trusted are not used. */
class NetworkRevocationTest {
    private final MutableClock clock = new MutableClock(SignPki.ISSUED.plus(Duration.ofHours(2)));
    private final TestRevocation services = new TestRevocation(clock);
    private final Credential leaf =
            SignPki.credential("code-network", Profiles.CODE_SIGNING, KeyAlgorithm.EC_P256, Duration.ofDays(30));
    private final X509Certificate ca = SignPki.CA.certificate();
    private final Instant revokedAt =
            SignPki.ISSUED.plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);

    @Test
    void ocspIsAskedFirstAndItsAnswerIsUsed() {
        assertThat(services.source().check(leaf.certificate(), ca)).isEqualTo(new RevocationStatus.Good());
        assertThat(services.ocspRequests.get()).isEqualTo(1);
        assertThat(services.crlRequests.get()).isZero();

        services.revoke(leaf.certificate(), revokedAt, RevocationReason.SUPERSEDED);
        assertThat(services.source().check(leaf.certificate(), ca))
                .isEqualTo(new RevocationStatus.Revoked(revokedAt, RevocationReason.SUPERSEDED));
    }

    @Test
    void withoutOcspTheCrlIsUsedAndKept() {
        services.ocspDown = true;
        services.revoke(leaf.certificate(), revokedAt, RevocationReason.KEY_COMPROMISE);
        NetworkRevocation source = services.source();

        assertThat(source.check(leaf.certificate(), ca))
                .isEqualTo(new RevocationStatus.Revoked(revokedAt, RevocationReason.KEY_COMPROMISE));
        assertThat(source.check(SignPki.codeSigning(KeyAlgorithm.EC_P256).certificate(), ca))
                .isEqualTo(new RevocationStatus.Good());
        assertThat(services.crlRequests.get()).isEqualTo(1);
        // The issuing CA itself: the root has no OCSP responder, its CRL answers.
        assertThat(source.check(ca, SignPki.ROOT.certificate())).isEqualTo(new RevocationStatus.Good());
    }

    @Test
    void ocspAnswersThatCannotBeTrustedFallBackToTheCrl() {
        services.revoke(leaf.certificate(), revokedAt, RevocationReason.KEY_COMPROMISE);
        RevocationStatus fromCrl = new RevocationStatus.Revoked(revokedAt, RevocationReason.KEY_COMPROMISE);

        NetworkRevocation corrupted = new NetworkRevocation(
                services::get,
                (uri, body) -> {
                    byte[] answer = services.post(uri, body);
                    answer[answer.length - 3] ^= 1;
                    return answer;
                },
                clock);
        assertThat(corrupted.check(leaf.certificate(), ca)).isEqualTo(fromCrl);

        byte[][] replay = new byte[1][];
        NetworkRevocation replayed = new NetworkRevocation(
                services::get,
                (uri, body) -> {
                    if (replay[0] == null) {
                        replay[0] = services.post(uri, body);
                    }
                    return replay[0];
                },
                clock);
        replayed.check(leaf.certificate(), ca);
        int crlsBefore = services.crlRequests.get();
        assertThat(replayed.check(leaf.certificate(), ca)).isEqualTo(fromCrl);
        assertThat(services.crlRequests.get()).isGreaterThan(crlsBefore);
    }

    @Test
    void staleOrForeignCrlsAndNoLocationsGiveUnknown() {
        services.ocspDown = true;
        Clock old = Clock.fixed(clock.instant().minus(Duration.ofDays(3)), ZoneOffset.UTC);
        NetworkRevocation stale = new NetworkRevocation(
                uri -> Crls.der(Crls.sign(SignPki.CA, BigInteger.ONE, List.of(), Duration.ofDays(1), old)),
                services::post,
                clock);
        assertThat(stale.check(leaf.certificate(), ca)).isEqualTo(new RevocationStatus.Unknown());

        NetworkRevocation foreign = new NetworkRevocation(
                uri -> Crls.der(Crls.sign(
                        SignPki.ROOT,
                        BigInteger.ONE,
                        List.of(new RevokedCertificate(
                                leaf.certificate().getSerialNumber(), revokedAt, RevocationReason.UNSPECIFIED)),
                        Duration.ofDays(1),
                        clock)),
                services::post,
                clock);
        assertThat(foreign.check(leaf.certificate(), ca)).isEqualTo(new RevocationStatus.Unknown());

        // A root names no CRL or OCSP location.
        assertThat(services.source().check(SignPki.ROOT.certificate(), SignPki.ROOT.certificate()))
                .isEqualTo(new RevocationStatus.Unknown());
    }
}
