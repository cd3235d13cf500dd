package dev.signet.core.password;

import static dev.signet.core.testing.Cases.bytes;
import static dev.signet.core.testing.Cases.forAll;
import static dev.signet.core.testing.Cases.oneOf;
import static dev.signet.core.testing.Cases.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Argon2id against the reference implementation. RFC 9106 section 5.3's vector uses a secret and
 * associated data, which a PHC password string cannot carry, so the vectors below were made once
 * with the reference {@code argon2} command-line tool (Debian package {@code argon2},
 * 0~20171227-0.3+deb12u1) by the command quoted above each one.
 */
class Argon2idTest {
    private static final Argon2id.Params SMALL = new Argon2id.Params(256, 1, 1);
    private static final Argon2id HASHER = new Argon2id(SMALL);

    /** {@code echo -n password | argon2 somesalt -id -t 2 -m 10 -p 1 -e} (-m is log2 KiB: 1024 KiB). */
    private static final String CLI_PASSWORD_M1024 =
            "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk";

    /** {@code echo -n password | argon2 somesaltsomesalt -id -t 1 -k 256 -p 1 -e} (-k is KiB). */
    private static final String CLI_PASSWORD_M256 =
            "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM";

    /** {@code echo -n password | argon2 somesaltsomesalt -id -t 1 -k 256 -p 1 -l 16 -e}: a 16-byte tag. */
    private static final String CLI_PASSWORD_TAG16 =
            "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$pflYFUgAEzm7qfkA1fje1A";

    /**
     * {@code printf '%s' 'correct horse battery staple' | argon2 signetvectorsalt -id -t 2 -k 64 -p 2 -l 32 -e}:
     * two lanes.
     */
    private static final String CLI_HORSE_P2 =
            "$argon2id$v=19$m=64,t=2,p=2$c2lnbmV0dmVjdG9yc2FsdA$ibe8z7WJRoFO509Qsq8kygnPBR+sDIKVdHtrX1YDrlE";

    /**
     * {@code printf '%s' 'pässwörd 🔑' | argon2 saltysaltysalty! -id -t 1 -k 128 -p 1 -e} in a UTF-8
     * terminal: the password is hashed as its UTF-8 bytes.
     */
    private static final String CLI_UNICODE =
            "$argon2id$v=19$m=128,t=1,p=1$c2FsdHlzYWx0eXNhbHR5IQ$NKlweeTfimyQdzeBFMUa17T9YjHOtp14VxXOgfHXex8";

    private static final String UNICODE_PASSWORD = "p\u00e4ssw\u00f6rd \uD83D\uDD11";

    @Test
    void verifyWhenReferenceCliHashOfPasswordThenTrue() {
        assertThat(HASHER.verify("password", CLI_PASSWORD_M1024)).isTrue();
        assertThat(HASHER.verify("password", CLI_PASSWORD_M256)).isTrue();
    }

    @Test
    void verifyWhenReferenceCliHashWithSixteenByteTagThenTrue() {
        assertThat(HASHER.verify("password", CLI_PASSWORD_TAG16)).isTrue();
    }

    @Test
    void verifyWhenReferenceCliHashWithTwoLanesThenTrue() {
        assertThat(HASHER.verify("correct horse battery staple", CLI_HORSE_P2)).isTrue();
    }

