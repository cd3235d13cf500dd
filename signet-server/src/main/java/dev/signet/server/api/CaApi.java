package dev.signet.server.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.signet.core.pki.KeyRequest;
import dev.signet.core.pki.RevocationReason;
import dev.signet.server.ca.CaInfo;
import dev.signet.server.ca.CaInputs;
import dev.signet.server.ca.CaService;
import dev.signet.server.ca.CertificateFormats;
import dev.signet.server.ca.IssuedCertificate;
import dev.signet.server.signin.SignetPrincipal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.bouncycastle.asn1.x500.X500Name;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/ca}: certificate authorities and what they do. Reading and issuing need {@code
 * ca:issue} (or {@code ca:admin}); creating, importing, revoking and taking offline need {@code
 * ca:admin} (see {@code web.SecurityConfig}). The rules are {@link CaService}'s; the token's owner is
 * the actor in the audit trail. Serials are lower-case hex, times ISO-8601, certificates PEM.
 */
@RestController
@RequestMapping(path = "/api/v1/ca", produces = MediaType.APPLICATION_JSON_VALUE)
class CaApi {
    /** A new root (no parent) or intermediate. */
    record CreateCa(String name, String key, String parent, String subject, Integer validityDays, Integer pathLength) {}

    /** An existing CA: a PKCS#12 file, or PEM certificates (CA first) and a private key. */
    record ImportCa(String name, String pkcs12Base64, String password, String certificatesPem, String privateKeyPem) {
        @Override
        public String toString() {
            return "ImportCa[" + name + ", key redacted]";
        }
    }

    /** A certificate from a PKCS#10 request. */
    record Issue(String profile, String csrPem, Integer validityDays) {}

    /** "Generate for me": the key is made by the server and returned once, encrypted with {@code password}. */
    record Generate(
            String profile,
            String subject,
            List<String> sans,
            String key,
            Integer validityDays,
            String format,
            String password) {
        @Override
        public String toString() {
            return "Generate[" + profile + ", " + subject + ", password redacted]";
        }
    }

    record Revoke(String serial, String reason) {}

    record Offline(String password) {
        @Override
        public String toString() {
            return "Offline[password redacted]";
        }
    }

    record Online(String pkcs12Base64, String password) {
        @Override
        public String toString() {
            return "Online[redacted]";
        }
    }

    record CaView(
            String id,
            String name,
            String kind,
            String status,
            String keyAlgorithm,
            String subject,
            String parent,
            String notBefore,
            String notAfter,
            String serial,
            String crlUrl,
            String ocspUrl,
            String certUrl) {
        static CaView of(CaInfo ca) {
            return new CaView(
                    ca.id(),
                    ca.name(),
                    Views.lower(ca.kind()),
                    Views.lower(ca.status()),
                    ca.keyAlgorithm().id(),
                    ca.subject(),
                    ca.parent().orElse(null),
                    Views.iso(ca.notBefore()),
                    Views.iso(ca.notAfter()),
                    ca.serial(),
                    ca.urls().crl().toString(),
                    ca.urls().ocsp().toString(),
                    ca.urls().caIssuers().toString());
        }
    }

    record CaList(List<CaView> cas) {}

    /** A certificate in the inventory. */
    record CertificateView(
            String serial,
            String ca,
            String subject,
            List<String> sans,
            String profile,
            String keyAlgorithm,
            String notBefore,
            String notAfter,
            String status,
            String revokedAt,
            String revocationReason) {
        static CertificateView of(IssuedCertificate c) {
            return new CertificateView(
                    c.serial(),
                    c.ca(),
                    c.subject(),
                    c.sans(),
                    c.profile(),
                    c.keyAlgorithm(),
                    Views.iso(c.notBefore()),
                    Views.iso(c.notAfter()),
                    Views.lower(c.status()),
                    Views.iso(c.revokedAt()),
                    c.revocationReason().map(RevocationReason::id).orElse(null));
        }
    }

    /** A certificate with its PEM and its issuing CA's chain (CA first, without the certificate itself). */
    record IssuedView(@JsonUnwrapped CertificateView certificate, String certificatePem, String chainPem) {
        static IssuedView of(IssuedCertificate c, List<X509Certificate> caChain) {
            return new IssuedView(
                    CertificateView.of(c),
                    CertificateFormats.pem(List.of(c.certificate())),
                    CertificateFormats.pem(caChain));
        }
    }

    /** A generated credential as PKCS#12. */
    record GeneratedP12(@JsonUnwrapped CertificateView certificate, String pkcs12Base64) {
        @Override
        public String toString() {
            return "GeneratedP12[" + certificate.serial() + ", key redacted]";
        }
    }

    /** A generated credential as PEM: the key encrypted (PKCS#8, PBKDF2, AES-256-CBC). */
    record GeneratedPem(
            @JsonUnwrapped CertificateView certificate, String certificatePem, String privateKeyPem, String chainPem) {
        @Override
        public String toString() {
            return "GeneratedPem[" + certificate.serial() + ", key redacted]";
        }
    }

