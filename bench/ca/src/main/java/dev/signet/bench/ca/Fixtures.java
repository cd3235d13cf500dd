package dev.signet.bench.ca;

import dev.signet.core.pki.CertificateAuthority;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.Profiles;
import dev.signet.core.pki.PublicationUrls;
import java.net.URI;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** What every benchmark sets up once per trial: a root and an intermediate CA, and CSRs. */
final class Fixtures {
    static final Clock CLOCK = Clock.systemUTC();
    static final PublicationUrls ROOT_URLS =
            PublicationUrls.under(URI.create("http://pki.example.test/"), "bench-root");
    static final PublicationUrls URLS = PublicationUrls.under(URI.create("http://pki.example.test/"), "bench-issuing");

    /** CSRs in a pool, cycled by the issuance benchmarks: a new key per request. */
    static final int POOL = 256;

    private Fixtures() {}

    /** A root over a new key of {@code algorithm} and an intermediate (pathLen 0) under it, same algorithm. */
    static CertificateAuthority intermediate(KeyAlgorithm algorithm) {
        CertificateAuthority root = CertificateAuthority.createRoot(
                new X500Name("CN=Signet Bench Root " + algorithm.id() + ",O=Signet"),
                algorithm,
                Duration.ofDays(3650),
                CLOCK);
        return CertificateAuthority.createIntermediate(
                root,
                ROOT_URLS,
                new X500Name("CN=Signet Bench Issuing " + algorithm.id() + ",O=Signet"),
                algorithm,
                Profiles.SUB_CA,
                Duration.ofDays(1825),
                CLOCK);
    }

    /**
     * A DER PKCS#10 request for {@code CN=host} with a dNSName SAN {@code host}, over a new key of
     * {@code algorithm}, signed with that key (as a TLS client's CSR would be).
     */
    static byte[] csr(String host, KeyAlgorithm algorithm) {
        try {
            KeyPair keyPair = algorithm.generateKeyPair();
            var builder = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + host), keyPair.getPublic());
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
            builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
            return builder.build(new JcaContentSignerBuilder(algorithm.signatureAlgorithm())
                            .setProvider(algorithm.signatureProvider())
                            .build(keyPair.getPrivate()))
                    .getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a CSR", e);
        }
    }

    /** {@link #POOL} CSRs for {@code host-N.example.test}, EC P-256 keys. */
    static byte[][] csrPool() {
        byte[][] pool = new byte[POOL][];
        for (int i = 0; i < POOL; i++) {
            pool[i] = csr("host-" + i + ".example.test", KeyAlgorithm.EC_P256);
        }
        return pool;
    }
}
