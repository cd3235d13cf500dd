package dev.signet.core.password;

import static dev.signet.core.testing.Cases.between;
import static dev.signet.core.testing.Cases.forAll;
import static dev.signet.core.testing.Cases.oneOf;
import static dev.signet.core.testing.Cases.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.core.SignetException;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Imported hashes against strings made by the libraries that write them, produced once on a Debian 12
 * machine and pasted here (no tool runs at test time):
 *
 * <ul>
 *   <li>passlib 1.7.4 ({@code python3-passlib}): {@code pbkdf2_sha256.using(rounds=R, salt=S).hash(P)};
 *   <li>Django 3.2.25 ({@code python3-django}): {@code PBKDF2PasswordHasher().encode(P, S, R)};
 *   <li>Werkzeug 3.1.8: {@code generate_password_hash(P, method="pbkdf2:sha256:R", salt_length=16)};
 *   <li>PHC strings, which neither writes: {@code hashlib.pbkdf2_hmac("sha256", P, S, R, L)} of Python
 *       3.11, salt and hash in unpadded standard base64;
 *   <li>bcrypt: pyca bcrypt 3.2.2 ({@code python3-bcrypt}) {@code hashpw}, Apache's {@code htpasswd -nbB
 *       -C 4} (apache2-utils 2.4.71) for {@code $2y$}, and three published jBCrypt / OpenBSD test vectors.
 * </ul>
 */
class ImportedHashesTest {
    private static final String UNICODE = "p\u00e4ssw\u00f6rd \uD83D\uDD11";
    private static final String HORSE = "correct horse battery staple";

    /** passlib, rounds=1000, salt=b"signet-salt-0001", password "password". */
    private static final String PASSLIB =
            "$pbkdf2-sha256$1000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E";
    /** passlib, rounds=2000, salt=b"\x00\xff\x10\x80saltysaltysalt!", the UNICODE password (its '.' stands for '+'). */
    private static final String PASSLIB_UNICODE =
            "$pbkdf2-sha256$2000$AP8QgHNhbHR5c2FsdHlzYWx0IQ$3S.mFtqJR4lISNn3mNEC08tLBSY.DMeUGpnaqMocCqM";
    /** passlib, rounds=1, salt=b"s", HORSE. */
    private static final String PASSLIB_ONE_ROUND = "$pbkdf2-sha256$1$cw$rWoAssnsGtQ/C5Iaz49qn3d4HZ3Yiqbi8p7j26Qh1.I";

    /** hashlib, 1000 iterations, salt b"signet-phc-salt!", 32 bytes, "password". */
    private static final String PHC =
            "$pbkdf2-sha256$i=1000,l=32$c2lnbmV0LXBoYy1zYWx0IQ$19Ew60MCgR8rFJcyZP6kz6CBdTTUbIIK1NUNd0rUlMM";
    /** hashlib, 1200 iterations, salt bytes 0..15, 64 bytes, the UNICODE password. */
    private static final String PHC_UNICODE_64 =
            "$pbkdf2-sha256$i=1200,l=64$AAECAwQFBgcICQoLDA0ODw$nO6FUGRyp29PJEcq3oxVZ+"
                    + "DwGwIm6XnPEMVMKSHEjbggJtDeXBIZULR4vFjlqV27ykIG8YZmZ1qx1kyz8xblWw";
    /** hashlib, 10 iterations, salt b"0123456789abcdef", 16 bytes, "password". */
    private static final String PHC_16 = "$pbkdf2-sha256$i=10,l=16$MDEyMzQ1Njc4OWFiY2RlZg$Ahf/QwX7noyUrXVoNSNDZQ";

    /** Django, salt "Q9t2aXLsT3kVr1hB", 1000 iterations, "password". */
    private static final String DJANGO =
            "pbkdf2_sha256$1000$Q9t2aXLsT3kVr1hB$zwOdyA2Xt2aLGYSOloeK4SZRcrQCX5T4MDWeX3AcgBk=";
    /** Django, salt "saltySalt42", 1500 iterations, the UNICODE password. */
    private static final String DJANGO_UNICODE =
            "pbkdf2_sha256$1500$saltySalt42$AQEAh5DM4sBQZji9mTh0ZFtCeG3r+5yqIhgRcZHSI40=";