    record Exported(String pkcs12Base64) {
        @Override
        public String toString() {
            return "Exported[redacted]";
        }
    }

    private static final MediaType PEM_CHAIN = MediaType.parseMediaType(CertificateFormats.PEM_CHAIN);
    private static final MediaType PKCS7 = MediaType.parseMediaType(CertificateFormats.PKCS7);
    private static final MediaType PEM = MediaType.parseMediaType(CertificateFormats.PEM);
    private static final MediaType PKIX_CRL = MediaType.parseMediaType(CertificateFormats.PKIX_CRL);

    private final CaService cas;

    CaApi(CaService cas) {
        this.cas = cas;
    }

    @GetMapping
    CaList list() {
        return new CaList(cas.list().stream().map(CaView::of).toList());
    }

    /** Creates a root ({@code parent} absent) or an intermediate under {@code parent}. */
    @PostMapping
    ResponseEntity<CaView> create(@JsonBody CreateCa body, @AuthenticationPrincipal SignetPrincipal me) {
        Optional<X500Name> subject = Optional.ofNullable(body.subject()).map(CaInputs::subject);
        if (body.pathLength() != null && (body.pathLength() < 0 || body.pathLength() > 16)) {
            throw RequestRefused.invalid("field 'pathLength' must be from 0 to 16");
        }
        CaInfo ca = cas.create(
                new CaService.NewCa(
                        body.name(),
                        CaInputs.key(body.key()),
                        Optional.ofNullable(body.parent()),
                        subject,
                        CaInputs.days(body.validityDays()),
                        body.pathLength() == null ? OptionalInt.empty() : OptionalInt.of(body.pathLength())),
                me.username());
        return created(ca);
    }

    @PostMapping("/import")
    ResponseEntity<CaView> importCa(@JsonBody ImportCa body, @AuthenticationPrincipal SignetPrincipal me) {
        boolean pkcs12 = body.pkcs12Base64() != null;
        boolean pem = body.certificatesPem() != null || body.privateKeyPem() != null;
        if (pkcs12 == pem) {
            throw RequestRefused.invalid(
                    "give either 'pkcs12Base64' and 'password', or 'certificatesPem' and 'privateKeyPem'");
        }
        CaInfo ca;
        if (pkcs12) {
            if (body.password() == null) {
                throw RequestRefused.invalid("field 'password' is required with 'pkcs12Base64'");
            }
            ca = cas.importPkcs12(
                    body.name(),
                    base64("pkcs12Base64", body.pkcs12Base64()),
                    body.password().toCharArray(),
                    me.username());
        } else {
            if (body.certificatesPem() == null || body.privateKeyPem() == null) {
                throw RequestRefused.invalid("fields 'certificatesPem' and 'privateKeyPem' go together");
            }
            ca = cas.importPem(
                    body.name(),
                    body.certificatesPem(),
                    body.privateKeyPem(),
                    Optional.ofNullable(body.password()).map(String::toCharArray),
                    me.username());
        }
        return created(ca);
    }

    @GetMapping("/{name}")
    CaView show(@PathVariable("name") String name) {
        return CaView.of(cas.get(name));
    }

    /** The CA's chain, CA first: PEM ({@code application/pem-certificate-chain}) or certs-only PKCS#7 DER. */
    @GetMapping(path = "/{name}/chain", produces = MediaType.ALL_VALUE)
    ResponseEntity<byte[]> chain(
            @PathVariable("name") String name, @RequestParam(name = "format", required = false) String format) {
        List<X509Certificate> chain = cas.chain(name);
        return switch (format(format, "pem", "p7b")) {
            case "p7b" -> ResponseEntity.ok().contentType(PKCS7).body(CertificateFormats.pkcs7(chain));
            default ->
                ResponseEntity.ok()
                        .contentType(PEM_CHAIN)
                        .body(CertificateFormats.pem(chain).getBytes(StandardCharsets.US_ASCII));
        };
    }

    @PostMapping("/{name}/issue")
    ResponseEntity<IssuedView> issue(
            @PathVariable("name") String name, @JsonBody Issue body, @AuthenticationPrincipal SignetPrincipal me) {
        byte[] csr = body.csrPem() == null ? new byte[0] : body.csrPem().getBytes(StandardCharsets.US_ASCII);
        IssuedCertificate issued =
                cas.issue(name, body.profile(), csr, CaInputs.days(body.validityDays()), me.username());
        return ResponseEntity.status(HttpStatus.CREATED)
                .location(certificateLocation(issued))
                .body(IssuedView.of(issued, cas.chain(issued.ca())));
    }

