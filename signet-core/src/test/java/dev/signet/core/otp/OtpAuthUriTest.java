package dev.signet.core.otp;

import static dev.signet.core.testing.Cases.forAll;
import static dev.signet.core.testing.Cases.oneOf;
import static dev.signet.core.testing.Cases.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The <a href="https://github.com/google/google-authenticator/wiki/Key-Uri-Format">Key Uri Format</a>. */
class OtpAuthUriTest {
    private static final OtpSeed SEED = Rfc4226Test.SECRET;
    private static final String SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    @Test
    void uriWhenTotpDefaultsThenEveryParameterWritten() {
        OtpAuthUri uri = OtpAuthUri.totp("Example", "alice", OtpParams.totpDefault(), SEED);

        assertThat(uri.uri())
                .isEqualTo("otpauth://totp/Example:alice?secret=" + SECRET
                        + "&issuer=Example&algorithm=SHA1&digits=6&period=30");
    }

    @Test
    void uriWhenHotpThenCounterInsteadOfPeriod() {
        OtpAuthUri uri = OtpAuthUri.hotp("Example", "alice", OtpParams.hotp(OtpAlgorithm.SHA256, 8), SEED, 42);

        assertThat(uri.uri())
                .isEqualTo("otpauth://hotp/Example:alice?secret=" + SECRET
                        + "&issuer=Example&algorithm=SHA256&digits=8&counter=42");
    }

    @Test
    void uriWhenSpacesAtSignAndColonThenPercentEncoded() {
        OtpAuthUri uri = OtpAuthUri.totp("ACME Co", "john.doe@example.com:work", OtpParams.totpDefault(), SEED);

        assertThat(uri.uri())
                .startsWith("otpauth://totp/ACME%20Co:john.doe%40example.com%3Awork?secret=")
                .contains("&issuer=ACME%20Co&");
        assertThat(URI.create(uri.uri())).satisfies(u -> {
            assertThat(u.getScheme()).isEqualTo("otpauth");
            assertThat(u.getHost()).isEqualTo("totp");
            assertThat(u.getPath()).isEqualTo("/ACME Co:john.doe@example.com:work");
        });
    }

    @Test
    void uriWhenNonAsciiThenUtf8PercentEncoded() {
        OtpAuthUri uri = OtpAuthUri.totp("Signet Zürich", "jörg", OtpParams.totpDefault(), SEED);

        assertThat(uri.uri()).startsWith("otpauth://totp/Signet%20Z%C3%BCrich:j%C3%B6rg?");
        assertThat(OtpAuthUri.parse(uri.uri())).isEqualTo(uri);
    }

    @Test
    void parseWhenRoundTripThenEqual() {
        for (OtpAuthUri uri : new OtpAuthUri[] {
            OtpAuthUri.totp("Signet", "alice", OtpParams.totpDefault(), SEED),
            OtpAuthUri.totp("ACME Co", "john.doe@example.com:work", OtpParams.totp(OtpAlgorithm.SHA512, 8, 60), SEED),
            OtpAuthUri.hotp("Big Corp", "bob smith", OtpParams.hotp(OtpAlgorithm.SHA1, 6), SEED, 123_456_789L),
            OtpAuthUri.totp("", "carol", OtpParams.totpDefault(), OtpSeed.generate(OtpAlgorithm.SHA256)),
        }) {
            assertThat(OtpAuthUri.parse(uri.uri())).isEqualTo(uri);
        }
    }

    @Test
    void parseWhenAnyIssuerAndAccountThenRoundTrips() {
        forAll(
                300,
                r -> new String[] {
                    text(r, 20).replace(":", "").strip(),
                    oneOf(r, text(r, 30), text(r, 30, "abc@.: %+&=?#/")).strip()
                },
                names -> {
                    String issuer = names[0].codePoints().anyMatch(Character::isISOControl) ? "I" : names[0];
                    String account = names[1].isBlank() || names[1].codePoints().anyMatch(Character::isISOControl)
                            ? "a"
                            : names[1];
                    if (issuer.isEmpty()) {
                        account = account.replace(":", "").strip();
                    }
                    if (account.isBlank()) {
                        account = "a";
                    }
                    OtpAuthUri uri = OtpAuthUri.totp(issuer, account, OtpParams.totpDefault(), SEED);
                    assertThat(uri.uri()).matches("[\\x21-\\x7e]+");
                    assertThat(OtpAuthUri.parse(uri.uri())).isEqualTo(uri);
                });
    }