    @Test
    void verifyWhenReferenceCliHashOfNonAsciiPasswordThenUtf8Matches() {
        assertThat(HASHER.verify(UNICODE_PASSWORD, CLI_UNICODE)).isTrue();
        assertThat(HASHER.verify(new StringBuilder(UNICODE_PASSWORD), CLI_UNICODE))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Password", "password ", " password", "passwor", "password\0"})
    void verifyWhenReferenceCliHashAndWrongPasswordThenFalse(String wrong) {
        assertThat(HASHER.verify(wrong, CLI_PASSWORD_M256)).isFalse();
        assertThat(HASHER.verify(wrong, CLI_PASSWORD_M1024)).isFalse();
    }

    @Test
    void hashWhenCalledThenPhcStringWithOwnParams() {
        assertThat(HASHER.hash("password"))
                .matches("\\$argon2id\\$v=19\\$m=256,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    }

    @Test
    void hashWhenVerifiedWithSamePasswordThenTrue() {
        String encoded = HASHER.hash("correct horse battery staple");

        assertThat(HASHER.verify("correct horse battery staple", encoded)).isTrue();
    }

    @Test
    void hashWhenVerifiedWithWrongPasswordThenFalse() {
        String encoded = HASHER.hash("correct horse battery staple");

        assertThat(HASHER.verify("correct horse battery stapl", encoded)).isFalse();
        assertThat(HASHER.verify("Correct horse battery staple", encoded)).isFalse();
    }

    @Test
    void hashWhenSamePasswordTwiceThenSaltsDiffer() {
        String first = HASHER.hash("password");
        String second = HASHER.hash("password");

        assertThat(salt(first)).isNotEqualTo(salt(second));
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void verifyWhenHashedWithOtherParamsThenReadsParamsFromString() {
        String encoded = new Argon2id(new Argon2id.Params(512, 2, 2)).hash("password");

        assertThat(encoded).contains("$m=512,t=2,p=2$");
        assertThat(HASHER.verify("password", encoded)).isTrue();
    }

    @Test
    void verifyWhenAnyOtherPasswordThenFalse() {
        forAll(
                50,
                r -> r.nextInt(4) == 0 ? "password" + text(r, 3) : text(r, 40),
                password ->
                        assertThat(HASHER.verify(password, CLI_PASSWORD_M256)).isEqualTo(password.equals("password")));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "password",
                "$argon2id$",
                "$argon2i$v=19$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2d$v=19$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$ARGON2ID$v=19$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
                "$argon2id$v=16$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "x$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=256,t=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=256,t=1,p=1,x=2$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=256,t=1,p$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=abc,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=-256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=256,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=256,t=1,p=0$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=4,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=4194305,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=99999999999,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=256,t=65,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=1024,t=1,p=65$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=256,t=1,p=1$$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$pflYFUgAEzm7qfkA1fje",
                "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$",
                "$argon2id$v=19$m=256,t=1,p=1$c29tZXNh!HRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7-SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM$x",
            })
    void verifyWhenNotAWellFormedArgon2idStringThenFalse(String encoded) {
        assertThat(HASHER.verify("password", encoded)).isFalse();
        assertThat(HASHER.needsRehash(encoded)).isTrue();
    }

    @Test
    void verifyWhenArbitraryStringThenFalse() {
        forAll(
                1000,
                r -> oneOf(r, "", "$argon2id$", "$argon2id$v=19$", "$argon2id$v=19$m=256,t=1,p=1$") + text(r, 100),
                encoded -> assertThat(HASHER.verify("password", encoded)).isFalse());
    }

    @Test
    void verifyWhenAlgorithmIsAnythingButArgon2idThenFalse() {
        forAll(
                300,
                r -> oneOf(r, "argon2i", "argon2d", "argon2", "Argon2id", "argon2id ", "") + text(r, 8),
                algorithm -> {
                    String encoded = CLI_PASSWORD_M256.replace("$argon2id$", "$" + algorithm + "$");
                    assertThat(HASHER.verify("password", encoded)).isEqualTo(algorithm.equals("argon2id"));
                });
    }

    @Test
    void verifyWhenTagReplacedByOtherBytesThenFalse() {
        String prefix = CLI_PASSWORD_M256.substring(0, CLI_PASSWORD_M256.lastIndexOf('$') + 1);
        forAll(100, r -> bytes(r, 16, 64), tag -> {
            String encoded = prefix + Base64.getEncoder().withoutPadding().encodeToString(tag);
            boolean real = encoded.equals(CLI_PASSWORD_M256) || encoded.equals(CLI_PASSWORD_TAG16);

            assertThat(HASHER.verify("password", encoded)).isEqualTo(real);
        });
    }

    @Test
    void needsRehashWhenSameParamsThenFalse() {
        assertThat(HASHER.needsRehash(HASHER.hash("password"))).isFalse();
        assertThat(HASHER.needsRehash(CLI_PASSWORD_M256)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"512, 1, 1", "256, 2, 1", "256, 1, 2", "19456, 2, 1"})
    void needsRehashWhenOtherParamsThenTrue(int memoryKiB, int iterations, int parallelism) {
        Argon2id other = new Argon2id(new Argon2id.Params(memoryKiB, iterations, parallelism));

        assertThat(other.needsRehash(CLI_PASSWORD_M256)).isTrue();
        assertThat(HASHER.needsRehash(CLI_PASSWORD_M1024)).isTrue();
    }

    @Test
    void paramsWhenDefaultThenOwaspRecommendation() {
        assertThat(Argon2id.Params.DEFAULT).isEqualTo(new Argon2id.Params(19_456, 2, 1));
        assertThat(new Argon2id(Argon2id.Params.DEFAULT).needsRehash(CLI_PASSWORD_M256))
                .isTrue();
    }

    @ParameterizedTest
    @CsvSource({"7, 1, 1", "15, 1, 2", "256, 0, 1", "256, 1, 0", "256, -1, 1", "-8, 1, -1"})
    void paramsWhenBelowArgon2MinimumsThenIllegalArgument(int memoryKiB, int iterations, int parallelism) {
        assertThatThrownBy(() -> new Argon2id.Params(memoryKiB, iterations, parallelism))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void paramsWhenParallelismOverflowsMemoryCheckThenIllegalArgument() {
        assertThatThrownBy(() -> new Argon2id.Params(256, 1, 1 << 28)).isInstanceOf(IllegalArgumentException.class);
    }

    private static String salt(String encoded) {
        return encoded.split("\\$")[4];
    }
}
