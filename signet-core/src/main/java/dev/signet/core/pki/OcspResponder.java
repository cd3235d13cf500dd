package dev.signet.core.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.RevokedInfo;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * An OCSP responder (<a href="https://www.rfc-editor.org/rfc/rfc6960">RFC 6960</a>) for one CA, signing
 * with a delegated OCSP-signing certificate (§4.2.2.2) issued by that CA with the {@code ocsp-signing}
 * profile. Stateless: statuses come from the {@link StatusLookup} port; HTTP (RFC 6960 Appendix A,
 * GET and POST) is the caller's job. {@link #respond(byte[])} never throws for a bad request; it
 * answers with an OCSP error status instead, in these steps:
 *
 * <ol>
 *   <li>The request parses as one DER OCSPRequest with 1 to {@value #MAX_CERT_IDS} CertIDs: else
 *       {@code malformedRequest} (§2.3). A request signature, if any, is not checked: this responder
 *       answers anyone (§4.1.2 makes signing optional).
 *   <li>The nonce extension, when present, is an OCTET STRING of 1 to 32 octets (<a
 *       href="https://www.rfc-editor.org/rfc/rfc8954#section-2.1">RFC 8954 §2.1</a>): else {@code
 *       malformedRequest}.
 *   <li>Each CertID's issuerNameHash and issuerKeyHash, under the hash the request names, match this
 *       CA. If none does, the answer is {@code unauthorized}: this responder "is not capable of
 *       responding authoritatively" (§2.3, RFC 5019 §2.2.3). In a request that also names this CA, a
 *       CertID of another issuer gets {@code unknown} (§2.2).
 *   <li>The status of each of this CA's serials comes from the port: good, revoked (time and, except
 *       for {@code unspecified}, reason) or, when empty, unknown. If the port throws, the answer is
 *       {@code internalError} (§2.3) and nothing is signed.
 *   <li>thisUpdate = producedAt = the clock; nextUpdate = thisUpdate + the validity given.
 *   <li>The nonce extension is copied into the response extensions unchanged (RFC 8954 §2.1).
 *   <li>ResponderID byKey (SHA-1 of the responder key, as §4.2.1 defines it); the responder
 *       certificate in {@code certs}; signed through the responder's {@link Signer}.
 * </ol>
 */
public final class OcspResponder {
    /** Most CertIDs answered in one request; more is refused as {@code malformedRequest}. */
    public static final int MAX_CERT_IDS = 16;

    private static final int MAX_NONCE = 32;

    /**
     * The status port: what the CA's records say of a serial this CA issued. Implementations MUST NOT
     * return null; empty means "never issued by this CA" (unknown).
     */
    @FunctionalInterface
    public interface StatusLookup {
        Optional<RevocationStatus> status(BigInteger serial);
    }

    private final X509CertificateHolder ca;
    private final X509CertificateHolder responder;
    private final Signer signer;
    private final StatusLookup lookup;
    private final Duration validity;
    private final Clock clock;
    private final DigestCalculatorProvider digests;
    private final SubjectPublicKeyInfo responderKey;

