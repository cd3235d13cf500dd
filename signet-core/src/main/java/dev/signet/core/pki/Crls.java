package dev.signet.core.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;

/**
 * Signs X.509 v2 certificate revocation lists (<a href="https://www.rfc-editor.org/rfc/rfc5280#section-5">RFC
 * 5280 §5</a>) for a {@link CertificateAuthority}, in numbered steps:
 *
 * <ol>
 *   <li>The CA may sign CRLs: its key usage, when present, has cRLSign (§4.2.1.3): {@code
 *       ca.crl_sign_not_allowed}.
 *   <li>The CRL number is non-negative and at most 20 octets (§5.2.3), the period positive, and no
 *       serial is listed twice: {@code crl.invalid}. That the number grows with every CRL the CA
 *       publishes is the caller's job (it stores the last one).
 *   <li>issuer = the CA's subject, byte for byte (§5.1.2.3); thisUpdate = the clock, nextUpdate =
 *       thisUpdate + period (§5.1.2.5, always present as §5.1.2.5 requires of conforming CAs).
 *   <li>One entry per revoked certificate, in serial order, with a reasonCode entry extension (§5.3.1)
 *       except for {@code unspecified}, which §5.3.1 says SHOULD be absent.
 *   <li>CRL extensions: authority key identifier = the CA's SKI (§5.2.1) and CRL number (§5.2.3), both
 *       non-critical. A complete CRL for the CA's whole scope: no issuing distribution point, no delta.
 *   <li>Signed through the CA's {@link Signer} with the algorithm of its key.
 * </ol>
 *
 * <p>Dropping entries of certificates that have expired, regenerating on schedule and serving the
 * result are the caller's job.
 */
public final class Crls {
    /** RFC 5280 §5.2.3: "CRL numbers MUST NOT be longer than 20 octets". */
    private static final int MAX_NUMBER_BITS = 159;

    private static final int CRL_SIGN = 6;

    private Crls() {}

    /**
     * A CRL signed by {@code ca}, numbered {@code number}, listing {@code revoked}, valid from now
     * for {@code period}.
     *
     * @throws PkiException {@code ca.crl_sign_not_allowed}, {@code crl.invalid}, or {@code
     *     ca.signer_failed} when the signer fails
     */
    public static X509CRL sign(
            CertificateAuthority ca,
            BigInteger number,
            Collection<RevokedCertificate> revoked,
            Duration period,
            Clock clock) {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(number, "number");
        Objects.requireNonNull(revoked, "revoked");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(clock, "clock");
        step1MaySignCrls(ca);
        List<RevokedCertificate> entries = step2Inputs(number, revoked, period);
        X509CertificateHolder caHolder = Certs.holder(ca.certificate());
        Instant thisUpdate = Certs.seconds(clock.instant());
        X509v2CRLBuilder builder = new X509v2CRLBuilder(caHolder.getSubject(), Date.from(thisUpdate));
        builder.setNextUpdate(Date.from(thisUpdate.plus(period)));
        try {
            for (RevokedCertificate entry : entries) {
                ExtensionsGenerator extensions = new ExtensionsGenerator();
                if (entry.reason() != RevocationReason.UNSPECIFIED) {
                    extensions.addExtension(
                            Extension.reasonCode,
                            false,
                            new ASN1Enumerated(entry.reason().code()));
                }
                builder.addCRLEntry(
                        entry.serial(),
                        Date.from(Certs.seconds(entry.revokedAt())),
                        extensions.isEmpty() ? null : extensions.generate());
            }
            builder.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(keyId(caHolder)));
            builder.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
        } catch (IOException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "the CRL cannot be encoded", e);
        }
        X509CRLHolder holder = builder.build(ca.contentSigner());
        return toX509(holder);
    }

    /** The CRL's DER encoding, as served at the distribution point. */
    public static byte[] der(X509CRL crl) {
        try {
            return crl.getEncoded();
        } catch (CRLException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "the CRL cannot be encoded", e);
        }
    }

    /** The CRL as an {@code X509 CRL} PEM block. */
    public static String pem(X509CRL crl) {
        return Pem.crl(crl);
    }

    private static void step1MaySignCrls(CertificateAuthority ca) {
        boolean[] keyUsage = ca.certificate().getKeyUsage();
        if (keyUsage != null && (keyUsage.length <= CRL_SIGN || !keyUsage[CRL_SIGN])) {
            throw new PkiException(
                    PkiException.CA_CRL_SIGN_NOT_ALLOWED, "the CA certificate's key usage has no cRLSign");
        }
    }

    private static List<RevokedCertificate> step2Inputs(
            BigInteger number, Collection<RevokedCertificate> revoked, Duration period) {
        if (number.signum() < 0 || number.bitLength() > MAX_NUMBER_BITS) {
            throw new PkiException(PkiException.CRL_INVALID, "the CRL number must be 0 to 2^159 - 1");
        }
        if (period.isNegative() || period.isZero()) {
            throw new PkiException(PkiException.CRL_INVALID, "the CRL period must be positive");
        }
        List<RevokedCertificate> entries = new ArrayList<>(revoked);
        entries.sort(Comparator.comparing(RevokedCertificate::serial));
        Set<BigInteger> seen = new HashSet<>();
        for (RevokedCertificate entry : entries) {
            if (!seen.add(entry.serial())) {
                throw new PkiException(
                        PkiException.CRL_INVALID, "serial " + entry.serial().toString(16) + " is listed twice");
            }
        }
        return entries;
    }

    private static byte[] keyId(X509CertificateHolder ca) {
        Extension ski = ca.getExtension(Extension.subjectKeyIdentifier);
        return ski != null
                ? SubjectKeyIdentifier.getInstance(ski.getParsedValue()).getKeyIdentifier()
                : Certs.keyIdentifier(ca.getSubjectPublicKeyInfo());
    }

    private static X509CRL toX509(X509CRLHolder holder) {
        try {
            return (X509CRL)
                    CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(holder.getEncoded()));
        } catch (CertificateException | CRLException | IOException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "the CRL cannot be decoded", e);
        }
    }
}
