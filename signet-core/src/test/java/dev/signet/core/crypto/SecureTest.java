package dev.signet.core.crypto;

import static dev.signet.core.testing.Cases.bytes;
import static dev.signet.core.testing.Cases.forAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecureTest {
    @Test
    void sha256HexWhenFips180AbcVectorThenPublishedDigest() {
        // FIPS 180-2, appendix B.1
        assertThat(Secure.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Secure.hex(Secure.sha256("abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(Secure.sha256Hex("abc"));
    }

    @Test
    void constantTimeEqualsWhenEitherNullThenFalse() {
        assertThat(Secure.constantTimeEquals(null, null)).isFalse();
        assertThat(Secure.constantTimeEquals(new byte[0], null)).isFalse();
        assertThat(Secure.constantTimeEquals(null, new byte[0])).isFalse();
    }

    record Pair(byte[] a, byte[] b) {}

    @Test
    void constantTimeEqualsWhenAnyTwoArraysThenSameAsArraysEquals() {
        forAll(300, r -> new Pair(bytes(r, 0, 2), bytes(r, 0, 2)), p -> {
            assertThat(Secure.constantTimeEquals(p.a(), p.b())).isEqualTo(java.util.Arrays.equals(p.a(), p.b()));
            assertThat(Secure.constantTimeEquals(p.a(), p.a().clone())).isTrue();
        });
    }

    @Test
    void unhexWhenHexOfBytesThenSameBytes() {
        forAll(200, r -> bytes(r, 0, 64), bytes -> {
            assertThat(Secure.hex(bytes)).matches("[0-9a-f]*");
            assertThat(Secure.unhex(Secure.hex(bytes))).isEqualTo(bytes);
        });
    }

    @Test
    void randomBytesWhenCalledTwiceThenRequestedLengthAndDifferent() {
        assertThat(Secure.randomBytes(32)).hasSize(32).isNotEqualTo(Secure.randomBytes(32));
        assertThat(Secure.randomToken(32)).matches("[A-Za-z0-9_-]{43}");
    }
}
