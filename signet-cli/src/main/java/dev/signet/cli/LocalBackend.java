package dev.signet.cli;

import dev.signet.core.SignetException;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.KeySigner;
import dev.signet.core.sign.CmsSigner;
import dev.signet.core.sign.DigestAlgorithm;
import dev.signet.core.sign.Timestamper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Offline signing ({@code signet sign --keystore file.p12}): the key and chain of a local PKCS#12,
 * and the same core code the server signs with ({@link CmsSigner}), so a .p7s, a bundle or a JAR
 * signed offline is the same as one signed by the server. Timestamps come from {@code --tsa URL}
 * ({@link TsaClient}), or are left out.
 */
final class LocalBackend implements SignBackend {
    private final Path keystore;
    private final String alias;
    private final CmsSigner signer;
    private final DigestAlgorithm digestAlgorithm;
    private final Timestamper timestamper;
    private final Clock clock;

    private LocalBackend(
            Path keystore,
            String alias,
            CmsSigner signer,
            DigestAlgorithm digestAlgorithm,
            Timestamper timestamper,
            Clock clock) {
        this.keystore = keystore;
        this.alias = alias;
        this.signer = signer;
        this.digestAlgorithm = digestAlgorithm;
        this.timestamper = timestamper;
        this.clock = clock;
    }

    /**
     * Opens the PKCS#12 and picks its key: {@code alias}, or the only key in it.
     *
     * @throws SignetException {@code usage.keystore_*} (exit code 2) when the file cannot be opened,
     *     the password is wrong, or the key is not clear
     */
    static LocalBackend open(Path keystore, String alias, char[] password, Timestamper timestamper, Clock clock) {
        byte[] content = CaCommand.read(keystore, "keystore");
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(content), password);
        } catch (IOException | GeneralSecurityException e) {
            throw new SignetException(
                    "usage.keystore_unreadable",
                    "cannot open " + keystore + " as PKCS#12 (wrong password, or not a PKCS#12 file)");
        }
        try {
            List<String> keys = new ArrayList<>();
            for (String a : Collections.list(store.aliases())) {
                if (store.isKeyEntry(a)) {
                    keys.add(a);
                }
            }
            String chosen = alias;
            if (chosen == null) {
                if (keys.size() != 1) {
                    throw new SignetException(
                            "usage.keystore_alias",
                            keystore + " holds "
                                    + (keys.isEmpty()
                                            ? "no key"
                                            : keys.size() + " keys (" + String.join(", ", keys) + ")")
                                    + (keys.isEmpty() ? "" : "; choose one with --alias"));
                }
                chosen = keys.get(0);
            } else if (!keys.contains(chosen)) {
                throw new SignetException(
                        "usage.keystore_alias",
                        keystore + " has no key named '" + chosen + "'; it has: " + String.join(", ", keys));
            }
            Key key = store.getKey(chosen, password);
            Certificate[] certificates = store.getCertificateChain(chosen);
            if (!(key instanceof PrivateKey privateKey) || certificates == null || certificates.length == 0) {
                throw new SignetException(
                        "usage.keystore_alias",
                        "the entry '" + chosen + "' of " + keystore + " has no private key and certificate");
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : certificates) {
                chain.add((X509Certificate) c);
            }
            X509Certificate leaf = chain.get(0);
            KeyAlgorithm algorithm = KeyAlgorithm.of(
                            SubjectPublicKeyInfo.getInstance(leaf.getPublicKey().getEncoded()))
                    .orElseThrow(() -> new SignetException(
                            "usage.keystore_key",
                            "the key of '" + alias + "' in " + keystore + " is of a type Signet does not sign with"));
            CmsSigner cms =
                    new CmsSigner(new KeySigner(algorithm, new KeyPair(leaf.getPublicKey(), privateKey)), chain);
            return new LocalBackend(keystore, chosen, cms, DigestAlgorithm.forKey(algorithm), timestamper, clock);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new SignetException(
                    "usage.keystore_unreadable", "cannot read the key in " + keystore + ": " + e.getMessage());
        }
    }

    @Override
    public String describe() {
        return "key '" + alias + "' of " + keystore;
    }

    @Override
    public DigestAlgorithm digestAlgorithm() {
        return digestAlgorithm;
    }

    @Override
    public String signatureAlgorithm() {
        return signer.signatureAlgorithm();
    }

    @Override
    public List<X509Certificate> chain() {
        return signer.chain();
    }

    @Override
    public String signerName() {
        return alias;
    }

    @Override
    public List<Signed> sign(String kind, List<Request> batch) {
        List<Signed> out = new ArrayList<>(batch.size());
        for (Request r : batch) {
            if (kind.equals(RAW)) {
                byte[] signature = signer.signRaw(r.digest());
                byte[] token = timestamper == null
                        ? null
                        : timestamper.timestamp(digestAlgorithm, digestAlgorithm.digest(signature));
                out.add(new Signed(signature, token));
            } else {
                out.add(new Signed(
                        signer.signDetached(digestAlgorithm, r.digest(), clock.instant(), timestamper), null));
            }
        }
        return out;
    }
}