    /** "Generate for me": PKCS#12 or PEM, encrypted with the given password; never stored, never cached. */
    @PostMapping("/{name}/generate")
    ResponseEntity<Object> generate(
            @PathVariable("name") String name, @JsonBody Generate body, @AuthenticationPrincipal SignetPrincipal me) {
        String format = format(body.format(), "p12", "pem");
        if (body.password() == null) {
            throw RequestRefused.invalid("field 'password' is required: it encrypts the generated key");
        }
        char[] password = body.password().toCharArray();
        CaService.requireKeyPassword(password);
        KeyRequest request = new KeyRequest(
                CaInputs.subject(body.subject()),
                CaInputs.sans(body.sans()),
                Optional.ofNullable(body.key()).map(CaInputs::key),
                CaInputs.days(body.validityDays()));
        CaService.Generated generated = cas.generate(name, body.profile(), request, me.username());
        IssuedCertificate issued = generated.certificate();
        CertificateView view = CertificateView.of(issued);
        Object answer = format.equals("pem")
                ? new GeneratedPem(
                        view,
                        CertificateFormats.pem(List.of(issued.certificate())),
                        generated.credential().privateKeyPem(password),
                        CertificateFormats.pem(generated.credential().caChain()))
                : new GeneratedP12(
                        view,
                        Base64.getEncoder()
                                .encodeToString(generated.credential().pkcs12(password, alias(issued))));
        return ResponseEntity.status(HttpStatus.CREATED)
                .location(certificateLocation(issued))
                .cacheControl(CacheControl.noStore())
                .body(answer);
    }

    @PostMapping("/{name}/revoke")
    CertificateView revoke(
            @PathVariable("name") String name, @JsonBody Revoke body, @AuthenticationPrincipal SignetPrincipal me) {
        RevocationReason reason = body.reason() == null ? RevocationReason.UNSPECIFIED : CaInputs.reason(body.reason());
        return CertificateView.of(cas.revoke(name, body.serial(), reason, me.username()));
    }

    /** The CA's current CRL: DER ({@code application/pkix-crl}) or PEM. */
    @GetMapping(path = "/{name}/crl", produces = MediaType.ALL_VALUE)
    ResponseEntity<byte[]> crl(
            @PathVariable("name") String name, @RequestParam(name = "format", required = false) String format) {
        String chosen = format(format, "der", "pem");
        byte[] der = cas.crl(name).der();
        if (chosen.equals("pem")) {
            String pem = "-----BEGIN X509 CRL-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                    + "\n-----END X509 CRL-----\n";
            return ResponseEntity.ok().contentType(PEM).body(pem.getBytes(StandardCharsets.US_ASCII));
        }
        return ResponseEntity.ok().contentType(PKIX_CRL).body(der);
    }

    /**
     * Takes a root offline: answers its key and certificate as PKCS#12 under {@code password} (at
     * least 15 characters) and removes the key from the database. Keep the file safe: it is the only copy.
     */
    @PostMapping("/{name}/offline")
    ResponseEntity<Exported> offline(
            @PathVariable("name") String name, @JsonBody Offline body, @AuthenticationPrincipal SignetPrincipal me) {
        char[] password =
                body.password() == null ? new char[0] : body.password().toCharArray();
        byte[] pkcs12 = cas.takeOffline(name, password, me.username());
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .body(new Exported(Base64.getEncoder().encodeToString(pkcs12)));
    }

    /** Brings an offline root back with the PKCS#12 that {@code offline} answered. */
    @PostMapping("/{name}/online")
    CaView online(
            @PathVariable("name") String name, @JsonBody Online body, @AuthenticationPrincipal SignetPrincipal me) {
        if (body.pkcs12Base64() == null || body.password() == null) {
            throw RequestRefused.invalid("fields 'pkcs12Base64' and 'password' are required");
        }
        return CaView.of(cas.bringOnline(
                name,
                base64("pkcs12Base64", body.pkcs12Base64()),
                body.password().toCharArray(),
                me.username()));
    }

    private static ResponseEntity<CaView> created(CaInfo ca) {
        return ResponseEntity.created(URI.create("/api/v1/ca/" + ca.name())).body(CaView.of(ca));
    }

    private static URI certificateLocation(IssuedCertificate issued) {
        return URI.create("/api/v1/certificates/" + issued.serial() + "?ca=" + issued.ca());
    }

    /** The PKCS#12 alias: the certificate's serial, which names it unambiguously. */
    private static String alias(IssuedCertificate issued) {
        return issued.serial();
    }

    static String format(String value, String byDefault, String... others) {
        if (value == null || value.isBlank()) {
            return byDefault;
        }
        String folded = value.strip().toLowerCase(Locale.ROOT);
        if (folded.equals(byDefault)) {
            return byDefault;
        }
        for (String other : others) {
            if (folded.equals(other)) {
                return other;
            }
        }
        throw RequestRefused.invalid("format must be " + byDefault + " or " + String.join(" or ", others));
    }

    static byte[] base64(String field, String value) {
        try {
            return Base64.getMimeDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw RequestRefused.invalid("field '" + field + "' is not base64");
        }
    }
}
