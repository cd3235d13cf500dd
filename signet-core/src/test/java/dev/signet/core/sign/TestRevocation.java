package dev.signet.core.sign;

import dev.signet.core.pki.Credential;
import dev.signet.core.pki.Crls;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.OcspResponder;
import dev.signet.core.pki.Profiles;
import dev.signet.core.pki.RevocationReason;
import dev.signet.core.pki.RevocationStatus;
import dev.signet.core.pki.RevokedCertificate;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test PKI's revocation services without HTTP: the issuing CA's OCSP responder ({@link
 * OcspResponder}) and CRL ({@link Crls}), the root's CRL, answered by URL as a server would, for a
 * {@link NetworkRevocation} whose GET and POST are these methods. The root has no OCSP responder, so
 * the issuing CA's status comes from the root's CRL.
 */
final class TestRevocation {
    private final Clock clock;
    private final Map<BigInteger, RevocationStatus> statuses = new ConcurrentHashMap<>();
    private final OcspResponder responder;
    final AtomicInteger ocspRequests = new AtomicInteger();
    final AtomicInteger crlRequests = new AtomicInteger();
    volatile boolean ocspDown;
    volatile boolean crlDown;

    TestRevocation(Clock clock) {
        this.clock = clock;
        Credential ocsp = SignPki.credential("ocsp", Profiles.OCSP_SIGNING, KeyAlgorithm.EC_P256, Duration.ofDays(30));
        this.responder = new OcspResponder(
                SignPki.CA.certificate(),
                ocsp.certificate(),
                SignPki.signer(ocsp),
                serial -> Optional.of(statuses.getOrDefault(serial, new RevocationStatus.Good())),
                Duration.ofHours(1),
                clock);
    }

    void revoke(X509Certificate certificate, Instant at, RevocationReason reason) {
        statuses.put(certificate.getSerialNumber(), new RevocationStatus.Revoked(at, reason));
    }

    NetworkRevocation source() {
        return new NetworkRevocation(this::get, this::post, clock);
    }

    byte[] get(URI uri) {
        crlRequests.incrementAndGet();
        if (!crlDown && uri.equals(SignPki.URLS.crl())) {
            List<RevokedCertificate> revoked = new ArrayList<>();
            statuses.forEach((serial, status) -> {
                if (status instanceof RevocationStatus.Revoked r) {
                    revoked.add(new RevokedCertificate(serial, r.revokedAt(), r.reason()));
                }
            });
            return Crls.der(Crls.sign(SignPki.CA, BigInteger.ONE, revoked, Duration.ofDays(1), clock));
        }
        if (!crlDown && uri.equals(SignPki.ROOT_URLS.crl())) {
            return Crls.der(Crls.sign(SignPki.ROOT, BigInteger.ONE, List.of(), Duration.ofDays(1), clock));
        }
        throw new UncheckedIOException(new java.io.IOException("unreachable: " + uri));
    }

    byte[] post(URI uri, byte[] body) {
        ocspRequests.incrementAndGet();
        if (!ocspDown && uri.equals(SignPki.URLS.ocsp())) {
            return responder.respond(body);
        }
        throw new UncheckedIOException(new java.io.IOException("unreachable: " + uri));
    }
}
