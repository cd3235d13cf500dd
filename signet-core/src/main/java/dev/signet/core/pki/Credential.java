package dev.signet.core.pki;

import dev.signet.core.crypto.Secure;
import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS12PfxPduBuilder;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS12SafeBagBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCS12MacCalculatorBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEOutputEncryptorBuilder;

/**
 * A key pair Signet generated and the certificate issued for it ("generate for me"), with the
 * issuing CA's chain. {@link #toString()} never shows the key; nothing here stores it.
 *
 * <p>{@link #pkcs12} writes a PKCS#12 file (<a href="https://www.rfc-editor.org/rfc/rfc7292">RFC
 * 7292</a>) whose key and certificate bags are encrypted with PBES2: PBKDF2-HMAC-SHA256 and
 * AES-256-CBC (<a href="https://www.rfc-editor.org/rfc/rfc8018#section-6.2">RFC 8018 §6.2</a>), never
 * RC2 or 3DES, and whose integrity MAC is HMAC-SHA256 (<a
 * href="https://www.rfc-editor.org/rfc/rfc7292#appendix-B">RFC 7292 Appendix B</a> key derivation),
 * which OpenSSL 3 and Java's keytool read.
 *
 * @param privateKey the generated private key
 * @param certificate its certificate
 * @param caChain the issuing CA's chain, issuing CA first
 */
public record Credential(PrivateKey privateKey, X509Certificate certificate, List<X509Certificate> caChain) {
    public Credential {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(certificate, "certificate");
        caChain = List.copyOf(caChain);
    }

    /** The certificate followed by the CA chain. */
    public List<X509Certificate> chain() {
        List<X509Certificate> chain = new ArrayList<>(caChain.size() + 1);
        chain.add(certificate);
        chain.addAll(caChain);
        return List.copyOf(chain);
    }

    /** The chain as PEM, certificate first. */
    public String certificatePem() {
        return Pem.certificates(chain());
    }

    /** The private key as unencrypted PKCS#8 PEM. */
    public String privateKeyPem() {
        return Pem.privateKey(privateKey);
    }

    /** The private key as encrypted PKCS#8 PEM (PBKDF2-HMAC-SHA256, AES-256-CBC). */
    public String privateKeyPem(char[] password) {
        return Pem.privateKey(privateKey, password);
    }

    /** A PKCS#12 file holding the key under {@code alias} with the chain, protected by {@code password}. */
    public byte[] pkcs12(char[] password, String alias) {
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(alias, "alias");
        try {
            OutputEncryptor encryptor = new JcePKCSPBEOutputEncryptorBuilder(NISTObjectIdentifiers.id_aes256_CBC)
                    .setPRF(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_hmacWithSHA256))
                    .setIterationCount(Pem.PBKDF2_ITERATIONS)
                    .setRandom(Secure.random())
                    .setProvider(Providers.BC)
                    .build(password);
            var localKeyId = new DEROctetString(Certs.keyIdentifier(
                    SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded())));
            var name = new DERBMPString(alias);

            List<PKCS12SafeBag> certificates = new ArrayList<>();
            var leaf = new JcaPKCS12SafeBagBuilder(certificate);
            leaf.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, name);
            leaf.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, localKeyId);
            certificates.add(leaf.build());
            for (X509Certificate ca : caChain) {
                certificates.add(new JcaPKCS12SafeBagBuilder(ca).build());
            }
            var key = new JcaPKCS12SafeBagBuilder(privateKey, encryptor);
            key.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, name);
            key.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, localKeyId);

            PKCS12PfxPduBuilder pfx = new PKCS12PfxPduBuilder();
            pfx.addEncryptedData(encryptor, certificates.toArray(PKCS12SafeBag[]::new));
            pfx.addData(key.build());
            var mac = new JcePKCS12MacCalculatorBuilder(NISTObjectIdentifiers.id_sha256)
                    .setIterationCount(Pem.PBKDF2_ITERATIONS)
                    .setProvider(Providers.BC);
            return pfx.build(mac, password).getEncoded();
        } catch (IOException | OperatorCreationException | PKCSException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "PKCS#12 cannot be written", e);
        }
    }

    @Override
    public String toString() {
        return "Credential[" + certificate.getSubjectX500Principal() + ", private key redacted]";
    }
}
