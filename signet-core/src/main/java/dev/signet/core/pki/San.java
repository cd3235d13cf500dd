package dev.signet.core.pki;

import java.util.Objects;

/**
 * One requested subject alternative name (<a
 * href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6">RFC 5280 §4.2.1.6</a>), as text: a DNS
 * name, an IPv4 or IPv6 address, an e-mail address or an absolute URI.
 */
public record San(SanType type, String value) {
    public San {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    public static San dns(String name) {
        return new San(SanType.DNS, name);
    }

    public static San ip(String address) {
        return new San(SanType.IP, address);
    }

    public static San email(String address) {
        return new San(SanType.EMAIL, address);
    }

    public static San uri(String uri) {
        return new San(SanType.URI, uri);
    }
}
