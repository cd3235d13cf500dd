package dev.signet.server.ca;

import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.RevocationReason;
import dev.signet.core.pki.San;
import dev.signet.core.pki.SanType;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Parses what people type (in the API, the console, the CLI) into the core's values, each refusal a
 * {@link CaException} or {@link dev.signet.core.pki.PkiException} with a stable code. The printed
 * forms ({@link #hex}, {@link #sanText}) are the ones these methods read back.
 */
public final class CaInputs {
    /** CA names: 1 to 64 of {@code [A-Za-z0-9._-]}, starting with a letter or digit (they appear in URLs). */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** The longest validity anyone may ask for, in days; profiles set the real limits. */
    public static final int MAX_VALIDITY_DAYS = 100 * 366;

    private static final int MAX_SERIAL_HEX = 40;
    private static final int MAX_SUBJECT = 1000;

    private CaInputs() {}

    /**
     * A CA name as given, checked.
     *
     * @throws CaException {@code ca.name_invalid}
     */
    public static String name(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new CaException(
                    CaException.CA_NAME_INVALID,
                    "a CA name is 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit");
        }
        return name;
    }

    /**
     * A key algorithm by its id ({@code ec-p256}, {@code rsa-3072}, {@code ml-dsa-65}, ...).
     *
     * @throws CaException {@code key.unknown}
     */
    public static KeyAlgorithm key(String id) {
        return KeyAlgorithm.byId(id)
                .orElseThrow(() -> new CaException(
                        CaException.KEY_UNKNOWN,
                        "the key algorithm must be one of "
                                + Arrays.stream(KeyAlgorithm.values())
                                        .map(KeyAlgorithm::id)
                                        .collect(Collectors.joining(", "))));
    }

    /**
     * A distinguished name written as {@code CN=name,O=Example,C=NL} (RFC 4514 order, most specific
     * first as written).
     *
     * @throws CaException {@code subject.invalid}
     */
    public static X500Name subject(String text) {
        if (text == null || text.isBlank() || text.length() > MAX_SUBJECT) {
            throw new CaException(CaException.SUBJECT_INVALID, "the subject must be a name such as CN=name,O=Example");
        }
        try {
            X500Name name = new X500Name(BCStyle.INSTANCE, text.strip());
            if (name.getRDNs().length == 0) {
                throw new IllegalArgumentException("empty");
            }
            return name;
        } catch (IllegalArgumentException e) {
            throw new CaException(
                    CaException.SUBJECT_INVALID, "the subject must be a name such as CN=name,O=Example", e);
        }
    }

    /**
     * A subject alternative name written {@code dns:example.com}, {@code ip:10.0.0.1}, {@code
     * email:a@example.com} or {@code uri:spiffe://example/x}. Whether the value is well formed is
     * checked when the certificate is made ({@code csr.bad_san}).
     *
     * @throws CaException {@code csr.bad_san} for another prefix
     */
    public static San san(String text) {
        if (text != null) {
            int colon = text.indexOf(':');
            if (colon > 0 && colon < text.length() - 1 && text.length() <= 1000) {
                String value = text.substring(colon + 1).strip();
                switch (text.substring(0, colon).strip().toLowerCase(Locale.ROOT)) {
                    case "dns" -> {
                        return new San(SanType.DNS, value);
                    }
                    case "ip" -> {
                        return new San(SanType.IP, value);
                    }
                    case "email" -> {
                        return new San(SanType.EMAIL, value);
                    }
                    case "uri" -> {
                        return new San(SanType.URI, value);
                    }
                    default -> {
                        // refused below
                    }
                }
            }
        }
        throw new CaException(
                CaException.SAN_INVALID,
                "a subject alternative name is written dns:NAME, ip:ADDRESS, email:ADDRESS or uri:URI");
    }

    public static List<San> sans(List<String> texts) {
        List<San> sans = new ArrayList<>();
        if (texts != null) {
            for (String text : texts) {
                sans.add(san(text));
            }
        }
        return sans;
    }

    /** How a SAN is printed and stored: {@code dns:example.com}. */
    public static String sanText(San san) {
        return san.type().name().toLowerCase(Locale.ROOT) + ":" + san.value();
    }

    /**
     * A serial number in hexadecimal: upper or lower case, with or without colons or a {@code 0x}
     * prefix, at most 20 octets (RFC 5280 4.1.2.2).
     *
     * @throws CaException {@code serial.invalid}
     */
    public static BigInteger serial(String text) {
        if (text != null) {
            String hex = text.strip().replace(":", "");
            if (hex.startsWith("0x") || hex.startsWith("0X")) {
                hex = hex.substring(2);
            }
            if (!hex.isEmpty() && hex.length() <= MAX_SERIAL_HEX && hex.matches("[0-9A-Fa-f]+")) {
                BigInteger serial = new BigInteger(hex, 16);
                if (serial.signum() > 0) {
                    return serial;
                }
            }
        }
        throw new CaException(
                CaException.SERIAL_INVALID, "a serial number is up to 40 hexadecimal digits, such as 3f9a0c...");
    }

    /** A serial as Signet prints and stores it: lower-case hex, no colons, no leading zeros. */
    public static String hex(BigInteger serial) {
        return serial.toString(16);
    }

    /**
     * A revocation reason by its id ({@link RevocationReason#id()}, such as {@code key-compromise});
     * RFC 5280's own spelling ({@code keyCompromise}) is accepted too.
     *
     * @throws CaException {@code revocation.reason_unknown}
     */
    public static RevocationReason reason(String text) {
        if (text != null) {
            String folded = text.strip().replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
            for (RevocationReason reason : RevocationReason.values()) {
                if (reason.id().replace("-", "").equals(folded)) {
                    return reason;
                }
            }
        }
        throw new CaException(
                CaException.REASON_UNKNOWN,
                "the reason must be one of "
                        + Arrays.stream(RevocationReason.values())
                                .map(RevocationReason::id)
                                .collect(Collectors.joining(", ")));
    }

    /**
     * A validity of {@code days} days, when given.
     *
     * @throws CaException {@code profile.bad_validity} for less than one day or an absurd number
     */
    public static Optional<Duration> days(Integer days) {
        if (days == null) {
            return Optional.empty();
        }
        if (days < 1 || days > MAX_VALIDITY_DAYS) {
            throw new CaException(CaException.VALIDITY_INVALID, "validityDays must be from 1 to " + MAX_VALIDITY_DAYS);
        }
        return Optional.of(Duration.ofDays(days));
    }
}