    @Test
    void parseWhenSpecExamplesThenRead() {
        OtpAuthUri acme = OtpAuthUri.parse("otpauth://totp/ACME%20Co:john.doe@email.com?secret="
                + "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30");
        assertThat(acme.issuer()).isEqualTo("ACME Co");
        assertThat(acme.account()).isEqualTo("john.doe@email.com");
        assertThat(acme.params()).isEqualTo(OtpParams.totpDefault());
        assertThat(acme.seed().base32()).isEqualTo("HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ");

        // "Big%20Corporation%3A%20alice%40bigco.com": encoded colon, spaces before the account
        OtpAuthUri big = OtpAuthUri.parse("otpauth://totp/Big%20Corporation%3A%20alice%40bigco.com?secret=" + SECRET);
        assertThat(big.issuer()).isEqualTo("Big Corporation");
        assertThat(big.account()).isEqualTo("alice@bigco.com");

        OtpAuthUri noIssuer = OtpAuthUri.parse("otpauth://totp/alice?secret=" + SECRET);
        assertThat(noIssuer.issuer()).isEmpty();
        assertThat(noIssuer.account()).isEqualTo("alice");
    }

    @Test
    void parseWhenDefaultsOmittedOrOrderChangedThenDefaults() {
        OtpAuthUri uri = OtpAuthUri.parse("OTPAUTH://TOTP/Example:alice?image=https%3A%2F%2Fexample.com%2Fa.png"
                + "&issuer=Example&secret=" + SECRET.toLowerCase(Locale.ROOT) + "&");

        assertThat(uri).isEqualTo(OtpAuthUri.totp("Example", "alice", OtpParams.totpDefault(), SEED));
    }

    @Test
    void parseWhenIssuerOnlyInParameterThenUsed() {
        assertThat(OtpAuthUri.parse("otpauth://totp/alice?secret=" + SECRET + "&issuer=Example")
                        .issuer())
                .isEqualTo("Example");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://totp/Example:alice?secret=" + SECRET,
                "otpauth://totp",
                "otpauth://motp/Example:alice?secret=" + SECRET,
                "otpauth://totp/Example:alice?issuer=Example",
                "otpauth://totp/Example:alice?secret=" + SECRET + "&issuer=Other",
                "otpauth://totp/Example:alice?secret=" + SECRET + "&secret=" + SECRET,
                "otpauth://totp/Example:alice?secret=" + SECRET + "&digits=six",
                "otpauth://totp/Example:alice?secret=" + SECRET + "#frag",
                "otpauth://totp/Example:alice?secret=" + SECRET + "&=x",
                "otpauth://totp/Example:al%ZZice?secret=" + SECRET,
                "otpauth://totp/Example:al%C3ice?secret=" + SECRET,
                "otpauth://totp/Example:?secret=" + SECRET,
                "otpauth://totp/alice%0A?secret=" + SECRET,
                "otpauth://hotp/Example:alice?secret=" + SECRET,
                "otpauth://hotp/Example:alice?secret=" + SECRET + "&counter=-1",
            })
    void parseWhenNotKeyUriFormatThenUriMalformed(String text) {
        assertThatThrownBy(() -> OtpAuthUri.parse(text))
                .isInstanceOfSatisfying(
                        OtpException.class, e -> assertThat(e.code()).isEqualTo(OtpException.URI_MALFORMED))
                .hasMessageNotContaining(SECRET);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "&algorithm=MD5",
                "&algorithm=SHA384",
                "&digits=7",
                "&digits=10",
                "&period=0",
                "&period=3601",
            })
    void parseWhenUnsupportedParameterThenUriUnsupported(String parameter) {
        assertThatThrownBy(() -> OtpAuthUri.parse("otpauth://totp/Example:alice?secret=" + SECRET + parameter))
                .isInstanceOfSatisfying(
                        OtpException.class, e -> assertThat(e.code()).isEqualTo(OtpException.URI_UNSUPPORTED));
    }

    @Test
    void parseWhenSecretBadThenSeedCode() {
        assertThatThrownBy(() -> OtpAuthUri.parse("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP"))
                .isInstanceOfSatisfying(
                        OtpException.class, e -> assertThat(e.code()).isEqualTo(OtpException.SEED_LENGTH));
        assertThatThrownBy(() -> OtpAuthUri.parse("otpauth://totp/Example:alice?secret=" + SECRET + "1"))
                .isInstanceOfSatisfying(
                        OtpException.class, e -> assertThat(e.code()).isEqualTo(OtpException.SEED_MALFORMED));
    }

    @Test
    void parseWhenNullOrHugeThenUriMalformed() {
        assertThatThrownBy(() -> OtpAuthUri.parse(null)).isInstanceOf(OtpException.class);
        assertThatThrownBy(() -> OtpAuthUri.parse("otpauth://totp/" + "a".repeat(5000) + "?secret=" + SECRET))
                .isInstanceOf(OtpException.class);
    }

    @Test
    void constructorWhenIssuerHasColonOrAccountBlankThenIllegalArgument() {
        OtpParams params = OtpParams.totpDefault();
        assertThatThrownBy(() -> OtpAuthUri.totp("Ex:ample", "alice", params, SEED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OtpAuthUri.totp("Example", " ", params, SEED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OtpAuthUri.totp("", "a:b", params, SEED)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OtpAuthUri.totp("Example", "alice\n", params, SEED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OtpAuthUri(params, SEED, "Example", "alice", 5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
