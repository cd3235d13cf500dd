package dev.signet.core.pki;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where relying parties find a CA's revocation status and certificate: the CRL distribution point
 * (<a href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.13">RFC 5280 §4.2.1.13</a>) and the
 * authority information access OCSP and caIssuers locations (<a
 * href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2.2.1">§4.2.2.1</a>). Serving them is the
 * server's job; this value only says what every issued certificate points to.
 *
 * @param crl the CRL distribution point (DER CRL)
 * @param ocsp the OCSP responder (RFC 6960)
 * @param caIssuers the issuing CA's certificate (DER)
 */
public record PublicationUrls(URI crl, URI ocsp, URI caIssuers) {
    private static final Pattern CA_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public PublicationUrls {
        checkAbsoluteHttp(crl, "crl");
        checkAbsoluteHttp(ocsp, "ocsp");
        checkAbsoluteHttp(caIssuers, "caIssuers");
    }

    /**
     * The server's layout: {@code BASE/ca/ID/crl}, {@code BASE/ca/ID/ocsp} and {@code
     * BASE/ca/ID/cert} under {@code base}, the server's public URL.
     */
    public static PublicationUrls under(URI base, String caId) {
        Objects.requireNonNull(base, "base");
        if (caId == null || !CA_ID.matcher(caId).matches()) {
            throw new IllegalArgumentException("CA id must be 1-64 of [A-Za-z0-9._-], starting with a letter or digit");
        }
        String root = base.toString().replaceAll("/+$", "") + "/ca/" + caId + "/";
        return new PublicationUrls(URI.create(root + "crl"), URI.create(root + "ocsp"), URI.create(root + "cert"));
    }

    private static void checkAbsoluteHttp(URI uri, String what) {
        Objects.requireNonNull(uri, what);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException(what + " must be an absolute http or https URL: " + uri);
        }
    }
}
