package dev.signet.core.sign;

import dev.signet.core.crypto.Secure;
import dev.signet.core.pki.Providers;
import dev.signet.core.pki.RevocationReason;
import dev.signet.core.pki.RevocationStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CRLReason;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A {@link RevocationSource} that asks the certificate's issuer over the network, HTTP being the
 * caller's injected functions (the CLI passes {@code java.net.http} ones; tests pass the responders
 * themselves):
 *
 * <ol>
 *   <li>OCSP first (<a href="https://www.rfc-editor.org/rfc/rfc6960">RFC 6960</a>), at each http(s)
 *       id-ad-ocsp location of the authority information access extension (<a
 *       href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2.2.1">RFC 5280 §4.2.2.1</a>), by POST
 *       (RFC 6960 Appendix A.1): a request for the certificate's CertID (SHA-1, as <a
 *       href="https://www.rfc-editor.org/rfc/rfc5019#section-2.1.1">RFC 5019 §2.1.1</a> requires) with a
 *       16-byte nonce (<a href="https://www.rfc-editor.org/rfc/rfc8954">RFC 8954</a>). The answer counts
 *       only when it is successful, signed by the issuer or by a delegated responder the issuer
 *       certified with id-kp-OCSPSigning (§4.2.2.2), echoes the nonce (or, without one, is current:
 *       thisUpdate not in the future, nextUpdate not past), and has a good or revoked status for the
 *       CertID. "unknown" and every failure fall through to the next step.
 *   <li>Else the CRL at each http(s) full-name distribution point (RFC 5280 §4.2.1.13), fetched by GET
 *       and kept for the life of this object while it is current: it counts when issued by the issuer
 *       (name and signature) and current. The certificate's entry, if any, gives time and reason.
 *   <li>Else {@link RevocationStatus.Unknown}.
 * </ol>
 *
 * <p>Delta CRLs, indirect CRLs and OCSP by GET are not used. Thread-safe.
 */
public final class NetworkRevocation implements RevocationSource {
    /** How far the other side's clock may be off ours. */
    private static final Duration SKEW = Duration.ofMinutes(5);

    private final Function<URI, byte[]> get;
    private final BiFunction<URI, byte[], byte[]> post;
    private final Clock clock;
    private final Map<URI, X509CRL> crls = new ConcurrentHashMap<>();
    private final DigestCalculatorProvider digests;

    /** Over the system clock. */
    public NetworkRevocation(Function<URI, byte[]> get, BiFunction<URI, byte[], byte[]> post) {
        this(get, post, Clock.systemUTC());
    }

    /**
     * @param get fetches a URL (for CRLs); may throw for an unreachable one
     * @param post posts a DER OCSP request with content type application/ocsp-request and returns the
     *     body; may throw
     * @param clock what "current" means for CRLs and OCSP responses
     */
    public NetworkRevocation(Function<URI, byte[]> get, BiFunction<URI, byte[], byte[]> post, Clock clock) {
        this.get = Objects.requireNonNull(get, "get");
        this.post = Objects.requireNonNull(post, "post");
        this.clock = Objects.requireNonNull(clock, "clock");
        try {
            this.digests = new JcaDigestCalculatorProviderBuilder().build();
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("digests are unavailable", e);
        }
    }

    @Override
    public RevocationStatus check(X509Certificate cert, X509Certificate issuer) {
        Extensions extensions = extensions(cert);
        for (URI ocsp : ocspLocations(extensions)) {
            RevocationStatus status = ocsp(ocsp, cert, issuer);
            if (!(status instanceof RevocationStatus.Unknown)) {
                return status;
            }
        }
        for (URI crl : crlLocations(extensions)) {
            RevocationStatus status = crl(crl, cert, issuer);
            if (!(status instanceof RevocationStatus.Unknown)) {
                return status;
            }
        }
        return new RevocationStatus.Unknown();
    }

    private RevocationStatus ocsp(URI uri, X509Certificate cert, X509Certificate issuer) {
        try {
            X509CertificateHolder issuerHolder = new X509CertificateHolder(issuer.getEncoded());
            CertificateID id =
                    new CertificateID(digests.get(CertificateID.HASH_SHA1), issuerHolder, cert.getSerialNumber());
            byte[] nonce = Secure.randomBytes(16);
            byte[] request = new OCSPReqBuilder()
                    .addRequest(id)
                    .setRequestExtensions(new Extensions(Extension.create(
                            OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(nonce))))
                    .build()
                    .getEncoded();
            OCSPResp response = new OCSPResp(post.apply(uri, request));
            if (response.getStatus() != OCSPResp.SUCCESSFUL
                    || !(response.getResponseObject() instanceof BasicOCSPResp basic)) {
                return new RevocationStatus.Unknown();
            }
            if (!signedByIssuerOrDelegate(basic, issuerHolder, issuer)) {
                return new RevocationStatus.Unknown();
            }
            Extension echoed = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            boolean nonceEchoed = echoed != null
                    && MessageDigest.isEqual(
                            ASN1OctetString.getInstance(echoed.getParsedValue()).getOctets(), nonce);
            if (echoed != null && !nonceEchoed) {
                return new RevocationStatus.Unknown();
            }
            Instant now = clock.instant();
            for (SingleResp single : basic.getResponses()) {
                if (!single.getCertID().equals(id)) {
                    continue;
                }
                if (single.getThisUpdate().toInstant().isAfter(now.plus(SKEW))) {
                    return new RevocationStatus.Unknown();
                }
                if (!nonceEchoed
                        && (single.getNextUpdate() == null
                                || single.getNextUpdate().toInstant().isBefore(now.minus(SKEW)))) {
                    return new RevocationStatus.Unknown();
                }
                CertificateStatus status = single.getCertStatus();
                if (status == CertificateStatus.GOOD) {
                    return new RevocationStatus.Good();
                }
                if (status instanceof RevokedStatus revoked) {
                    RevocationReason reason = revoked.hasRevocationReason()
                            ? RevocationReason.byCode(revoked.getRevocationReason())
                                    .orElse(RevocationReason.UNSPECIFIED)
                            : RevocationReason.UNSPECIFIED;
                    return new RevocationStatus.Revoked(
                            revoked.getRevocationTime().toInstant(), reason);
                }
                if (status instanceof UnknownStatus) {
                    return new RevocationStatus.Unknown();
                }
            }
            return new RevocationStatus.Unknown();
        } catch (Exception e) { // unreachable responder, garbage answer: try the next source
            return new RevocationStatus.Unknown();
        }
    }

