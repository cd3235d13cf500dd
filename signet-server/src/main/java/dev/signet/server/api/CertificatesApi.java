package dev.signet.server.api;

import dev.signet.server.api.CaApi.CertificateView;
import dev.signet.server.api.CaApi.IssuedView;
import dev.signet.server.ca.CaService;
import dev.signet.server.ca.CertificateFormats;
import dev.signet.server.ca.IssuedCertificate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/certificates}: the inventory of every certificate Signet's CAs issued, searchable by
 * subject, SAN and serial, with status and expiry filters; each one downloadable as JSON, PEM, DER or
 * PKCS#7 with its chain. Needs {@code ca:issue} or {@code ca:admin}.
 */
@RestController
@RequestMapping(path = "/api/v1/certificates", produces = MediaType.APPLICATION_JSON_VALUE)
class CertificatesApi {
    record CertificateList(List<CertificateView> certificates, long total) {}

    private static final MediaType PEM = MediaType.parseMediaType(CertificateFormats.PEM);
    private static final MediaType PKIX_CERT = MediaType.parseMediaType(CertificateFormats.PKIX_CERT);
    private static final MediaType PKCS7 = MediaType.parseMediaType(CertificateFormats.PKCS7);
    private static final int MAX_EXPIRING_DAYS = 3660;

    private final CaService cas;

    CertificatesApi(CaService cas) {
        this.cas = cas;
    }

    /**
     * Certificates whose subject, SANs or serial contain {@code q}, filtered by issuing CA, status
     * ({@code valid}, {@code revoked}, {@code expired}), profile, and expiry within {@code
     * expiringWithinDays} (then soonest first; otherwise newest first).
     */
    @GetMapping
    CertificateList list(
            @RequestParam(name = "q", required = false) String q,
            @RequestParam(name = "ca", required = false) String ca,
            @RequestParam(name = "status", required = false) String status,
            @RequestParam(name = "profile", required = false) String profile,
            @RequestParam(name = "expiringWithinDays", required = false) Integer expiringWithinDays,
            @RequestParam(name = "offset", defaultValue = "0") int offset,
            @RequestParam(name = "limit", defaultValue = "" + Params.DEFAULT_LIMIT) int limit) {
        Params.Paging page = Params.paging(offset, limit);
        if (expiringWithinDays != null && (expiringWithinDays < 0 || expiringWithinDays > MAX_EXPIRING_DAYS)) {
            throw RequestRefused.invalid("parameter 'expiringWithinDays' must be from 0 to " + MAX_EXPIRING_DAYS);
        }
        CaService.CertificatePage found = cas.certificates(new CaService.CertificateQuery(
                Params.text("q", q),
                Params.text("ca", ca),
                Params.oneOf("status", status, IssuedCertificate.Status.class),
                Params.text("profile", profile),
                expiringWithinDays == null ? OptionalInt.empty() : OptionalInt.of(expiringWithinDays),
                page.offset(),
                page.limit()));
        return new CertificateList(
                found.certificates().stream().map(CertificateView::of).toList(), found.total());
    }

    /**
     * One certificate by serial (and issuing CA, when two CAs used the same serial): JSON with its PEM
     * and chain by default; {@code format=pem} the certificate as PEM, {@code der} as DER, {@code p7b}
     * with its chain as certs-only PKCS#7.
     */
    @GetMapping(path = "/{serial}", produces = MediaType.ALL_VALUE)
    ResponseEntity<?> show(
            @PathVariable("serial") String serial,
            @RequestParam(name = "ca", required = false) String ca,
            @RequestParam(name = "format", required = false) String format) {
        IssuedCertificate certificate = cas.certificate(serial, Params.text("ca", ca));
        if (format == null || format.isBlank()) {
            return ResponseEntity.ok()
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(IssuedView.of(certificate, cas.chain(certificate.ca())));
        }
        return switch (CaApi.format(format, "pem", "der", "p7b")) {
            case "der" ->
                ResponseEntity.ok().contentType(PKIX_CERT).body(CertificateFormats.der(certificate.certificate()));
            case "p7b" ->
                ResponseEntity.ok().contentType(PKCS7).body(CertificateFormats.pkcs7(cas.chainOf(certificate)));
            default ->
                ResponseEntity.ok()
                        .contentType(PEM)
                        .body(CertificateFormats.pem(List.of(certificate.certificate()))
                                .getBytes(StandardCharsets.US_ASCII));
        };
    }
}