    /** Werkzeug, pbkdf2:sha256:1000, "password". */
    private static final String WERKZEUG =
            "pbkdf2:sha256:1000$CxAlVJnQISs3jHjW$d86fd7777a12f165d5511e4d0be96d09dd5f3234b0e037f6dffa3b5f378e560e";
    /** Werkzeug, pbkdf2:sha256:1234, the UNICODE password. */
    private static final String WERKZEUG_UNICODE =
            "pbkdf2:sha256:1234$cHa3e2uKL1XyNZ5N$c7bc4267c58853f1ed82ec0be9763f562d7aa97d57367131b89449aa8447bd60";
    /** Werkzeug, pbkdf2:sha256:1, HORSE. */
    private static final String WERKZEUG_ONE_ROUND =
            "pbkdf2:sha256:1$JEENnayOfcrmfzF0$69a2ab0802ab988a3eca009bbadc709b0b721f60483a8bfdc5e47169facdc43b";

    /** pyca bcrypt: {@code hashpw(b"password", b"$2b$04$abcdefghijklmnopqrstuu")}. */
    private static final String BCRYPT_2B = "$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm";
    /** pyca bcrypt: {@code hashpw(UNICODE.encode(), gensalt(rounds=5, prefix=b"2a"))}. */
    private static final String BCRYPT_2A_UNICODE = "$2a$05$Kw4pKHpLVde0T8pJHxrH..7UqyYSXKwttu2vcsOpwL16KxtcDIxDG";
    /** pyca bcrypt: {@code hashpw(b"0123456789" * 8, gensalt(rounds=4))}: an 80-byte password. */
    private static final String BCRYPT_80_BYTES = "$2b$04$dbzIMylrCQavQEWsWqOkYeeDfTGKo3qbqcoOqhKjIV9xxLPmJ1FHS";
    /** {@code htpasswd -nbB -C 4 alice 'correct horse battery staple'}. */
    private static final String HTPASSWD_2Y = "$2y$04$JLOTF/e.qDrVD4bsTgxA/eTog32.AawDHlONs7XQM5JYMYR9/ceeO";
    /** {@code printf '%s' UNICODE | htpasswd -niB -C 5 bob} in a UTF-8 shell. */
    private static final String HTPASSWD_2Y_UNICODE = "$2y$05$u3avaZWlJvO6SklG9xvRKuBiGIiJOANcWStks9Mi1aqxHvH3sA9Mm";

    private static final List<String> VALID = List.of(
            PASSLIB,
            PASSLIB_UNICODE,
            PASSLIB_ONE_ROUND,
            PHC,
            PHC_UNICODE_64,
            PHC_16,
            DJANGO,
            DJANGO_UNICODE,
            WERKZEUG,
            WERKZEUG_UNICODE,
            WERKZEUG_ONE_ROUND,
            BCRYPT_2B,
            BCRYPT_2A_UNICODE,
            BCRYPT_80_BYTES,
            HTPASSWD_2Y,
            HTPASSWD_2Y_UNICODE);

    private static final List<String> PBKDF2 = VALID.stream()
            .filter(e -> ImportedHashes.scheme(e).equals(ImportedHashes.PBKDF2_SHA256))
            .toList();

    /** The vectors whose password is "password". */
    private static final List<String> OF_PASSWORD = List.of(PASSLIB, PHC, PHC_16, DJANGO, WERKZEUG, BCRYPT_2B);

