package dev.signet.server.ca;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Base64;
import java.util.Optional;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriUtils;

/**
 * OCSP over GET (<a href="https://www.rfc-editor.org/rfc/rfc6960#appendix-A.1">RFC 6960 A.1</a>):
 * {@code GET /ca/{id}/ocsp/{url-encoding of base64 of the DER request}}. Answered here, ahead of
 * Spring Security, because the request is base64 in the path: it holds "/" (raw, or "%2F" when
 * URL-encoded as the RFC says) and "//", which the security firewall rightly refuses everywhere
 * else. The route is public in any case ({@code /ca/**}); the request is read from the raw URI,
 * bounded, and anything that is not base64 of a request gets a malformedRequest OCSP response.
 */
final class OcspGetFilter extends OncePerRequestFilter {
    /** The longest encoded request taken; RFC 5019 §5 expects GET only for requests under 255 bytes. */
    static final int MAX_ENCODED = 4096;

    private final CaService service;

    OcspGetFilter(CaService service) {
        this.service = service;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<Target> target = "GET".equals(request.getMethod()) ? target(request) : Optional.empty();
        if (target.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        byte[] answer = decode(target.get().encoded())
                .map(der -> service.ocsp(target.get().ca(), der))
                .orElseGet(CaService::ocspMalformed);
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(CertificateFormats.OCSP_RESPONSE);
        response.setHeader("Cache-Control", "public, max-age=60, no-transform, must-revalidate");
        response.setContentLength(answer.length);
        response.getOutputStream().write(answer);
    }

    record Target(String ca, String encoded) {}

    /** {@code /ca/ID/ocsp/REQUEST} from the raw request URI, or empty for any other path. */
    static Optional<Target> target(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        String path = context != null && uri.startsWith(context) ? uri.substring(context.length()) : uri;
        if (!path.startsWith("/ca/")) {
            return Optional.empty();
        }
        int slash = path.indexOf('/', 4);
        if (slash < 5 || !path.startsWith("/ocsp/", slash)) {
            return Optional.empty();
        }
        String ca = path.substring(4, slash);
        String encoded = path.substring(slash + "/ocsp/".length());
        if (encoded.isEmpty() || !CaInputs.NAME.matcher(ca).matches()) {
            return Optional.empty();
        }
        return Optional.of(new Target(ca, encoded));
    }

    /** The DER request: percent-decoded (a "+" stays a "+"), then base64 (standard or URL-safe). */
    static Optional<byte[]> decode(String encoded) {
        if (encoded.length() > MAX_ENCODED) {
            return Optional.empty();
        }
        try {
            String base64 = UriUtils.decode(encoded, java.nio.charset.StandardCharsets.US_ASCII)
                    .replace('-', '+')
                    .replace('_', '/');
            byte[] der = Base64.getDecoder().decode(base64);
            return der.length == 0 ? Optional.empty() : Optional.of(der);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
