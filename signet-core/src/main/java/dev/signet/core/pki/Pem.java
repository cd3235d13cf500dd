package dev.signet.core.pki;

import dev.signet.core.crypto.Secure;
import java.io.IOException;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * PEM text (<a href="https://www.rfc-editor.org/rfc/rfc7468">RFC 7468</a>) for certificates and
 * private keys. Keys are PKCS#8 ({@code PRIVATE KEY}) or, with a password, encrypted PKCS#8 ({@code
 * ENCRYPTED PRIVATE KEY}: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, <a
 * href="https://www.rfc-editor.org/rfc/rfc8018#section-6.2">RFC 8018 §6.2</a>).
 */
public final class Pem {
    /** PBKDF2 iterations for encrypted keys and PKCS#12 files. */
    static final int PBKDF2_ITERATIONS = 100_000;

    private Pem() {}

    /** {@code CERTIFICATE} blocks, in order. */
    public static String certificates(List<X509Certificate> certificates) {
        return write(certificates.toArray());
    }

    public static String certificate(X509Certificate certificate) {
        return write(certificate);
    }

    /** An {@code X509 CRL} block (RFC 7468 §6). */
    public static String crl(java.security.cert.X509CRL crl) {
        return write(crl);
    }

    /** An unencrypted PKCS#8 {@code PRIVATE KEY} block. Handle with care: it is the key in clear. */
    public static String privateKey(PrivateKey key) {
        try {
            return write(new JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "private key cannot be encoded", e);
        }
    }

    /** An {@code ENCRYPTED PRIVATE KEY} block: PBKDF2-HMAC-SHA256 and AES-256-CBC under {@code password}. */
    public static String privateKey(PrivateKey key, char[] password) {
        try {
            var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                    .setPRF(PKCS8Generator.PRF_HMACSHA256)
                    .setIterationCount(PBKDF2_ITERATIONS)
                    .setRandom(Secure.random())
                    .setProvider(Providers.BC)
                    .setPassword(password)
                    .build();
            return write(new JcaPKCS8Generator(key, encryptor));
        } catch (IOException | OperatorCreationException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "private key cannot be encrypted", e);
        }
    }

    private static String write(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                if (object instanceof PemObjectGenerator generator) {
                    writer.writeObject(generator);
                } else {
                    writer.writeObject(object);
                }
            }
        } catch (IOException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "PEM cannot be written", e);
        }
        return out.toString();
    }
}
