package dev.signet.core.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;

/**
 * A {@link Signer} over a private key held in memory, signing with the algorithm's chosen provider
 * ({@link KeyAlgorithm#signatureProvider()}), to which the key is translated once, here.
 *
 * <p>{@link #toString()} never shows the key. Storing the key (encrypted, with the envelope format
 * of {@code core.crypto}) is the caller's job: {@link #privateKey()} hands it over for that.
 */
public final class KeySigner implements Signer {
    private final KeyAlgorithm algorithm;
    private final PrivateKey privateKey;
    private final PrivateKey signingKey;
    private final PublicKey publicKey;

    public KeySigner(KeyAlgorithm algorithm, KeyPair keyPair) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.privateKey = Objects.requireNonNull(keyPair.getPrivate(), "private key");
        this.publicKey = Objects.requireNonNull(keyPair.getPublic(), "public key");
        this.signingKey = algorithm.signingKey(privateKey);
    }

    /** A signer over a new key of {@code algorithm}. */
    public static KeySigner generate(KeyAlgorithm algorithm) {
        return new KeySigner(algorithm, algorithm.generateKeyPair());
    }

    @Override
    public KeyAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }

    /** The private key, for the caller to store encrypted or export. */
    public PrivateKey privateKey() {
        return privateKey;
    }

    @Override
    public byte[] sign(byte[] data) {
        try {
            Signature signature = Signature.getInstance(algorithm.signatureAlgorithm(), algorithm.signatureProvider());
            signature.initSign(signingKey);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new PkiException(PkiException.CA_SIGNER_FAILED, algorithm + " signing failed", e);
        }
    }

    @Override
    public String toString() {
        return "KeySigner[" + algorithm + ", private key redacted]";
    }
}
