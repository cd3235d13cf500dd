package dev.signet.server.ca;

import dev.signet.core.pki.Pem;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What relying parties fetch, without credentials, at the URLs every certificate names ({@link
 * dev.signet.core.pki.PublicationUrls}): the CRL distribution point, the OCSP responder (POST here;
 * GET in {@link OcspGetFilter}) and the CA certificate for AIA caIssuers. {@code {id}} is the CA's
 * name (case-insensitive) or id.
 */
@RestController
@RequestMapping("/ca/{id}")
class PublicationController {
    /** The largest OCSP request read; {@code OcspResponder} takes at most 16 CertIDs, far less than this. */
    static final int MAX_OCSP_REQUEST = 16 * 1024;

    private static final MediaType PKIX_CRL = MediaType.parseMediaType(CertificateFormats.PKIX_CRL);
    private static final MediaType PKIX_CERT = MediaType.parseMediaType(CertificateFormats.PKIX_CERT);
    private static final MediaType PEM = MediaType.parseMediaType(CertificateFormats.PEM);
    private static final MediaType OCSP_RESPONSE = MediaType.parseMediaType(CertificateFormats.OCSP_RESPONSE);

    private final CaService service;

    PublicationController(CaService service) {
        this.service = service;
    }

    /** The current CRL: DER ({@code application/pkix-crl}), or PEM with {@code ?format=pem} or {@code Accept: application/x-pem-file}. */
    @GetMapping("/crl")
    ResponseEntity<byte[]> crl(
            @PathVariable("id") String id,
            @RequestParam(name = "format", required = false) String format,
            @RequestHeader(name = "Accept", required = false) String accept) {
        CaService.PublishedCrl crl = service.crl(id);
        ResponseEntity.BodyBuilder answer = ResponseEntity.ok()
                .cacheControl(CacheControl.maxAge(java.time.Duration.ofMinutes(1))
                        .cachePublic()
                        .noTransform())
                .header(
                        "Last-Modified",
                        DateTimeFormatter.RFC_1123_DATE_TIME.format(
                                crl.thisUpdate().atOffset(ZoneOffset.UTC)));
        if (wantsPem(format, accept)) {
            String pem = "-----BEGIN X509 CRL-----\n"
                    + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(crl.der())
                    + "\n-----END X509 CRL-----\n";
            return answer.contentType(PEM).body(pem.getBytes(StandardCharsets.US_ASCII));
        }
        return answer.contentType(PKIX_CRL).body(crl.der());
    }

    /** The CA's certificate: DER ({@code application/pkix-cert}), or PEM as for the CRL. */
    @GetMapping("/cert")
    ResponseEntity<byte[]> certificate(
            @PathVariable("id") String id,
            @RequestParam(name = "format", required = false) String format,
            @RequestHeader(name = "Accept", required = false) String accept) {
        var certificate = service.get(id).certificate();
        ResponseEntity.BodyBuilder answer = ResponseEntity.ok()
                .cacheControl(CacheControl.maxAge(java.time.Duration.ofHours(1)).cachePublic());
        if (wantsPem(format, accept)) {
            return answer.contentType(PEM).body(Pem.certificate(certificate).getBytes(StandardCharsets.US_ASCII));
        }
        return answer.contentType(PKIX_CERT).body(CertificateFormats.der(certificate));
    }

    /** RFC 6960 A.1 POST: a DER OCSPRequest in, a DER OCSPResponse out, always 200 with an OCSP status. */
    @PostMapping("/ocsp")
    ResponseEntity<byte[]> ocsp(@PathVariable("id") String id, HttpServletRequest request) throws IOException {
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_OCSP_REQUEST + 1);
        }
        byte[] answer = body.length > MAX_OCSP_REQUEST ? CaService.ocspMalformed() : service.ocsp(id, body);
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .contentType(OCSP_RESPONSE)
                .body(answer);
    }

    private static boolean wantsPem(String format, String accept) {
        if (format != null) {
            return format.equalsIgnoreCase("pem");
        }
        return accept != null && accept.contains(CertificateFormats.PEM);
    }
}
