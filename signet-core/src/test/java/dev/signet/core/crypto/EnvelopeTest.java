package dev.signet.core.crypto;

import static dev.signet.core.crypto.CryptoAssertions.assertFailsWith;
import static dev.signet.core.crypto.CryptoAssertions.assertFailsWithOneOf;
import static dev.signet.core.crypto.CryptoAssertions.hex;
import static dev.signet.core.testing.Cases.between;
import static dev.signet.core.testing.Cases.bytes;
import static dev.signet.core.testing.Cases.forAll;
import static dev.signet.core.testing.Cases.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeTest {
    private static final DataKey KEY =
            new DataKey("dk-2024", hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
    private static final DataKey OTHER = DataKey.generate("dk-2025");
    private static final Function<String, Optional<DataKey>> KEYS =
            id -> Optional.ofNullable(Map.of(KEY.id(), KEY, OTHER.id(), OTHER).get(id));
    private static final String CONTEXT = "app_secret.value/audit-mac";
    private static final byte[] PLAINTEXT = "hello, signet".getBytes(StandardCharsets.UTF_8);

    /**
     * Made outside Signet, with Python's {@code cryptography} AESGCM: key {@code 00..1f}, nonce
     * {@code 00..0b}, associated data {@code "signet/secret/v1\0dk-2024\0app_secret.value/audit-mac"},
     * body base64url without padding. Pins the at-rest format, so stored secrets keep opening.
     */
    private static final String PEER_VECTOR = "sv1.dk-2024.AAECAwQFBgcICQoLL2e6d6rJ4mjkJvnuxavTFpxm1hLm2atJ1opuRTs";

    @Test
    void openWhenSealedByPeerWithDocumentedFormatThenPlaintext() {
        assertThat(Envelope.open(PEER_VECTOR, CONTEXT, KEYS)).isEqualTo(PLAINTEXT);
    }

    @Test
    void sealWhenOpenedWithSameContextThenRoundTrips() {
        String envelope = Envelope.seal(KEY, CONTEXT, PLAINTEXT);

        assertThat(Envelope.open(envelope, CONTEXT, KEYS)).isEqualTo(PLAINTEXT);
    }

    record Secret(byte[] plaintext, String context) {}

    @Test
    void sealWhenAnyPlaintextAndContextThenRoundTrips() {
        forAll(200, r -> new Secret(bytes(r, 0, 200), text(r, 80)), s -> {
            String envelope = Envelope.seal(OTHER, s.context(), s.plaintext());

            assertThat(Envelope.open(envelope, s.context(), KEYS)).isEqualTo(s.plaintext());
        });
    }

    @Test
    void sealWhenCalledThenPrefixKeyIdAndUnpaddedBase64UrlBody() {
        String envelope = Envelope.seal(KEY, CONTEXT, PLAINTEXT);

        assertThat(envelope).matches("sv1\\.dk-2024\\.[A-Za-z0-9_-]+");
        assertThat(Envelope.dataKeyId(envelope)).isEqualTo("dk-2024");
    }

    @Test
    void sealWhenSamePlaintextTwiceThenEnvelopesDiffer() {
        assertThat(Envelope.seal(KEY, CONTEXT, PLAINTEXT)).isNotEqualTo(Envelope.seal(KEY, CONTEXT, PLAINTEXT));
    }

    record Flip(byte[] plaintext, int position, int mask) {}

    @Test
    void openWhenAnyByteOfBodyFlippedThenIntegrity() {
        forAll(500, r -> new Flip(bytes(r, 0, 64), between(r, 0, 1_000_000), between(r, 1, 255)), f -> {
            String envelope = Envelope.seal(KEY, CONTEXT, f.plaintext());
            String head = envelope.substring(0, envelope.lastIndexOf('.') + 1);
            byte[] body = Base64.getUrlDecoder().decode(envelope.substring(head.length()));
            body[f.position() % body.length] ^= (byte) f.mask();
            String tampered = head + Base64.getUrlEncoder().withoutPadding().encodeToString(body);

            assertFailsWith(CryptoException.INTEGRITY, () -> Envelope.open(tampered, CONTEXT, KEYS));
        });
    }

    @Test
    void openWhenCopiedToAnotherRowThenIntegrity() {
        String envelope = Envelope.seal(KEY, "app_secret.value/a", PLAINTEXT);

        assertFailsWith(CryptoException.INTEGRITY, () -> Envelope.open(envelope, "app_secret.value/b", KEYS));
    }

    @Test
    void openWhenCopiedToAnotherColumnThenIntegrity() {
        String envelope = Envelope.seal(KEY, "totp_factor.seed/42", PLAINTEXT);

        assertFailsWith(CryptoException.INTEGRITY, () -> Envelope.open(envelope, "recovery.seed/42", KEYS));
    }

    @Test
    void openWhenKeyIdRelabelledToAnotherKnownKeyThenIntegrity() {
        String envelope = Envelope.seal(KEY, CONTEXT, PLAINTEXT);
        String relabelled = envelope.replace("sv1.dk-2024.", "sv1.dk-2025.");

        assertFailsWith(CryptoException.INTEGRITY, () -> Envelope.open(relabelled, CONTEXT, KEYS));
    }

    @Test
    void openWhenKeyIdRelabelledButSameMaterialThenIntegrity() {
        // The id is in the associated data: the same material under another name does not open it.
        DataKey alias = new DataKey("dk-alias", KEY.material());
        String relabelled = Envelope.seal(KEY, CONTEXT, PLAINTEXT).replace("sv1.dk-2024.", "sv1.dk-alias.");

        assertFailsWith(
                CryptoException.INTEGRITY,
                () -> Envelope.open(
                        relabelled, CONTEXT, id -> Optional.of(alias).filter(k -> k.id().equals(id))));
    }

    @Test
    void openWhenKeyIdUnknownThenUnknownKey() {
        String envelope = Envelope.seal(DataKey.generate("dk-retired"), CONTEXT, PLAINTEXT);

        assertFailsWith(CryptoException.UNKNOWN_KEY, () -> Envelope.open(envelope, CONTEXT, KEYS));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "hello",
                "sv1",
                "sv1.",
                "sv1.dk-2024",
                "sv1.dk-2024.",
                "sv1..AAECAwQFBgcICQoLL2e6d6rJ4mjkJvnuxavTFpxm1hLm2atJ1opuRTs",
                "sv2.dk-2024.AAECAwQFBgcICQoLL2e6d6rJ4mjkJvnuxavTFpxm1hLm2atJ1opuRTs",
                "SV1.dk-2024.AAECAwQFBgcICQoLL2e6d6rJ4mjkJvnuxavTFpxm1hLm2atJ1opuRTs",
                " sv1.dk-2024.AAECAwQFBgcICQoLL2e6d6rJ4mjkJvnuxavTFpxm1hLm2atJ1opuRTs",
                "dk-2024.AAECAwQFBgcICQoLL2e6d6rJ4mjkJvnuxavTFpxm1hLm2atJ1opuRTs",
                "sv1.dk-2024.AAECAwQFBgcICQoLL2e6d6rJ4mjkJvnuxavTFpxm1hLm2atJ1opuRT$",
                "sv1.dk-2024.AAECAwQFBgcICQoLL2e6d6rJ4mjkJvnuxavTFpxm1hLm2atJ1opuRTs\n",
                "sv1.dk-2024.AAECAwQFBgcICQoLL2e6d6rJ4mjkJvnuxavTFpx+1hLm2atJ1opuRTs",
                "sv1.dk-2024.AAECAwQFBgcICQoLL2e6d6rJ4mjkJvnuxavTFpxm1hLm2atJ1opuRTsAA",
                "sv1.dk-2024.AAECAwQFBgcICQoL",
            })
    void openWhenMalformedThenFormat(String envelope) {
        assertFailsWith(CryptoException.FORMAT, () -> Envelope.open(envelope, CONTEXT, KEYS));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"hello", "sv1.", "sv1.dk-2024", "sv1.dk-2024.", "sv1..body"})
    void dataKeyIdWhenMalformedThenFormat(String envelope) {
        assertFailsWith(CryptoException.FORMAT, () -> Envelope.dataKeyId(envelope));
    }

    @Test
    void openWhenStringNotMadeBySealThenNeverOpens() {
        forAll(
                2000,
                EnvelopeTest::notSealed,
                candidate -> assertFailsWithOneOf(
                        () -> Envelope.open(candidate, CONTEXT, KEYS),
                        CryptoException.FORMAT,
                        CryptoException.UNKNOWN_KEY,
                        CryptoException.INTEGRITY));
    }

    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static String notSealed(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> text(r, 120);
            case 1 -> "sv1." + text(r, 120);
            case 2 -> "sv1.dk-2024." + text(r, 120);
            case 3 -> "sv1.dk-2024." + text(r, 120, BASE64URL);
            case 4 -> "sv1.dk-2025." + text(r, 120, BASE64URL);
            // a real nonce and a well-formed length, with a made-up ciphertext and tag
            default -> "sv1.dk-2024.AAECAwQFBgcICQoL" + text(r, 120, BASE64URL);
        };
    }

    // --- Known defects: enable these when Envelope is fixed (see the test report). ---

    @Test
    void openWhenBodyHasNonZeroTrailingBitsThenFormat() {
        // 41 body bytes -> 55 characters whose last one carries 2 unused bits: 's' and 't' decode alike.
        String edited = PEER_VECTOR.substring(0, PEER_VECTOR.length() - 1) + "t";

        assertFailsWith(CryptoException.FORMAT, () -> Envelope.open(edited, CONTEXT, KEYS));
    }

    @Test
    void openWhenBodyPaddedThenFormat() {
        assertFailsWith(CryptoException.FORMAT, () -> Envelope.open(PEER_VECTOR + "=", CONTEXT, KEYS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dk.2024", ""})
    void sealWhenKeyIdCannotBeParsedBackThenRejectedOrRoundTrips(String id) {
        DataKey key = new DataKey(id, KEY.material());
        String envelope;
        try {
            envelope = Envelope.seal(key, CONTEXT, PLAINTEXT);
        } catch (IllegalArgumentException rejected) {
            return;
        }
        assertThat(Envelope.open(envelope, CONTEXT, k -> Optional.of(key).filter(d -> d.id().equals(k))))
                .isEqualTo(PLAINTEXT);
    }
}
