package dev.signet.server.ca;

import dev.signet.core.pki.Pem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataGenerator;

/**
 * The encodings certificates are handed out in: DER (RFC 5280), PEM (RFC 7468) and a certs-only
 * PKCS#7 / CMS SignedData (RFC 5652 §5, "degenerate": no content, no signers), the {@code .p7b} that
 * Windows, Java's keytool and {@code openssl pkcs7 -print_certs} read.
 */
public final class CertificateFormats {
    /** RFC 8555 §7.4.2: a leaf and its chain as PEM. */
    public static final String PEM_CHAIN = "application/pem-certificate-chain";
    /** RFC 5280 §4.2.1.13 / RFC 2585: a DER certificate. */
    public static final String PKIX_CERT = "application/pkix-cert";
    /** RFC 2585: a DER CRL. */
    public static final String PKIX_CRL = "application/pkix-crl";
    /** RFC 5751 §3.2.2: certs-only PKCS#7. */
    public static final String PKCS7 = "application/pkcs7-mime";
    /** PEM text of any kind. */
    public static final String PEM = "application/x-pem-file";
    /** RFC 6960 Appendix A. */
    public static final String OCSP_REQUEST = "application/ocsp-request";

    public static final String OCSP_RESPONSE = "application/ocsp-response";

    private CertificateFormats() {}

    public static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("a stored certificate cannot be encoded", e);
        }
    }

    /** CERTIFICATE blocks, in order. */
    public static String pem(List<X509Certificate> certificates) {
        return Pem.certificates(certificates);
    }

    /** A DER certs-only SignedData holding {@code certificates}, in order. */
    public static byte[] pkcs7(List<X509Certificate> certificates) {
        try {
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addCertificates(new JcaCertStore(certificates));
            return generator.generate(new CMSAbsentContent(), false).getEncoded(ASN1Encoding.DER);
        } catch (CertificateEncodingException | CMSException | IOException e) {
            throw new IllegalStateException("PKCS#7 cannot be written", e);
        }
    }

    /** A certificate from its DER encoding (as stored). */
    static X509Certificate fromDer(byte[] der) {
        try {
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalStateException("a stored certificate cannot be read", e);
        }
    }

    static X509Certificate fromBase64(String der) {
        return fromDer(Base64.getDecoder().decode(der));
    }

    /** Certificates from PEM text (as stored). */
    static List<X509Certificate> fromPem(String pem) {
        try {
            List<X509Certificate> certificates = new ArrayList<>();
            for (var certificate : CertificateFactory.getInstance("X.509")
                    .generateCertificates(
                            new ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
                certificates.add((X509Certificate) certificate);
            }
            return certificates;
        } catch (CertificateException e) {
            throw new IllegalStateException("a stored certificate chain cannot be read", e);
        }
    }
}
