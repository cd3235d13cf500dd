package dev.signet.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Asserts on the stable error code of a {@link CryptoException}, which is what callers rely on. */
final class CryptoAssertions {
    private CryptoAssertions() {}

    static void assertFailsWith(String code, ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        CryptoException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    static void assertFailsWithOneOf(ThrowingCallable call, String... codes) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        CryptoException.class, e -> assertThat(e.code()).isIn((Object[]) codes));
    }

    static byte[] hex(String hex) {
        return Secure.unhex(hex);
    }
}
