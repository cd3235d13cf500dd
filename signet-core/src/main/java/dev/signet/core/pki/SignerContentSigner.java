package dev.signet.core.pki;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/**
 * Adapts the {@link Signer} port to Bouncy Castle's {@link ContentSigner} operator. One use only:
 * the bytes written accumulate, so make a new one per signature.
 */
public final class SignerContentSigner implements ContentSigner {
    private static final DefaultSignatureAlgorithmIdentifierFinder FINDER =
            new DefaultSignatureAlgorithmIdentifierFinder();

    private final Signer signer;
    private final AlgorithmIdentifier algorithmIdentifier;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);

    public SignerContentSigner(Signer signer) {
        this.signer = signer;
        this.algorithmIdentifier = FINDER.find(signer.algorithm().signatureAlgorithm());
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return algorithmIdentifier;
    }

    @Override
    public OutputStream getOutputStream() {
        return buffer;
    }

    @Override
    public byte[] getSignature() {
        return signer.sign(buffer.toByteArray());
    }
}
