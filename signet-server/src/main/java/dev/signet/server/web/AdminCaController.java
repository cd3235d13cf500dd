package dev.signet.server.web;

import dev.signet.core.SignetException;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.Profiles;
import dev.signet.core.pki.RevocationReason;
import dev.signet.server.ca.CaException;
import dev.signet.server.ca.CaInfo;
import dev.signet.server.ca.CaInputs;
import dev.signet.server.ca.CaService;
import dev.signet.server.ca.CertificateFormats;
import dev.signet.server.ca.IssuedCertificate;
import dev.signet.server.signin.SignetPrincipal;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The administrator's certificate authority pages: the CA tree with a "new CA" form ({@code
 * /admin/ca}), one CA with its chain, CRL, publication URLs, issuance from a CSR and revocation
 * ({@code /admin/ca/{name}}), and the inventory of issued certificates ({@code /admin/certificates})
 * with one certificate's details and downloads ({@code /admin/certificates/{ca}/{serial}}). The web
 * chain lets only administrators in ({@code /admin/**}). Every change goes through {@link
 * CaService}, which checks the rules and writes the audit trail with the administrator as actor; a
 * refusal is shown as a notice with its stable code and the status {@link Problems} gives it.
 *
 * <p>The download handlers write the bytes themselves and return no view; when refused they answer
 * the page with the notice instead.
 */
@Controller
@RequestMapping("/admin")
class AdminCaController {
    static final int PAGE_SIZE = 25;
    static final int RECENT = 10;
    static final int MAX_EXPIRING_DAYS = 3660;
    /** The built-in profiles a CSR may be issued under (sub-ca and ocsp-signing are Signet's own). */
    static final List<String> ISSUABLE = List.of(
            Profiles.TLS_SERVER.name(),
            Profiles.TLS_CLIENT.name(),
            Profiles.CODE_SIGNING.name(),
            Profiles.TIMESTAMPING.name());

    /** A CA in the tree: its depth below its root. */
    public record CaNode(CaInfo ca, int depth, boolean expired) {
        public String depthClass() {
            return "ca-depth-" + Math.min(depth, 5);
        }
    }

    private final CaService cas;
    private final Clock clock;

    AdminCaController(CaService cas, Clock clock) {
        this.cas = cas;
        this.clock = clock;
    }

    // ---- the CAs ------------------------------------------------------------------------------

    @GetMapping("/ca")
    String list(Model model) {
        return listPage(model);
    }

    @PostMapping("/ca")
    String create(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "name", required = false) String name,
            @RequestParam(name = "key", required = false) String key,
            @RequestParam(name = "parent", required = false) String parent,
            @RequestParam(name = "subject", required = false) String subject,
            @RequestParam(name = "validityDays", required = false) String validityDays,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            CaInfo ca = cas.create(
                    new CaService.NewCa(
                            CaInputs.name(name == null ? null : name.strip()),
                            CaInputs.key(key),
                            blank(parent) ? Optional.empty() : Optional.of(parent.strip()),
                            blank(subject) ? Optional.empty() : Optional.of(CaInputs.subject(subject)),
                            days(validityDays),
                            OptionalInt.empty()),
                    me.username());
            redirect.addFlashAttribute(
                    "notice",
                    (ca.kind() == CaInfo.Kind.ROOT ? "Root CA " : "Intermediate CA ") + ca.name() + " is created.");
            return "redirect:/admin/ca/" + ca.name();
        } catch (SignetException e) {
            ConsoleModel.refusal(e, model, response);
            Map<String, String> form = new HashMap<>();
            form.put("name", nonNull(name));
            form.put("key", nonNull(key));
            form.put("parent", nonNull(parent));
            form.put("subject", nonNull(subject));
            form.put("validityDays", nonNull(validityDays));
            model.addAttribute("form", form);
            return listPage(model);
        }
    }

    private String listPage(Model model) {
        List<CaInfo> all = cas.list();
        Map<String, Integer> depths = new HashMap<>();
        List<CaNode> tree = new ArrayList<>(all.size());
        var now = clock.instant();
        for (CaInfo ca : all) {
            int depth = ca.parent().map(p -> depths.getOrDefault(p, -1) + 1).orElse(0);
            depths.put(ca.name(), depth);
            tree.add(new CaNode(ca, depth, now.isAfter(ca.notAfter())));
        }
        model.addAttribute("tree", tree);
        model.addAttribute("keys", keyIds());
        if (!model.containsAttribute("form")) {
            model.addAttribute(
                    "form",
                    Map.of(
                            "name", "",
                            "key", KeyAlgorithm.EC_P256.id(),
                            "parent", "",
                            "subject", "",
                            "validityDays", ""));
        }
        return "admin-cas";
    }

    // ---- one CA -------------------------------------------------------------------------------

    @GetMapping("/ca/{name}")
    String ca(@PathVariable("name") String name, Model model, HttpServletResponse response) {
        try {
            return caPage(cas.get(name), model);
        } catch (SignetException e) {
            return refusedCa(name, e, model, response);
        }
    }

    @GetMapping("/ca/{name}/chain")
    String chain(
            @PathVariable("name") String name,
            @RequestParam(name = "format", required = false) String format,
            Model model,
            HttpServletResponse response)
            throws IOException {
        try {
            CaInfo ca = cas.get(name);
            String chosen = format(format, "pem", "p7b");
            if (chosen.equals("p7b")) {
                send(
                        response,
                        CertificateFormats.PKCS7,
                        ca.name() + "-chain.p7b",
                        CertificateFormats.pkcs7(ca.chain()));
            } else {
                send(
                        response,
                        CertificateFormats.PEM_CHAIN,
                        ca.name() + "-chain.pem",
                        CertificateFormats.pem(ca.chain()).getBytes(StandardCharsets.US_ASCII));
            }
            return null;
        } catch (SignetException e) {
            return refusedCa(name, e, model, response);
        }
    }

    @GetMapping("/ca/{name}/crl")
    String crl(@PathVariable("name") String name, Model model, HttpServletResponse response) throws IOException {
        try {
            CaInfo ca = cas.get(name);
            send(
                    response,
                    CertificateFormats.PKIX_CRL,
                    ca.name() + ".crl",
                    cas.crl(ca.name()).der());
            return null;
        } catch (SignetException e) {
            return refusedCa(name, e, model, response);
        }
    }

    /** Issues from a PKCS#10 request; the answer is the certificate's page with its PEM. */
    @PostMapping("/ca/{name}/issue")
    String issue(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("name") String name,
            @RequestParam(name = "profile", required = false) String profile,
            @RequestParam(name = "csr", required = false) String csr,
            @RequestParam(name = "validityDays", required = false) String validityDays,
            Model model,
            HttpServletResponse response) {
        try {
            if (blank(csr)) {
                throw new CaException("csr.missing", "paste a certificate signing request (PEM)");
            }
            IssuedCertificate issued = cas.issue(
                    name,
                    blank(profile) ? "" : profile.strip(),
                    csr.strip().getBytes(StandardCharsets.US_ASCII),
                    days(validityDays),
                    me.username());
            model.addAttribute(
                    "notice",
                    "Certificate " + issued.serial() + " is issued to " + issued.subject()
                            + ". Copy it below or download it.");
            model.addAttribute("issuedPem", CertificateFormats.pem(List.of(issued.certificate())));
            return certificatePage(issued, model);
        } catch (SignetException e) {
            ConsoleModel.refusal(e, model, response);
            model.addAttribute(
                    "issueForm",
                    Map.of("profile", nonNull(profile), "csr", nonNull(csr), "validityDays", nonNull(validityDays)));
            return caPageOrList(name, model);
        }
    }

    @PostMapping("/ca/{name}/revoke")
    String revokeFromCa(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("name") String name,
            @RequestParam(name = "serial", required = false) String serial,
            @RequestParam(name = "reason", required = false) String reason,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            IssuedCertificate revoked = cas.revoke(name, serial, reason(reason), me.username());
            return revokedRedirect(revoked, redirect);
        } catch (SignetException e) {
            ConsoleModel.refusal(e, model, response);
            model.addAttribute("revokeForm", Map.of("serial", nonNull(serial), "reason", nonNull(reason)));
            return caPageOrList(name, model);
        }
    }

    private String caPage(CaInfo ca, Model model) {
        model.addAttribute("ca", ca);
        model.addAttribute("expired", clock.instant().isAfter(ca.notAfter()));
        model.addAttribute(
                "chainSubjects", ca.chain().stream().map(CaService::subjectText).toList());
        model.addAttribute(
                "children",
                cas.list().stream()
                        .filter(c -> c.parent().equals(Optional.of(ca.name())))
                        .toList());
        CaService.CertificatePage recent = cas.certificates(new CaService.CertificateQuery(
                Optional.empty(),
                Optional.of(ca.name()),
                Optional.empty(),
                Optional.empty(),
                OptionalInt.empty(),
                0,
                RECENT));
        model.addAttribute("recent", recent);
        model.addAttribute("profiles", ISSUABLE);
        model.addAttribute("reasons", reasons());
        if (!model.containsAttribute("issueForm")) {
            model.addAttribute(
                    "issueForm", Map.of("profile", Profiles.TLS_SERVER.name(), "csr", "", "validityDays", ""));
        }
        if (!model.containsAttribute("revokeForm")) {
            model.addAttribute("revokeForm", Map.of("serial", "", "reason", RevocationReason.UNSPECIFIED.id()));
        }
        return "admin-ca";
    }

    private String caPageOrList(String name, Model model) {
        return cas.find(name).map(ca -> caPage(ca, model)).orElseGet(() -> listPage(model));
    }

    /** A refusal on the CA's page, or on the list when the CA does not exist (404). */
    private String refusedCa(String name, SignetException e, Model model, HttpServletResponse response) {
        ConsoleModel.refusal(e, model, response);
        return caPageOrList(name, model);
    }

    // ---- the inventory ------------------------------------------------------------------------

    @GetMapping("/certificates")
    String certificates(
            @RequestParam(name = "q", required = false) String q,
            @RequestParam(name = "ca", required = false) String ca,
            @RequestParam(name = "status", required = false) String status,
            @RequestParam(name = "profile", required = false) String profile,
            @RequestParam(name = "expiring", required = false) String expiring,
            @RequestParam(name = "offset", required = false) Integer offset,
            @RequestParam(name = "limit", required = false) Integer limit,
            Model model,
            HttpServletResponse response) {
        ConsoleModel.Paging paging = ConsoleModel.Paging.of(offset, limit, PAGE_SIZE);
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("q", blank(q) ? "" : q.strip());
        filters.put("ca", blank(ca) ? "" : ca.strip());
        filters.put("status", blank(status) ? "" : status.strip().toLowerCase(Locale.ROOT));
        filters.put("profile", blank(profile) ? "" : profile.strip());
        filters.put("expiring", blank(expiring) ? "" : expiring.strip());
        CaService.CertificatePage page;
        try {
            page = cas.certificates(new CaService.CertificateQuery(
                    text(filters.get("q")),
                    text(filters.get("ca")),
                    status(filters.get("status")),
                    text(filters.get("profile")),
                    expiring(filters.get("expiring")),
                    paging.offset(),
                    paging.limit()));
        } catch (SignetException e) {
            ConsoleModel.refusal(e, model, response);
            page = new CaService.CertificatePage(List.of(), 0);
        }
        model.addAttribute("filters", filters);
        model.addAttribute("page", page);
        model.addAttribute("paging", paging);
        model.addAttribute("hasPrevious", paging.offset() > 0);
        model.addAttribute("hasNext", paging.next() < page.total());
        model.addAttribute("previousHref", listHref(filters, paging.previous(), paging.limit()));
        model.addAttribute("nextHref", listHref(filters, paging.next(), paging.limit()));
        model.addAttribute("caNames", cas.list().stream().map(CaInfo::name).toList());
        model.addAttribute(
                "allProfiles", Profiles.builtIn().keySet().stream().sorted().toList());
        model.addAttribute("now", clock.instant());
        model.addAttribute("soon", clock.instant().plus(Duration.ofDays(30)));
        return "admin-certificates";
    }

    private static String listHref(Map<String, String> filters, int offset, int limit) {
        UriComponentsBuilder b = UriComponentsBuilder.fromPath("/admin/certificates");
        filters.forEach((k, v) -> {
            if (!v.isEmpty()) {
                b.queryParam(k, v);
            }
        });
        return b.queryParam("offset", offset)
                .queryParam("limit", limit)
                .encode()
                .build()
                .toUriString();
    }

    /** One certificate's page, or with {@code format} its download: pem, der, p7b (with the chain) or chain (PEM). */
    @GetMapping("/certificates/{ca}/{serial}")
    String certificate(
            @PathVariable("ca") String ca,
            @PathVariable("serial") String serial,
            @RequestParam(name = "format", required = false) String format,
            Model model,
            HttpServletResponse response)
            throws IOException {
        try {
            IssuedCertificate c = cas.certificate(serial, Optional.of(ca));
            if (format == null) {
                return certificatePage(c, model);
            }
            String base = c.ca() + "-" + c.serial();
            switch (format(format, "pem", "der", "p7b", "chain")) {
                case "der" ->
                    send(
                            response,
                            CertificateFormats.PKIX_CERT,
                            base + ".cer",
                            CertificateFormats.der(c.certificate()));
                case "p7b" ->
                    send(response, CertificateFormats.PKCS7, base + ".p7b", CertificateFormats.pkcs7(cas.chainOf(c)));
                case "chain" ->
                    send(
                            response,
                            CertificateFormats.PEM_CHAIN,
                            base + "-chain.pem",
                            CertificateFormats.pem(cas.chainOf(c)).getBytes(StandardCharsets.US_ASCII));
                default ->
                    send(
                            response,
                            CertificateFormats.PEM,
                            base + ".pem",
                            CertificateFormats.pem(List.of(c.certificate())).getBytes(StandardCharsets.US_ASCII));
            }
            return null;
        } catch (SignetException e) {
            return refusedCertificate(ca, serial, e, model, response);
        }
    }

    @PostMapping("/certificates/{ca}/{serial}/revoke")
    String revoke(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("ca") String ca,
            @PathVariable("serial") String serial,
            @RequestParam(name = "reason", required = false) String reason,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            return revokedRedirect(cas.revoke(ca, serial, reason(reason), me.username()), redirect);
        } catch (SignetException e) {
            return refusedCertificate(ca, serial, e, model, response);
        }
    }

    private String certificatePage(IssuedCertificate c, Model model) {
        model.addAttribute("cert", c);
        model.addAttribute("issuer", c.certificate().getIssuerX500Principal().getName());
        model.addAttribute("chainSubjects", chainSubjects(c));
        model.addAttribute("reasons", reasons());
        model.addAttribute("soon", clock.instant().plus(Duration.ofDays(30)).isAfter(c.notAfter()));
        return "admin-certificate";
    }

    private List<String> chainSubjects(IssuedCertificate c) {
        try {
            return cas.chain(c.ca()).stream()
                    .map(X509Certificate::getSubjectX500Principal)
                    .map(p -> p.getName())
                    .toList();
        } catch (SignetException e) {
            return List.of();
        }
    }

    /** A refusal on the certificate's page, or on the inventory when there is no such certificate. */
    private String refusedCertificate(
            String ca, String serial, SignetException e, Model model, HttpServletResponse response) {
        ConsoleModel.refusal(e, model, response);
        IssuedCertificate c;
        try {
            c = cas.certificate(serial, Optional.of(ca));
        } catch (SignetException notThere) {
            int status = response.getStatus();
            String view = certificates(null, null, null, null, null, 0, PAGE_SIZE, model, response);
            response.setStatus(status);
            return view;
        }
        return certificatePage(c, model);
    }

    private static String revokedRedirect(IssuedCertificate revoked, RedirectAttributes redirect) {
        redirect.addFlashAttribute(
                "notice",
                "Certificate " + revoked.serial() + " is revoked ("
                        + revoked.revocationReason().map(RevocationReason::id).orElse("unspecified")
                        + "); CA " + revoked.ca() + " published a new CRL.");
        return "redirect:/admin/certificates/" + revoked.ca() + "/" + revoked.serial();
    }

    // ---- downloads and form values -------------------------------------------------------------

    private static void send(HttpServletResponse response, String contentType, String filename, byte[] body)
            throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(contentType);
        response.setHeader(
                HttpHeaders.CONTENT_DISPOSITION,
                ContentDisposition.attachment().filename(filename).build().toString());
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    private static String format(String value, String byDefault, String... others) {
        if (blank(value)) {
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
        throw new CaException(
                "format.invalid", "the format must be " + byDefault + " or " + String.join(" or ", others));
    }

    private static Optional<Duration> days(String text) {
        if (blank(text)) {
            return Optional.empty();
        }
        try {
            return CaInputs.days(Integer.valueOf(text.strip()));
        } catch (NumberFormatException e) {
            throw new CaException(
                    CaException.VALIDITY_INVALID,
                    "the validity is a whole number of days, from 1 to " + CaInputs.MAX_VALIDITY_DAYS);
        }
    }

    private static OptionalInt expiring(String text) {
        if (blank(text)) {
            return OptionalInt.empty();
        }
        try {
            int days = Integer.parseInt(text.strip());
            if (days >= 0 && days <= MAX_EXPIRING_DAYS) {
                return OptionalInt.of(days);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new CaException(
                "expiring.invalid", "'expiring within' is a number of days from 0 to " + MAX_EXPIRING_DAYS);
    }

    private static Optional<IssuedCertificate.Status> status(String text) {
        if (blank(text)) {
            return Optional.empty();
        }
        return switch (text) {
            case "valid" -> Optional.of(IssuedCertificate.Status.VALID);
            case "revoked" -> Optional.of(IssuedCertificate.Status.REVOKED);
            case "expired" -> Optional.of(IssuedCertificate.Status.EXPIRED);
            default -> throw new CaException("status.invalid", "the status is valid, revoked or expired");
        };
    }

    private static RevocationReason reason(String text) {
        return blank(text) ? RevocationReason.UNSPECIFIED : CaInputs.reason(text);
    }

    private static List<String> reasons() {
        return java.util.Arrays.stream(RevocationReason.values())
                .map(RevocationReason::id)
                .toList();
    }

    private static List<String> keyIds() {
        return java.util.Arrays.stream(KeyAlgorithm.values())
                .map(KeyAlgorithm::id)
                .toList();
    }

    private static Optional<String> text(String s) {
        return blank(s) ? Optional.empty() : Optional.of(s);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
