package dev.signet.server.signing;

import dev.signet.core.pki.Pem;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The timestamp authority over HTTP (<a href="https://www.rfc-editor.org/rfc/rfc3161#section-3.4">RFC
 * 3161 §3.4</a>), public like the CA's publication URLs: {@code POST /tsa} with a DER TimeStampReq of
 * type {@code application/timestamp-query} is answered with a DER TimeStampResp of type {@code
 * application/timestamp-reply} — granted, or a rejection with its failInfo (a malformed request gets
 * status 200 and badDataFormat, as the protocol wants). Without a timestamp authority (no online CA)
 * the rejection comes with HTTP 503. {@code GET /tsa/chain} gives the TSA's certificate chain (PEM,
 * TSA certificate first), for {@code openssl ts -verify -untrusted}.
 */
@RestController
class TsaController {
    static final String QUERY = "application/timestamp-query";
    static final String REPLY = "application/timestamp-reply";
    /** The largest request read: a TimeStampReq is a digest, a policy, a nonce and a flag. */
    static final int MAX_REQUEST = 16 * 1024;

    private static final MediaType REPLY_TYPE = MediaType.parseMediaType(REPLY);
    private static final MediaType PEM_CHAIN = MediaType.parseMediaType("application/pem-certificate-chain");

    private final TimestampService tsa;

    TsaController(TimestampService tsa) {
        this.tsa = tsa;
    }

    @PostMapping("/tsa")
    ResponseEntity<?> timestamp(HttpServletRequest request) throws IOException {
        if (!isQuery(request.getContentType())) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "a time-stamp request is a DER TimeStampReq of type " + QUERY + " (RFC 3161 section 3.4)");
            problem.setTitle(HttpStatus.UNSUPPORTED_MEDIA_TYPE.getReasonPhrase());
            problem.setProperty("code", "request.unsupported_media_type");
            return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(problem);
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_REQUEST + 1);
        }
        if (body.length > MAX_REQUEST) {
            body = new byte[0]; // answered as a malformed request: badDataFormat
        }
        TimestampService.Reply reply = tsa.reply(body);
        return ResponseEntity.status(reply.available() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .cacheControl(CacheControl.noStore())
                .contentType(REPLY_TYPE)
                .body(reply.der());
    }

    @GetMapping("/tsa/chain")
    ResponseEntity<?> chain() {
        Optional<List<X509Certificate>> chain = tsa.available() ? tsa.chain() : Optional.empty();
        if (chain.isEmpty()) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.SERVICE_UNAVAILABLE, "the server has no timestamp authority: it needs an online CA");
            problem.setTitle(HttpStatus.SERVICE_UNAVAILABLE.getReasonPhrase());
            problem.setProperty("code", SigningException.TSA_UNAVAILABLE);
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(problem);
        }
        return ResponseEntity.ok()
                .cacheControl(
                        CacheControl.maxAge(java.time.Duration.ofMinutes(5)).cachePublic())
                .contentType(PEM_CHAIN)
                .body(Pem.certificates(chain.get()).getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean isQuery(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            return MediaType.parseMediaType(contentType).equalsTypeAndSubtype(MediaType.parseMediaType(QUERY));
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }
}