    /** RFC 6960 §4.2.2.2: the issuer itself, or a certificate it issued for id-kp-OCSPSigning. */
    private static boolean signedByIssuerOrDelegate(
            BasicOCSPResp basic, X509CertificateHolder issuerHolder, X509Certificate issuer) throws Exception {
        JcaContentVerifierProviderBuilder verifiers = new JcaContentVerifierProviderBuilder().setProvider(Providers.BC);
        if (basic.getResponderId()
                        .equals(new org.bouncycastle.cert.ocsp.RespID(
                                issuerHolder.getSubjectPublicKeyInfo(), digestSha1()))
                || basic.getResponderId().equals(new org.bouncycastle.cert.ocsp.RespID(issuerHolder.getSubject()))) {
            if (basic.isSignatureValid(verifiers.build(issuer.getPublicKey()))) {
                return true;
            }
        }
        for (X509CertificateHolder candidate : basic.getCerts()) {
            if (!candidate.getIssuer().equals(issuerHolder.getSubject())
                    || !candidate.isSignatureValid(verifiers.build(issuer.getPublicKey()))) {
                continue;
            }
            var eku = org.bouncycastle.asn1.x509.ExtendedKeyUsage.fromExtensions(candidate.getExtensions());
            if (eku == null || !eku.hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning)) {
                continue;
            }
            if (!candidate.isValidOn(basic.getProducedAt())) {
                continue;
            }
            if (basic.isSignatureValid(verifiers.build(candidate))) {
                return true;
            }
        }
        return false;
    }

    private static org.bouncycastle.operator.DigestCalculator digestSha1() throws Exception {
        return new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1);
    }

    private RevocationStatus crl(URI uri, X509Certificate cert, X509Certificate issuer) {
        try {
            Instant now = clock.instant();
            X509CRL crl = crls.get(uri);
            if (crl == null || !current(crl, now)) {
                crl = (X509CRL)
                        CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(get.apply(uri)));
                if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                    return new RevocationStatus.Unknown();
                }
                crl.verify(issuer.getPublicKey());
                if (!current(crl, now)) {
                    return new RevocationStatus.Unknown();
                }
                crls.put(uri, crl);
            }
            X509CRLEntry entry = crl.getRevokedCertificate(cert.getSerialNumber());
            if (entry == null) {
                return new RevocationStatus.Good();
            }
            CRLReason reason = entry.getRevocationReason();
            return new RevocationStatus.Revoked(
                    entry.getRevocationDate().toInstant(),
                    reason == null
                            ? RevocationReason.UNSPECIFIED
                            : RevocationReason.byCode(reason.ordinal()).orElse(RevocationReason.UNSPECIFIED));
        } catch (GeneralSecurityException | RuntimeException e) {
            return new RevocationStatus.Unknown();
        }
    }

    private static boolean current(X509CRL crl, Instant now) {
        return !crl.getThisUpdate().toInstant().isAfter(now.plus(SKEW))
                && crl.getNextUpdate() != null
                && !crl.getNextUpdate().toInstant().isBefore(now.minus(SKEW));
    }

    private static Extensions extensions(X509Certificate cert) {
        try {
            return new X509CertificateHolder(cert.getEncoded()).getExtensions();
        } catch (IOException | java.security.cert.CertificateEncodingException e) {
            return null;
        }
    }

    static List<URI> ocspLocations(Extensions extensions) {
        List<URI> uris = new ArrayList<>();
        AuthorityInformationAccess aia =
                extensions == null ? null : AuthorityInformationAccess.fromExtensions(extensions);
        if (aia != null) {
            for (AccessDescription description : aia.getAccessDescriptions()) {
                if (description.getAccessMethod().equals(AccessDescription.id_ad_ocsp)) {
                    http(description.getAccessLocation(), uris);
                }
            }
        }
        return uris;
    }

    static List<URI> crlLocations(Extensions extensions) {
        List<URI> uris = new ArrayList<>();
        CRLDistPoint points = extensions == null ? null : CRLDistPoint.fromExtensions(extensions);
        if (points != null) {
            for (DistributionPoint point : points.getDistributionPoints()) {
                DistributionPointName name = point.getDistributionPoint();
                if (name != null && name.getType() == DistributionPointName.FULL_NAME && point.getCRLIssuer() == null) {
                    for (GeneralName general :
                            GeneralNames.getInstance(name.getName()).getNames()) {
                        http(general, uris);
                    }
                }
            }
        }
        return uris;
    }

    private static void http(GeneralName name, List<URI> into) {
        if (name.getTagNo() != GeneralName.uniformResourceIdentifier) {
            return;
        }
        try {
            URI uri = URI.create(name.getName().toString());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (scheme.equals("http") || scheme.equals("https")) {
                into.add(uri);
            }
        } catch (IllegalArgumentException e) {
            // not a URI: skip it
        }
    }
}
