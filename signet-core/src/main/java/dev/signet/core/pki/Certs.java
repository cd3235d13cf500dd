package dev.signet.core.pki;

import dev.signet.core.crypto.Secure;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;

/** Small certificate helpers shared by the CA and the issuer. */
final class Certs {
    /** Serial numbers carry this many random bits (RFC 5280 4.1.2.2 allows up to 20 octets). */
    static final int SERIAL_BITS = 128;

    private Certs() {}

    /**
     * A positive serial of {@value #SERIAL_BITS} random bits from {@link Secure#random()}; zero, the
     * one value RFC 5280 §4.1.2.2 forbids, is drawn again.
     */
    static BigInteger serial() {
        while (true) {
            BigInteger serial = new BigInteger(1, Secure.randomBytes(SERIAL_BITS / 8));
            if (serial.signum() > 0) {
                return serial;
            }
        }
    }

    /**
     * The key identifier of RFC 7093 §2 method 1: the leftmost 160 bits of SHA-256 over the
     * subjectPublicKey BIT STRING's value. Used for SKI and AKI; no SHA-1.
     */
    static byte[] keyIdentifier(SubjectPublicKeyInfo key) {
        return Arrays.copyOf(Secure.sha256(key.getPublicKeyData().getBytes()), 20);
    }

    /** X.509 times have second precision; truncate so what is checked is what is encoded. */
    static Instant seconds(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS);
    }

    static X509Certificate toX509(X509CertificateHolder holder) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(holder.getEncoded()));
        } catch (CertificateException | IOException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "the certificate cannot be decoded", e);
        }
    }

    static X509CertificateHolder holder(X509Certificate certificate) {
        try {
            return new X509CertificateHolder(certificate.getEncoded());
        } catch (CertificateException | IOException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "the certificate cannot be encoded", e);
        }
    }

    /**
     * True when {@code child}'s signature verifies under {@code parent}'s public key, with the
     * measured verify provider for a known key algorithm ({@link KeyAlgorithm#verifyProvider()}).
     */
    static boolean signedBy(X509Certificate child, X509Certificate parent) {
        try {
            var algorithm = KeyAlgorithm.of(
                    SubjectPublicKeyInfo.getInstance(parent.getPublicKey().getEncoded()));
            if (algorithm.isPresent()) {
                child.verify(parent.getPublicKey(), algorithm.get().verifyProvider());
            } else {
                child.verify(parent.getPublicKey());
            }
            return true;
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
