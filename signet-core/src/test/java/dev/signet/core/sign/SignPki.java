package dev.signet.core.sign;

import dev.signet.core.pki.CertificateAuthority;
import dev.signet.core.pki.Credential;
import dev.signet.core.pki.Issuer;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.KeyRequest;
import dev.signet.core.pki.KeySigner;
import dev.signet.core.pki.Pem;
import dev.signet.core.pki.Profile;
import dev.signet.core.pki.Profiles;
import dev.signet.core.pki.PublicationUrls;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * The signing tests' PKI, made once per JVM: a root, an issuing CA under it, code-signing credentials
 * per key algorithm and a TSA. Certificates are issued at {@link #ISSUED}, the time the tests start, so
 * that {@code openssl} and {@code jarsigner}, which check validity against the machine's clock, find
 * them valid; the verifier's clocks are fixed relative to it.
 */
final class SignPki {
    static final Instant ISSUED = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    static final Clock ISSUE_CLOCK = Clock.fixed(ISSUED, ZoneOffset.UTC);
    /** Where the root publishes (the issuing CA's certificate points here) and where the issuing CA does. */
    static final PublicationUrls ROOT_URLS = PublicationUrls.under(URI.create("http://pki.example.test/"), "root-ca");

    static final PublicationUrls URLS = PublicationUrls.under(URI.create("http://pki.example.test/"), "sign-ca");

    static final CertificateAuthority ROOT = CertificateAuthority.createRoot(
            new X500Name("CN=Signet Signing Test Root,O=Signet"),
            KeyAlgorithm.EC_P256,
            Duration.ofDays(3650),
            ISSUE_CLOCK);
    static final CertificateAuthority CA = CertificateAuthority.createIntermediate(
            ROOT,
            ROOT_URLS,
            new X500Name("CN=Signet Signing Test Issuing CA,O=Signet"),
            KeyAlgorithm.EC_P256,
            Profiles.SUB_CA,
            Duration.ofDays(1825),
            ISSUE_CLOCK);
    static final Issuer ISSUER = new Issuer(CA, URLS, ISSUE_CLOCK);

    private static final Map<String, Credential> CREDENTIALS = new ConcurrentHashMap<>();

    private SignPki() {}

    /** A code-signing credential with a key of {@code algorithm}, valid for a year. */
    static Credential codeSigning(KeyAlgorithm algorithm) {
        return credential("code-" + algorithm.id(), Profiles.CODE_SIGNING, algorithm, Duration.ofDays(365));
    }

    /** The TSA's credential (timestamping profile, EC P-256). */
    static Credential tsa() {
        return credential("tsa", Profiles.TIMESTAMPING, KeyAlgorithm.EC_P256, Duration.ofDays(730));
    }

    static Credential credential(String name, Profile profile, KeyAlgorithm algorithm, Duration validity) {
        return CREDENTIALS.computeIfAbsent(
                name,
                n -> ISSUER.generate(
                        profile,
                        KeyRequest.of(new X500Name("CN=" + n + ",O=Signet Tests"))
                                .withAlgorithm(algorithm)
                                .withValidity(validity)));
    }

    static KeySigner signer(Credential credential) {
        KeyAlgorithm algorithm = KeyAlgorithm.of(org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(
                        credential.certificate().getPublicKey().getEncoded()))
                .orElseThrow();
        return new KeySigner(algorithm, new KeyPair(credential.certificate().getPublicKey(), credential.privateKey()));
    }

    static CmsSigner cmsSigner(Credential credential) {
        return new CmsSigner(signer(credential), credential.chain());
    }

    static TimeStampAuthority tsa(Clock clock) {
        Credential tsa = tsa();
        return new TimeStampAuthority(signer(tsa), tsa.chain(), TimeStampAuthority.DEFAULT_POLICY, clock);
    }

    /** The root as a PEM file in {@code dir}. */
    static Path rootPem(Path dir) throws Exception {
        Path root = dir.resolve("root.pem");
        Files.writeString(root, Pem.certificate(ROOT.certificate()));
        return root;
    }

    static List<java.security.cert.X509Certificate> anchors() {
        return List.of(ROOT.certificate());
    }
}
