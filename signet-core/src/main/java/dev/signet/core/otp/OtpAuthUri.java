package dev.signet.core.otp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An {@code otpauth://} URI in the <a
 * href="https://github.com/google/google-authenticator/wiki/Key-Uri-Format">Key Uri Format</a>, the
 * text of an enrolment QR code: {@code otpauth://totp/Issuer:account?secret=...&issuer=Issuer
 * &algorithm=SHA1&digits=6&period=30} ({@code counter=} instead of {@code period=} for HOTP).
 *
 * <p>Writing: issuer and account are UTF-8 and percent-encoded except for RFC 3986's unreserved
 * characters, so spaces become {@code %20} and a colon in the account {@code %3A}. The issuer goes
 * in the label prefix and in the {@code issuer} parameter, as the format recommends. Every parameter
 * is written, defaults included; note that several apps ignore {@code algorithm}, {@code digits}
 * and {@code period} and use SHA-1, 6 and 30 whatever the URI says.
 *
 * <p>Reading ({@link #parse}) accepts what the format allows: a literal or encoded colon after the
 * issuer prefix, spaces before the account, any parameter order, parameters omitted for their
 * defaults, unknown parameters (ignored). It refuses an issuer prefix that differs from the {@code
 * issuer} parameter, repeated parameters, and HOTP without {@code counter}.
 *
 * <p>The URI carries the secret: {@link #toString()} leaves it out, {@link #uri()} does not.
 *
 * @param params type, algorithm, digits, period
 * @param seed the shared secret
 * @param issuer the provider shown in the app; empty when unknown (an imported URI without one).
 *     The format forbids a colon in it; no surrounding spaces.
 * @param account the account name, such as a user name or email address; not blank, no surrounding
 *     spaces. It may contain a colon only if there is an issuer, or it would read as one.
 * @param counter the HOTP counter the device starts from; 0 for TOTP
 */
public record OtpAuthUri(OtpParams params, OtpSeed seed, String issuer, String account, long counter) {
    private static final String SCHEME = "otpauth://";
    private static final int MAX_URI_LENGTH = 4096;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    public OtpAuthUri {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(account, "account");
        if (issuer.indexOf(':') >= 0) {
            throw new IllegalArgumentException("an otpauth issuer cannot contain ':'");
        }
        if (account.isBlank()) {
            throw new IllegalArgumentException("an otpauth account name is required");
        }
        if (!issuer.equals(issuer.strip()) || !account.equals(account.strip())) {
            throw new IllegalArgumentException("an otpauth issuer or account name starts or ends with a space");
        }
        if (issuer.isEmpty() && account.indexOf(':') >= 0) {
            throw new IllegalArgumentException("an otpauth account name with ':' needs an issuer");
        }
        if (hasControl(issuer) || hasControl(account)) {
            throw new IllegalArgumentException("control characters in an otpauth issuer or account name");
        }
        if (counter < 0 || params.type() == OtpType.TOTP && counter != 0) {
            throw new IllegalArgumentException(
                    "an otpauth counter is 0 or more, and only for HOTP: " + params.type() + " " + counter);
        }
    }

    /** A TOTP enrolment URI. */
    public static OtpAuthUri totp(String issuer, String account, OtpParams params, OtpSeed seed) {
        return new OtpAuthUri(params, seed, issuer, account, 0);
    }

    /** An HOTP enrolment URI whose device starts at {@code counter}. */
    public static OtpAuthUri hotp(String issuer, String account, OtpParams params, OtpSeed seed, long counter) {
        return new OtpAuthUri(params, seed, issuer, account, counter);
    }

    /** The URI text, secret included: for the QR code and nowhere else (not for logs). */
    public String uri() {
        StringBuilder out =
                new StringBuilder(SCHEME).append(params.type().uriName()).append('/');
        if (!issuer.isEmpty()) {
            out.append(encode(issuer)).append(':');
        }
        out.append(encode(account));
        out.append("?secret=").append(seed.base32());
        if (!issuer.isEmpty()) {
            out.append("&issuer=").append(encode(issuer));
        }
        out.append("&algorithm=").append(params.algorithm().uriName());
        out.append("&digits=").append(params.digits());
        if (params.type() == OtpType.TOTP) {
            out.append("&period=").append(params.periodSeconds());
        } else {
            out.append("&counter=").append(counter);
        }
        return out.toString();
    }

    /**
     * Reads an {@code otpauth://} URI.
     *
     * @throws OtpException {@link OtpException#URI_MALFORMED} if it is not a Key Uri Format URI,
     *     {@link OtpException#URI_UNSUPPORTED} for an algorithm, digit count or period Signet does
     *     not support, {@link OtpException#SEED_MALFORMED} or {@link OtpException#SEED_LENGTH} for a
     *     bad secret
     */
    public static OtpAuthUri parse(String text) {
        if (text == null || text.length() > MAX_URI_LENGTH) {
            throw malformed("no URI, or longer than " + MAX_URI_LENGTH + " characters");
        }
        if (!text.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw malformed("it does not start with otpauth://");
        }
        if (text.indexOf('#') >= 0) {
            throw malformed("a fragment is not part of the format");
        }
        int slash = text.indexOf('/', SCHEME.length());
        if (slash < 0) {
            throw malformed("no label");
        }
        OtpType type = OtpType.fromUriName(text.substring(SCHEME.length(), slash))
                .orElseThrow(() -> malformed("the type is neither totp nor hotp"));
        int question = text.indexOf('?', slash);
        String label = question < 0 ? text.substring(slash + 1) : text.substring(slash + 1, question);
        Map<String, String> query = query(question < 0 ? "" : text.substring(question + 1));

        // label = accountname / issuer (":" / "%3A") *"%20" accountname
        String labelIssuer = "";
        String account;
        int colon = separator(label);
        if (colon >= 0) {
            labelIssuer = decode(label.substring(0, colon));
            String rest = decode(label.substring(colon + (label.charAt(colon) == ':' ? 1 : 3)));
            int start = 0;
            while (start < rest.length() && rest.charAt(start) == ' ') {
                start++;
            }
            account = rest.substring(start);
        } else {
            account = decode(label);
        }
        String issuer = query.getOrDefault("issuer", labelIssuer);
        if (!labelIssuer.isEmpty() && !labelIssuer.equals(issuer)) {
            throw malformed("the label's issuer and the issuer parameter differ");
        }

        String secret = query.get("secret");
        if (secret == null) {
            throw malformed("no secret");
        }
        OtpAlgorithm algorithm = query.containsKey("algorithm")
                ? OtpAlgorithm.fromUriName(query.get("algorithm"))
                        .orElseThrow(() -> unsupported("algorithm " + query.get("algorithm")))
                : OtpAlgorithm.SHA1;
        int digits = query.containsKey("digits") ? number(query.get("digits"), "digits") : OtpParams.DEFAULT_DIGITS;
        int period = query.containsKey("period") && type == OtpType.TOTP
                ? number(query.get("period"), "period")
                : OtpParams.DEFAULT_PERIOD_SECONDS;
        long counter = 0;
        if (type == OtpType.HOTP) {
            String value = query.get("counter");
            if (value == null || !value.matches("[0-9]{1,18}")) {
                throw malformed("HOTP needs a counter of 0 or more");
            }
            counter = Long.parseLong(value);
        }
        OtpParams params;
        try {
            params = new OtpParams(type, algorithm, digits, period);
        } catch (IllegalArgumentException e) {
            throw unsupported(e.getMessage());
        }
        try {
            return new OtpAuthUri(params, OtpSeed.fromBase32(secret), issuer, account, counter);
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
    }

    /** Without the secret. */
    @Override
    public String toString() {
        return "OtpAuthUri[" + params + ", issuer=" + issuer + ", account=" + account
                + (params.type() == OtpType.HOTP ? ", counter=" + counter : "") + "]";
    }

    private static Map<String, String> query(String query) {
        Map<String, String> out = new HashMap<>();
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw malformed("a parameter without a name or '='");
            }
            String name = decode(pair.substring(0, eq)).toLowerCase(Locale.ROOT);
            if (out.put(name, decode(pair.substring(eq + 1))) != null) {
                throw malformed("parameter " + name + " appears twice");
            }
        }
        return out;
    }

    /** Index of the first ':' or "%3A" in the still-encoded label, or -1. */
    private static int separator(String label) {
        int literal = label.indexOf(':');
        int encoded = label.toUpperCase(Locale.ROOT).indexOf("%3A");
        if (literal < 0) {
            return encoded;
        }
        return encoded < 0 ? literal : Math.min(literal, encoded);
    }

    private static int number(String value, String name) {
        if (!value.matches("[0-9]{1,4}")) {
            throw malformed(name + " is not a number");
        }
        return Integer.parseInt(value);
    }

    /** Percent-encodes all but RFC 3986 section 2.3's unreserved characters. */
    static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    /** Strict percent-decoding into UTF-8; '+' is a plus sign, as in RFC 3986. */
    static String decode(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw malformed("a '%' without two hex digits");
                }
                int high = hexValue(s.charAt(i + 1));
                int low = hexValue(s.charAt(i + 2));
                if (high < 0 || low < 0) {
                    throw malformed("a '%' without two hex digits");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (c >= 0x20 && c < 0x7F) {
                // a raw space is not RFC 3986, but some generators write one; it can only mean a space
                bytes.write(c);
            } else {
                throw malformed("characters outside printable ASCII must be percent-encoded");
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw malformed("percent-encoded bytes that are not UTF-8");
        }
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    private static boolean hasControl(String s) {
        return s.codePoints().anyMatch(Character::isISOControl);
    }

    private static OtpException malformed(String why) {
        return new OtpException(OtpException.URI_MALFORMED, "not a usable otpauth URI: " + why);
    }

    private static OtpException unsupported(String what) {
        return new OtpException(OtpException.URI_UNSUPPORTED, "otpauth URI not supported: " + what);
    }
}
