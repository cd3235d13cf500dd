package dev.signet.core.pki;

import dev.signet.core.crypto.Secure;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Imports an existing CA's certificate chain and private key, in the steps documented on {@link
 * CertificateAuthority#importFrom(byte[], char[])}.
 */
final class CaImport {
    private static final int KEY_CERT_SIGN = 5;

    private CaImport() {}

    static CertificateAuthority pkcs12(byte[] pkcs12, char[] password) {
        if (pkcs12 == null || pkcs12.length == 0) {
            throw malformed("no PKCS#12 data", null);
        }
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(pkcs12), password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new PkiException(
                        PkiException.IMPORT_BAD_PASSWORD, "the password does not open the PKCS#12 file", e);
            }
            throw malformed("not a PKCS#12 file", e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw malformed("not a PKCS#12 file", e);
        }
        try {
            String alias = null;
            for (String candidate : Collections.list(store.aliases())) {
                if (store.isKeyEntry(candidate)) {
                    if (alias != null) {
                        throw malformed("the PKCS#12 file holds more than one key", null);
                    }
                    alias = candidate;
                }
            }
            if (alias == null) {
                throw malformed("the PKCS#12 file holds no private key", null);
            }
            PrivateKey key = (PrivateKey) store.getKey(alias, password);
            Certificate[] chain = store.getCertificateChain(alias);
            if (chain == null || chain.length == 0) {
                throw malformed("the PKCS#12 key has no certificate", null);
            }
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : chain) {
                certificates.add((X509Certificate) certificate);
            }
            return build(certificates, PrivateKeyInfo.getInstance(key.getEncoded()));
        } catch (UnrecoverableKeyException e) {
            throw new PkiException(PkiException.IMPORT_BAD_PASSWORD, "the password does not open the key", e);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw malformed("the PKCS#12 key entry cannot be read", e);
        }
    }

    static CertificateAuthority pem(String certificates, String privateKey, Optional<char[]> password) {
        List<X509Certificate> chain = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(certificates))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                if (!(object instanceof X509CertificateHolder holder)) {
                    throw malformed("the certificate PEM holds something other than certificates", null);
                }
                chain.add(Certs.toX509(holder));
            }
        } catch (IOException | RuntimeException e) {
            throw e instanceof PkiException p ? p : malformed("the certificate PEM cannot be read", e);
        }
        if (chain.isEmpty()) {
            throw malformed("no certificate in the PEM", null);
        }
        PrivateKeyInfo key;
        try (PEMParser parser = new PEMParser(new StringReader(privateKey))) {
            Object object = parser.readObject();
            if (parser.readObject() != null) {
                throw malformed("the key PEM holds more than one object", null);
            }
            key = switch (object) {
                case PrivateKeyInfo info -> info;
                case PEMKeyPair pair -> pair.getPrivateKeyInfo();
                case PKCS8EncryptedPrivateKeyInfo encrypted -> decrypt(encrypted, password);
                case null, default -> throw malformed("the key PEM is not a PKCS#8 private key", null);
            };
        } catch (IOException | RuntimeException e) {
            throw e instanceof PkiException p ? p : malformed("the key PEM cannot be read", e);
        }
        return build(chain, key);
    }

    private static PrivateKeyInfo decrypt(PKCS8EncryptedPrivateKeyInfo encrypted, Optional<char[]> password) {
        if (password.isEmpty()) {
            throw new PkiException(
                    PkiException.IMPORT_BAD_PASSWORD, "the private key is encrypted and no password was given");
        }
        try {
            return encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                    .setProvider(Providers.BC)
                    .build(password.get()));
        } catch (PKCSException | OperatorCreationException | RuntimeException e) {
            throw new PkiException(
                    PkiException.IMPORT_BAD_PASSWORD, "the password does not decrypt the private key", e);
        }
    }

    private static CertificateAuthority build(List<X509Certificate> chain, PrivateKeyInfo keyInfo) {
        X509Certificate certificate = chain.get(0);
        // Step 1: the chain is in order, each certificate signed by the next.
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate child = chain.get(i);
            X509Certificate parent = chain.get(i + 1);
            if (!child.getIssuerX500Principal().equals(parent.getSubjectX500Principal())
                    || !Certs.signedBy(child, parent)) {
                throw malformed("certificate " + i + " is not issued by the next one in the chain", null);
            }
        }
        // Step 2: the certificate is a CA that may sign certificates.
        boolean[] keyUsage = certificate.getKeyUsage();
        if (certificate.getBasicConstraints() < 0
                || keyUsage == null
                || keyUsage.length <= KEY_CERT_SIGN
                || !keyUsage[KEY_CERT_SIGN]) {
            throw new PkiException(
                    PkiException.IMPORT_NOT_A_CA, "the certificate is not a CA that may sign certificates");
        }
        // Step 3: the key is one of Signet's algorithms.
        KeyAlgorithm algorithm;
        try {
            algorithm = KeyAlgorithm.of(SubjectPublicKeyInfo.getInstance(
                            certificate.getPublicKey().getEncoded()))
                    .orElseThrow();
        } catch (RuntimeException e) {
            throw new PkiException(PkiException.IMPORT_UNSUPPORTED_KEY, "the CA key algorithm is not supported", e);
        }
        // Step 4: the private key is the certificate's, proven by a signature.
        PrivateKey key;
        try {
            key = algorithm.decodePrivateKey(keyInfo.getEncoded());
        } catch (InvalidKeySpecException | IOException | RuntimeException e) {
            throw new PkiException(
                    PkiException.IMPORT_KEY_MISMATCH, "the private key is not a " + algorithm.id() + " key", e);
        }
        KeySigner signer = new KeySigner(algorithm, new KeyPair(certificate.getPublicKey(), key));
        byte[] challenge = Secure.randomBytes(32);
        boolean matches;
        try {
            byte[] signature = signer.sign(challenge);
            Signature verifier = Signature.getInstance(algorithm.signatureAlgorithm(), algorithm.signatureProvider());
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            matches = false;
        }
        if (!matches) {
            throw new PkiException(
                    PkiException.IMPORT_KEY_MISMATCH, "the private key does not match the CA certificate");
        }
        return new CertificateAuthority(chain, signer);
    }

    private static PkiException malformed(String message, Throwable cause) {
        return new PkiException(PkiException.IMPORT_MALFORMED, message, cause);
    }
}
