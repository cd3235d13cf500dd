package dev.signet.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.asn1.x500.X500Name;

/** A test CA written once: cached keys (RSA-4096 is made at most once), a root and an intermediate. */
final class TestPki {
    static final PublicationUrls URLS = PublicationUrls.under(URI.create("http://pki.example.test/"), "test-ca");
    static final Clock CLOCK = Clock.systemUTC();

    private static final Map<KeyAlgorithm, KeyPair> KEYS = new ConcurrentHashMap<>();
    private static final Map<KeyAlgorithm, CertificateAuthority> INTERMEDIATES = new ConcurrentHashMap<>();

    static final CertificateAuthority ROOT = CertificateAuthority.createRoot(
            new X500Name("CN=Signet Test Root,O=Signet"), KeyAlgorithm.EC_P384, Duration.ofDays(3650), CLOCK);

    private TestPki() {}

    static KeyPair keyPair(KeyAlgorithm algorithm) {
        return KEYS.computeIfAbsent(algorithm, KeyAlgorithm::generateKeyPair);
    }

    static KeySigner signer(KeyAlgorithm algorithm) {
        return new KeySigner(algorithm, keyPair(algorithm));
    }

    /** An intermediate (pathLen 0) under {@link #ROOT} whose key is {@code algorithm}. */
    static CertificateAuthority intermediate(KeyAlgorithm algorithm) {
        return INTERMEDIATES.computeIfAbsent(
                algorithm,
                a -> new CertificateAuthority(
                        List.copyOf(withRoot(new Issuer(ROOT, URLS, CLOCK)
                                .issue(
                                        Issuer.csr(
                                                new X500Name("CN=Signet Test Issuing " + a.id()), List.of(), signer(a)),
                                        Profiles.SUB_CA))),
                        signer(a)));
    }

    static Issuer issuer() {
        return new Issuer(intermediate(KeyAlgorithm.EC_P256), URLS, CLOCK);
    }

    static byte[] csr(String subject, KeyAlgorithm algorithm, San... sans) {
        return Issuer.csr(new X500Name(subject), List.of(sans), signer(algorithm));
    }

    private static List<X509Certificate> withRoot(X509Certificate certificate) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificate);
        chain.addAll(ROOT.chain());
        return chain;
    }

    static void assertFailsWith(String code, ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        PkiException.class,
                        e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
    }

    /** Java's own PKIX validation of {@code leaf} and its CA chain up to {@code root}, no revocation. */
    static void assertPkixValid(X509Certificate leaf, List<X509Certificate> caChain) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> path = new ArrayList<>();
        path.add(reparse(factory, leaf));
        for (X509Certificate ca : caChain.subList(0, caChain.size() - 1)) {
            path.add(reparse(factory, ca));
        }
        X509Certificate root = reparse(factory, caChain.get(caChain.size() - 1));
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        parameters.setRevocationEnabled(false);
        parameters.setDate(new Date());
        CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(path), parameters);
    }

    private static X509Certificate reparse(CertificateFactory factory, X509Certificate certificate) throws Exception {
        return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(certificate.getEncoded()));
    }
}