    // --- right password verifies, per format

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "password | $pbkdf2-sha256$1000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "correct horse battery staple | $pbkdf2-sha256$1$cw$rWoAssnsGtQ/C5Iaz49qn3d4HZ3Yiqbi8p7j26Qh1.I",
            })
    void verifyWhenPasslibHashAndRightPasswordThenTrue(String password, String encoded) {
        assertThat(ImportedHashes.verify(password, encoded)).isTrue();
        assertThat(ImportedHashes.verify(UNICODE, PASSLIB_UNICODE)).isTrue();
    }

    @Test
    void verifyWhenPhcHashAndRightPasswordThenTrue() {
        assertThat(ImportedHashes.verify("password", PHC)).isTrue();
        assertThat(ImportedHashes.verify(UNICODE, PHC_UNICODE_64)).isTrue();
        assertThat(ImportedHashes.verify("password", PHC_16)).isTrue();
        assertThat(ImportedHashes.verify("password", PHC.replace("i=1000,l=32", "i=1000")))
                .isTrue();
    }

    @Test
    void verifyWhenDjangoHashAndRightPasswordThenTrue() {
        assertThat(ImportedHashes.verify("password", DJANGO)).isTrue();
        assertThat(ImportedHashes.verify(UNICODE, DJANGO_UNICODE)).isTrue();
    }

    @Test
    void verifyWhenWerkzeugHashAndRightPasswordThenTrue() {
        assertThat(ImportedHashes.verify("password", WERKZEUG)).isTrue();
        assertThat(ImportedHashes.verify(UNICODE, WERKZEUG_UNICODE)).isTrue();
        assertThat(ImportedHashes.verify(HORSE, WERKZEUG_ONE_ROUND)).isTrue();
        int hex = WERKZEUG.lastIndexOf('$') + 1;
        String upperHex = WERKZEUG.substring(0, hex) + WERKZEUG.substring(hex).toUpperCase(Locale.ROOT);
        assertThat(ImportedHashes.verify("password", upperHex)).isTrue();
    }

    @Test
    void verifyWhenBcryptHashAndRightPasswordThenTrue() {
        assertThat(ImportedHashes.verify("password", BCRYPT_2B)).isTrue();
        assertThat(ImportedHashes.verify(UNICODE, BCRYPT_2A_UNICODE)).isTrue();
        assertThat(ImportedHashes.verify(new StringBuilder(UNICODE), BCRYPT_2A_UNICODE))
                .isTrue();
    }

    @Test
    void verifyWhenHtpasswdTwoYHashThenTrue() {
        assertThat(ImportedHashes.verify(HORSE, HTPASSWD_2Y)).isTrue();
        assertThat(ImportedHashes.verify(UNICODE, HTPASSWD_2Y_UNICODE)).isTrue();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "'' | $2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.",
                "abc | $2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i",
                "abcdefghijklmnopqrstuvwxyz | $2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC",
            })
    void verifyWhenPublishedBcryptVectorThenTrue(String password, String encoded) {
        assertThat(ImportedHashes.verify(password, encoded)).isTrue();
        assertThat(ImportedHashes.verify(password + "x", encoded)).isFalse();
    }

    @Test
    void verifyWhenBcryptPasswordLongerThanSeventyTwoBytesThenOnlyFirstSeventyTwoCount() {
        String eighty = "0123456789".repeat(8);

        assertThat(ImportedHashes.verify(eighty, BCRYPT_80_BYTES)).isTrue();
        assertThat(ImportedHashes.verify(eighty.substring(0, 72), BCRYPT_80_BYTES))
                .isTrue();
        assertThat(ImportedHashes.verify(eighty.substring(0, 72) + "anything else", BCRYPT_80_BYTES))
                .isTrue();
        assertThat(ImportedHashes.verify(eighty.substring(0, 71), BCRYPT_80_BYTES))
                .isFalse();
    }

    // --- wrong password does not

    @Test
    void verifyWhenWrongPasswordThenFalseForEveryFormat() {
        for (String encoded : VALID) {
            for (String wrong : List.of("", "Password", "password ", "passwor", "p\u00e4ssw\u00f6rd", HORSE + "!")) {
                assertThat(ImportedHashes.verify(wrong, encoded))
                        .as("%s against %s", wrong, encoded)
                        .isFalse();
            }
        }
    }

    @Test
    void verifyWhenPasswordNormalizedDifferentlyThenFalse() {
        String decomposed = "pa\u0308ssw\u00f6rd \uD83D\uDD11";

        assertThat(ImportedHashes.verify(decomposed, DJANGO_UNICODE)).isFalse();
        assertThat(ImportedHashes.verify(decomposed, BCRYPT_2A_UNICODE)).isFalse();
    }

    @Test
    void verifyWhenNullPasswordThenFalse() {
        assertThat(ImportedHashes.verify(null, PASSLIB)).isFalse();
        assertThat(ImportedHashes.verify(null, BCRYPT_2B)).isFalse();
    }

    // --- schemes, recognition, validation

    @Test
    void schemeWhenEachFormatThenBcryptOrPbkdf2() {
        for (String encoded : VALID) {
            assertThat(ImportedHashes.recognises(encoded)).as(encoded).isTrue();
            assertThatCode(() -> ImportedHashes.validate(encoded)).doesNotThrowAnyException();
            assertThat(ImportedHashes.scheme(encoded))
                    .as(encoded)
                    .isEqualTo(encoded.startsWith("$2") ? ImportedHashes.BCRYPT : ImportedHashes.PBKDF2_SHA256);
        }
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "password",
                "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$hn7+SzhLFWN5L2vw5todiDT80rAFnVmYwlI26PSf7pM",
                "$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0",
                "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/",
                "$2x$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
                "$2$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
                "$pbkdf2$1000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "$pbkdf2-sha512$1000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "pbkdf2_sha1$1000$Q9t2aXLsT3kVr1hB$zwOdyA2Xt2aLGYSOloeK4SZRcrQCX5T4MDWeX3AcgBk=",
                "pbkdf2:sha512:1000$CxAlVJnQISs3jHjW$d86fd7777a12f165d5511e4d0be96d09dd5f3234b0e037f6dffa3b5f378e560e",
                "scrypt:32768:8:1$salt$abcdef",
                "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
                " $2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
                "PBKDF2_SHA256$1000$Q9t2aXLsT3kVr1hB$zwOdyA2Xt2aLGYSOloeK4SZRcrQCX5T4MDWeX3AcgBk=",
            })
    void validateWhenUnknownFormatThenUnsupported(String encoded) {
        assertRefused(encoded, ImportedHashes.UNSUPPORTED);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // bcrypt: truncated, too long, bad cost, bad alphabet, non-canonical last characters
                "$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzd",
                "$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdmm",
                "$2b$",
                "$2b$04$",
                "$2b$4$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
                "$2b$03$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
                "$2b$17$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
                "$2b$31$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
                "$2b$99$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
                "$2b$xx$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
                "$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb+Jzdm",
                "$2b$04$abcdefghijklmnopqrstuvghE8Ev8uGFaUgY2cNEySvxngrb/Jzdm",
                "$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdn",
                "$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm$",
                // passlib / PHC: missing fields, bad numbers, bad base64, lengths out of range
                "$pbkdf2-sha256$",
                "$pbkdf2-sha256$1000$c2lnbmV0LXNhbHQtMDAwMQ",
                "$pbkdf2-sha256$1000$c2lnbmV0LXNhbHQtMDAwMQ$",
                "$pbkdf2-sha256$$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "$pbkdf2-sha256$1000$$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "$pbkdf2-sha256$0$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "$pbkdf2-sha256$01000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "$pbkdf2-sha256$-1000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "$pbkdf2-sha256$5000001$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "$pbkdf2-sha256$99999999999999999999$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "$pbkdf2-sha256$1e3$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "$pbkdf2-sha256$1000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6+3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "$pbkdf2-sha256$1000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E=",
                "$pbkdf2-sha256$1000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8F",
                "$pbkdf2-sha256$1000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6!3xidbdxMqFrg9Zl8oTVY8gUf.PD8E",
                "$pbkdf2-sha256$1000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbd",
                "$pbkdf2-sha256$1000$c2lnbmV0LXNhbHQtMDAwMQ$svozkkyDP26P6/3xidbdxMqFrg9Zl8oTVY8gUf.PD8E$",
                "$pbkdf2-sha256$i=5000001,l=32$c2lnbmV0LXBoYy1zYWx0IQ$19Ew60MCgR8rFJcyZP6kz6CBdTTUbIIK1NUNd0rUlMM",
                "$pbkdf2-sha256$i=1000,l=31$c2lnbmV0LXBoYy1zYWx0IQ$19Ew60MCgR8rFJcyZP6kz6CBdTTUbIIK1NUNd0rUlMM",
                "$pbkdf2-sha256$i=1000,l=32,p=1$c2lnbmV0LXBoYy1zYWx0IQ$19Ew60MCgR8rFJcyZP6kz6CBdTTUbIIK1NUNd0rUlMM",
                "$pbkdf2-sha256$l=32,i=1000$c2lnbmV0LXBoYy1zYWx0IQ$19Ew60MCgR8rFJcyZP6kz6CBdTTUbIIK1NUNd0rUlMM",
                "$pbkdf2-sha256$i=$c2lnbmV0LXBoYy1zYWx0IQ$19Ew60MCgR8rFJcyZP6kz6CBdTTUbIIK1NUNd0rUlMM",
                "$pbkdf2-sha256$i=1000,l=32$c2lnbmV0LXBoYy1zYWx0IQ==$19Ew60MCgR8rFJcyZP6kz6CBdTTUbIIK1NUNd0rUlMM",
                "$pbkdf2-sha256$i=1000,l=32$c2lnbmV0LXBoYy1zYWx0IQ$19Ew60MCgR8rFJcyZP6kz6CBdTTUbIIK1NUNd0rUlMM=",
                "$pbkdf2-sha256$i=1000$c2lnbmV0LXBoYy1zYWx0IQ$19Ew60MCgR8rFJcyZP6kz6CBdTTUbIIK1NUNd0rUl",
                // Django
                "pbkdf2_sha256$",
                "pbkdf2_sha256$1000$Q9t2aXLsT3kVr1hB",
                "pbkdf2_sha256$1000$$zwOdyA2Xt2aLGYSOloeK4SZRcrQCX5T4MDWeX3AcgBk=",
                "pbkdf2_sha256$$Q9t2aXLsT3kVr1hB$zwOdyA2Xt2aLGYSOloeK4SZRcrQCX5T4MDWeX3AcgBk=",
                "pbkdf2_sha256$9999999$Q9t2aXLsT3kVr1hB$zwOdyA2Xt2aLGYSOloeK4SZRcrQCX5T4MDWeX3AcgBk=",
                "pbkdf2_sha256$1000$Q9t2aXLsT3kVr1hB$zwOdyA2Xt2aLGYSOloeK4SZRcrQCX5T4MDWeX3AcgBk",
                "pbkdf2_sha256$1000$Q9t2aXLsT3kVr1hB$zwOdyA2Xt2aLGYSOloeK4SZRcrQCX5T4MDWeX3AcgBk=$",
                "pbkdf2_sha256$1000$Q9t2aXLsT3kVr1hB$zwOdyA2Xt2aLGYSO.oeK4SZRcrQCX5T4MDWeX3AcgBk=",
                "pbkdf2_sha256$1000$Q9t2aXLsT3kVr1hB$zwOdyA2Xt2aLGYSOloeK",
                // Werkzeug
                "pbkdf2:sha256$CxAlVJnQISs3jHjW$d86fd7777a12f165d5511e4d0be96d09dd5f3234b0e037f6dffa3b5f378e560e",
                "pbkdf2:sha256:$CxAlVJnQISs3jHjW$d86fd7777a12f165d5511e4d0be96d09dd5f3234b0e037f6dffa3b5f378e560e",
                "pbkdf2:sha256:1000:x$CxAlVJnQISs3jHjW$d86fd7777a12f165d5511e4d0be96d09dd5f3234b0e037f6dffa3b5f378e560e",
                "pbkdf2:sha256:600000000$CxAlVJnQISs3jHjW$d86fd7777a12f165d5511e4d0be96d09dd5f3234b0e037f6dffa3b5f378e560e",
                "pbkdf2:sha256:1000$$d86fd7777a12f165d5511e4d0be96d09dd5f3234b0e037f6dffa3b5f378e560e",
                "pbkdf2:sha256:1000$CxAlVJnQISs3jHjW$d86fd7777a12f165d5511e4d0be96d09dd5f3234b0e037f6dffa3b5f378e560",
                "pbkdf2:sha256:1000$CxAlVJnQISs3jHjW$d86fd7777a12f165d5511e4d0be96d09dd5f3234b0e037f6dffa3b5f378e560g",
                "pbkdf2:sha256:1000$CxAlVJnQISs3jHjW$D86fd7777a12f165d5511e4d0be96d09dd5f3234b0e037f6dffa3b5f378e560e",
                "pbkdf2:sha256:1000$CxAlVJnQISs3jHjW$d86fd7777a12f165d5511e4d0be96d",
                "pbkdf2:sha256:1000$CxAlVJnQISs3jHjW",
                "pbkdf2:sha256:1000$CxAlVJnQISs3jHjW$d86fd7777a12f165d5511e4d0be96d09dd5f3234b0e037f6dffa3b5f378e560e$x",
            })
    void validateWhenKnownFormatButBrokenThenMalformed(String encoded) {
        assertRefused(encoded, ImportedHashes.MALFORMED);
    }

    @Test
    void validateWhenAtUpperBoundsThenAcceptedAndJustAboveThenMalformed() {
        String cost16 = BCRYPT_2B.replace("$04$", "$16$");
        assertThatCode(() -> ImportedHashes.validate(cost16)).doesNotThrowAnyException();
        assertRefused(BCRYPT_2B.replace("$04$", "$17$"), ImportedHashes.MALFORMED)
                .hasMessageContaining("between 4 and 16");

        assertThatCode(() -> ImportedHashes.validate(DJANGO.replace("$1000$", "$5000000$")))
                .doesNotThrowAnyException();
        assertRefused(DJANGO.replace("$1000$", "$5000001$"), ImportedHashes.MALFORMED)
                .hasMessageContaining("between 1 and 5000000");
        assertRefused(PASSLIB.replace("$1000$", "$2147483648$"), ImportedHashes.MALFORMED);

        String salt1024 = "s".repeat(1024);
        assertThatCode(() -> ImportedHashes.validate(DJANGO.replace("Q9t2aXLsT3kVr1hB", salt1024)))
                .doesNotThrowAnyException();
        assertRefused(DJANGO.replace("Q9t2aXLsT3kVr1hB", salt1024 + "s"), ImportedHashes.MALFORMED)
                .hasMessageContaining("salt");

        // PHC strings: 16 to 64 bytes (22 and 86 unpadded base64 characters)
        assertThatCode(() -> ImportedHashes.validate("$pbkdf2-sha256$i=1$c2FsdA$" + "A".repeat(86)))
                .doesNotThrowAnyException();
        assertThatCode(() -> ImportedHashes.validate("$pbkdf2-sha256$i=1$c2FsdA$" + "A".repeat(22)))
                .doesNotThrowAnyException();
        assertRefused("$pbkdf2-sha256$i=1$c2FsdA$" + "A".repeat(87), ImportedHashes.MALFORMED)
                .hasMessageContaining("between 16 and 64 bytes");
        assertRefused("$pbkdf2-sha256$i=1$c2FsdA$" + "A".repeat(20), ImportedHashes.MALFORMED);
        assertRefused("pbkdf2:sha256:1$" + "s".repeat(5000) + "$" + "ab".repeat(32), ImportedHashes.MALFORMED);
    }

    @Test
    void validateWhenTruncatedHashOfLibraryWithFixedLengthThenMalformed() {
        // PBKDF2's first 21 bytes for a 21-byte key equal those of the 32-byte key: this would verify
        String truncated = PASSLIB.substring(0, PASSLIB.length() - 15);
        assertRefused(truncated, ImportedHashes.MALFORMED).hasMessageContaining("must be 32 bytes");
        assertRefused(DJANGO.substring(0, DJANGO.length() - 16), ImportedHashes.MALFORMED);
        assertRefused(WERKZEUG.substring(0, WERKZEUG.length() - 2), ImportedHashes.MALFORMED);
        // in a PHC string without l=, a shorter key is the format's own choice and verifies
        String phcPrefix = PHC.replace(",l=32", "");
        assertThat(ImportedHashes.verify("password", phcPrefix.substring(0, phcPrefix.length() - 15)))
                .isTrue();
    }

    @Test
    void validateWhenRefusedThenMessageNeverContainsTheHash() {
        for (String encoded : VALID) {
            for (String broken : List.of(encoded + "!", encoded.replaceFirst("[0-9]+", "99999999"), "$2b$" + encoded)) {
                assertThatThrownBy(() -> ImportedHashes.validate(broken))
                        .isInstanceOf(SignetException.class)
                        .satisfies(e -> {
                            assertThat(e.getMessage()).isNotBlank();
                            for (String field : encoded.split("\\$")) {
                                if (field.length() >= 8 && !field.contains("pbkdf2")) {
                                    assertThat(e.getMessage()).doesNotContain(field);
                                }
                            }
                        });
            }
        }
    }

    @Test
    void recognisesWhenMalformedOrUnsupportedThenFalse() {
        assertThat(ImportedHashes.recognises(null)).isFalse();
        assertThat(ImportedHashes.recognises("")).isFalse();
        assertThat(ImportedHashes.recognises(BCRYPT_2B.replace("$04$", "$17$"))).isFalse();
        assertThat(ImportedHashes.recognises("$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"))
                .isFalse();
        assertThatThrownBy(() -> ImportedHashes.scheme("$5$rounds=5000$salt$hash"))
                .isInstanceOfSatisfying(
                        SignetException.class, e -> assertThat(e.code()).isEqualTo(ImportedHashes.UNSUPPORTED));
    }

    // --- verify never throws

    @Test
    void verifyWhenMutatedValidHashThenNoExceptionAndFalseUnlessUnchanged() {
        forAll(250, r -> mutate(r, oneOf(r, PBKDF2.toArray(String[]::new))), encoded -> {
            boolean result = ImportedHashes.verify("password", encoded);
            assertThat(result).isEqualTo(OF_PASSWORD.contains(encoded));
            if (result) {
                assertThat(ImportedHashes.recognises(encoded)).isTrue();
            }
        });
    }

    @Test
    void verifyWhenMutatedBcryptHashThenNoExceptionAndFalseUnlessUnchanged() {
        forAll(60, r -> mutate(r, oneOf(r, BCRYPT_2B, HTPASSWD_2Y)), encoded -> {
            boolean expected = encoded.equals(BCRYPT_2B);
            assertThat(ImportedHashes.verify("password", encoded)).isEqualTo(expected);
        });
    }

    @Test
    void verifyWhenArbitraryStringThenFalseAndValidateThrowsOnlySignetException() {
        forAll(
                1000,
                r -> oneOf(
                                r,
                                "",
                                "$2b$",
                                "$2b$04$",
                                "$2y$16$",
                                "$pbkdf2-sha256$",
                                "$pbkdf2-sha256$1$",
                                "$pbkdf2-sha256$i=1,l=16$",
                                "pbkdf2_sha256$1$",
                                "pbkdf2:sha256:1$")
                        + text(r, 80),
                encoded -> {
                    assertThat(ImportedHashes.verify("password", encoded)).isFalse();
                    try {
                        ImportedHashes.validate(encoded);
                    } catch (SignetException e) {
                        assertThat(e.code()).isIn(ImportedHashes.UNSUPPORTED, ImportedHashes.MALFORMED);
                    }
                });
    }

    @Test
    void verifyWhenArbitraryPasswordThenNoException() {
        forAll(40, r -> text(r, 100), password -> {
            assertThat(ImportedHashes.verify(password, PASSLIB)).isEqualTo(password.equals("password"));
            assertThat(ImportedHashes.verify(password, WERKZEUG)).isEqualTo(password.equals("password"));
        });
    }

    private static String mutate(Random r, String valid) {
        StringBuilder s = new StringBuilder(valid);
        int edits = between(r, 0, 3);
        for (int i = 0; i < edits && !s.isEmpty(); i++) {
            int at = r.nextInt(s.length());
            switch (r.nextInt(5)) {
                case 0 -> s.deleteCharAt(at);
                case 1 -> s.insert(at, text(r, 3));
                case 2 -> s.setCharAt(at, oneOf(r, '$', '.', '/', '+', '=', ',', ':', '0', '9', 'A', 'z', '\0'));
                case 3 -> s.setLength(at);
                default -> s.replace(at, Math.min(s.length(), at + 4), String.valueOf(r.nextLong()));
            }
        }
        return s.toString();
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(String encoded, String code) {
        assertThat(ImportedHashes.verify("password", encoded)).isFalse();
        assertThat(ImportedHashes.recognises(encoded)).isFalse();
        return assertThatThrownBy(() -> ImportedHashes.validate(encoded))
                .isInstanceOfSatisfying(
                        SignetException.class, e -> assertThat(e.code()).isEqualTo(code))
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
    }
}
