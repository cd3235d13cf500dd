package dev.signet.core.pki;

import static dev.signet.core.pki.TestPki.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeyAlgorithmTest {
    private static final byte[] DATA = "tbsCertificate".getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void signWhenAnyAlgorithmThenVerifiesWithItsPublicKey(KeyAlgorithm algorithm) throws Exception {
        KeySigner signer = TestPki.signer(algorithm);

        byte[] signature = signer.sign(DATA);

        Signature verifier = Signature.getInstance(algorithm.signatureAlgorithm(), algorithm.signatureProvider());
        verifier.initVerify(signer.publicKey());
        verifier.update(DATA);
        assertThat(verifier.verify(signature)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void ofWhenKeyOfAlgorithmThenThatAlgorithm(KeyAlgorithm algorithm) {
        KeyPair keyPair = TestPki.keyPair(algorithm);

        assertThat(KeyAlgorithm.of(
                        SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded())))
                .contains(algorithm);
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void byIdWhenCliNameThenAlgorithm(KeyAlgorithm algorithm) {
        assertThat(KeyAlgorithm.byId(algorithm.id().toUpperCase(java.util.Locale.ROOT)))
                .contains(algorithm);
    }

    @Test
    void ofWhenRsa1024ThenKeyTooSmall() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        byte[] encoded = generator.generateKeyPair().getPublic().getEncoded();

        assertFailsWith(
                PkiException.CSR_KEY_TOO_SMALL, () -> KeyAlgorithm.of(SubjectPublicKeyInfo.getInstance(encoded)));
    }

    @Test
    void ofWhenCurveP521ThenNotSupported() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp521r1"));
        byte[] encoded = generator.generateKeyPair().getPublic().getEncoded();

        assertThat(KeyAlgorithm.of(SubjectPublicKeyInfo.getInstance(encoded))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(
            value = KeyAlgorithm.class,
            names = {"EC_P256", "EC_P384"})
    void signWhenEcThenJdkProviderVerifiesToo(KeyAlgorithm algorithm) throws Exception {
        // Signed by Bouncy Castle (the measured faster signer), checked by the JDK's SunEC.
        KeySigner signer = TestPki.signer(algorithm);

        byte[] signature = signer.sign(DATA);

        Signature verifier = Signature.getInstance(algorithm.signatureAlgorithm(), "SunEC");
        verifier.initVerify(signer.publicKey());
        verifier.update(DATA);
        assertThat(verifier.verify(signature)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(
            value = KeyAlgorithm.class,
            names = {"EC_P256", "EC_P384"})
    void signingKeyWhenJdkEcKeyThenSameScalarInSignerProviderForm(KeyAlgorithm algorithm) {
        var original = (java.security.interfaces.ECPrivateKey)
                TestPki.keyPair(algorithm).getPrivate();

        var translated = (java.security.interfaces.ECPrivateKey) algorithm.signingKey(original);

        assertThat(translated.getS()).isEqualTo(original.getS());
        assertThat(translated.getClass().getName()).startsWith("org.bouncycastle.");
    }

    @Test
    void toStringWhenKeySignerThenKeyRedacted() {
        KeySigner signer = TestPki.signer(KeyAlgorithm.EC_P256);

        assertThat(signer.toString()).contains("redacted").doesNotContain("Private");
    }
}