    /**
     * @param caCertificate the CA whose certificates this responder answers for
     * @param responderCertificate the delegated OCSP signer, issued by {@code caCertificate}
     * @param signer the responder certificate's key
     * @param lookup the status port
     * @param validity how long a response is good for (nextUpdate - thisUpdate)
     * @param clock the time source
     * @throws PkiException {@code ocsp.bad_responder} when the responder certificate is not a
     *     delegated OCSP signer of this CA, or {@code signer} does not hold its key
     */
    public OcspResponder(
            X509Certificate caCertificate,
            X509Certificate responderCertificate,
            Signer signer,
            StatusLookup lookup,
            Duration validity,
            Clock clock) {
        Objects.requireNonNull(caCertificate, "caCertificate");
        Objects.requireNonNull(responderCertificate, "responderCertificate");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        this.validity = Objects.requireNonNull(validity, "validity");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive");
        }
        checkDelegated(caCertificate, responderCertificate, signer);
        this.ca = Certs.holder(caCertificate);
        this.responder = Certs.holder(responderCertificate);
        this.responderKey = responder.getSubjectPublicKeyInfo();
        try {
            this.digests = new JcaDigestCalculatorProviderBuilder()
                    .setProvider(Providers.BC)
                    .build();
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("digests are unavailable", e);
        }
    }

    /**
     * The DER OCSPResponse to the DER OCSPRequest {@code request}: successful and signed, or one of
     * the unsigned error statuses. See the class comment for the steps.
     */
    public byte[] respond(byte[] request) {
        OCSPReq parsed;
        Req[] certIds;
        Optional<Extension> nonce;
        try {
            parsed = step1Parse(request);
            certIds = parsed.getRequestList();
            if (certIds.length == 0 || certIds.length > MAX_CERT_IDS) {
                return error(OCSPRespBuilder.MALFORMED_REQUEST);
            }
            nonce = step2Nonce(parsed);
        } catch (IOException | RuntimeException e) {
            return error(OCSPRespBuilder.MALFORMED_REQUEST);
        }
        boolean[] ours = step3Ours(certIds);
        boolean any = false;
        for (boolean b : ours) {
            any |= b;
        }
        if (!any) {
            return error(OCSPRespBuilder.UNAUTHORIZED);
        }
        CertificateStatus[] statuses = new CertificateStatus[certIds.length];
        try {
            for (int i = 0; i < certIds.length; i++) {
                statuses[i] = ours[i] ? step4Status(certIds[i].getCertID().getSerialNumber()) : new UnknownStatus();
            }
        } catch (RuntimeException e) {
            return error(OCSPRespBuilder.INTERNAL_ERROR);
        }
        Instant now = Certs.seconds(clock.instant());
        try {
            BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(responderKey, sha1());
            for (int i = 0; i < certIds.length; i++) {
                builder.addResponse(
                        certIds[i].getCertID(), statuses[i], Date.from(now), Date.from(now.plus(validity)), null);
            }
            if (nonce.isPresent()) {
                Extension n = nonce.get();
                builder.setResponseExtensions(new Extensions(new Extension(n.getExtnId(), false, n.getExtnValue())));
            }
            BasicOCSPResp basic = builder.build(
                    new SignerContentSigner(signer), new X509CertificateHolder[] {responder}, Date.from(now));
            return new OCSPRespBuilder()
                    .build(OCSPRespBuilder.SUCCESSFUL, basic)
                    .getEncoded();
        } catch (OCSPException | IOException | PkiException e) {
            return error(OCSPRespBuilder.INTERNAL_ERROR);
        }
    }

    private static OCSPReq step1Parse(byte[] request) throws IOException {
        if (request == null || request.length == 0) {
            throw new IOException("empty request");
        }
        OCSPReq parsed = new OCSPReq(request);
        if (!Arrays.equals(parsed.getEncoded(), request)) {
            throw new IOException("trailing or non-DER bytes");
        }
        return parsed;
    }

    private static Optional<Extension> step2Nonce(OCSPReq request) throws IOException {
        Extension nonce = request.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        if (nonce == null) {
            return Optional.empty();
        }
        ASN1OctetString value = ASN1OctetString.getInstance(nonce.getParsedValue());
        int length = value.getOctets().length;
        if (length < 1 || length > MAX_NONCE) {
            throw new IOException("nonce of " + length + " octets");
        }
        return Optional.of(nonce);
    }

    private boolean[] step3Ours(Req[] certIds) {
        boolean[] ours = new boolean[certIds.length];
        for (int i = 0; i < certIds.length; i++) {
            try {
                ours[i] = certIds[i].getCertID().matchesIssuer(ca, digests);
            } catch (OCSPException | RuntimeException e) {
                ours[i] = false; // a hash algorithm we do not know cannot name this CA
            }
        }
        return ours;
    }

    private CertificateStatus step4Status(BigInteger serial) {
        Optional<RevocationStatus> status = lookup.status(serial);
        Objects.requireNonNull(status, "the status lookup returned null");
        if (status.isEmpty()) {
            return new UnknownStatus();
        }
        return switch (status.get()) {
            case RevocationStatus.Good good -> CertificateStatus.GOOD;
            case RevocationStatus.Unknown unknown -> new UnknownStatus();
            case RevocationStatus.Revoked revoked -> {
                var time = new ASN1GeneralizedTime(Date.from(Certs.seconds(revoked.revokedAt())));
                yield revoked.reason() == RevocationReason.UNSPECIFIED
                        ? new RevokedStatus(new RevokedInfo(time, null))
                        : new RevokedStatus(new RevokedInfo(
                                time, CRLReason.lookup(revoked.reason().code())));
            }
        };
    }

    private DigestCalculator sha1() {
        try {
            // RFC 6960 §4.2.1: KeyHash is the SHA-1 hash of the responder's public key.
            return digests.get(CertificateID.HASH_SHA1);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("SHA-1 is unavailable", e);
        }
    }

    private static byte[] error(int status) {
        try {
            return new OCSPRespBuilder().build(status, null).getEncoded();
        } catch (OCSPException | IOException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "the OCSP response cannot be encoded", e);
        }
    }

    private static void checkDelegated(X509Certificate ca, X509Certificate responder, Signer signer) {
        if (!responder.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            throw bad("the responder certificate is not issued by this CA");
        }
        if (!Certs.signedBy(responder, ca)) {
            throw bad("the responder certificate's signature does not verify under the CA key");
        }
        List<String> purposes;
        try {
            purposes = responder.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw bad("the responder certificate's extended key usage cannot be read");
        }
        if (purposes == null || !purposes.contains(KeyPurposeId.id_kp_OCSPSigning.getId())) {
            throw bad("the responder certificate has no id-kp-OCSPSigning");
        }
        if (responder.getExtensionValue(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck.getId()) == null) {
            throw bad("the responder certificate has no id-pkix-ocsp-nocheck");
        }
        if (!Arrays.equals(
                responder.getPublicKey().getEncoded(), signer.publicKey().getEncoded())) {
            throw bad("the signer's key is not the responder certificate's key");
        }
    }

    private static PkiException bad(String message) {
        return new PkiException(PkiException.OCSP_BAD_RESPONDER, message);
    }
}
