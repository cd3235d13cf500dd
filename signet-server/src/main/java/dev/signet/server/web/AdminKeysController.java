package dev.signet.server.web;

import dev.signet.core.SignetException;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.Pem;
import dev.signet.server.ca.CaException;
import dev.signet.server.ca.CaInfo;
import dev.signet.server.ca.CaInputs;
import dev.signet.server.ca.CaService;
import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.signing.SigningKey;
import dev.signet.server.signing.SigningKeyService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

/**
 * The administrator's signing-key pages: the keys with a "new key" form ({@code /admin/keys}), and
 * one key with its certificate, chain, grants and — for a key created exportable — the export form
 * ({@code /admin/keys/{name}}). The web chain lets only administrators in ({@code /admin/**}); every
 * change goes through {@link SigningKeyService}, which checks the rules and writes the audit trail
 * with the administrator as actor. Exporting a private key also needs a recent sign-in (step-up).
 */
@Controller
@RequestMapping("/admin/keys")
class AdminKeysController {
    static final List<String> ALGORITHMS =
            SigningKeyService.ALGORITHMS.stream().map(KeyAlgorithm::id).sorted().toList();

    private final SigningKeyService keys;
    private final CaService cas;
    private final SignInFlow flow;
    private final Clock clock;

    AdminKeysController(SigningKeyService keys, CaService cas, SignInFlow flow, Clock clock) {
        this.keys = keys;
        this.cas = cas;
        this.flow = flow;
        this.clock = clock;
    }

    @GetMapping
    String list(Model model) {
        return listPage(model);
    }

    @PostMapping
    String create(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "name", required = false) String name,
            @RequestParam(name = "algorithm", required = false) String algorithm,
            @RequestParam(name = "ca", required = false) String ca,
            @RequestParam(name = "subject", required = false) String subject,
            @RequestParam(name = "validityDays", required = false) String validityDays,
            @RequestParam(name = "exportable", required = false) String exportable,
            @RequestParam(name = "stepUp", required = false) String stepUp,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            SigningKey key = keys.create(
                    new SigningKeyService.NewKey(
                            SigningKeyService.name(name == null ? null : name.strip()),
                            SigningKeyService.algorithm(algorithm),
                            blank(ca) ? "" : ca.strip(),
                            blank(subject) ? Optional.empty() : Optional.of(CaInputs.subject(subject)),
                            days(validityDays),
                            exportable != null,
                            stepUp != null),
                    me.username());
            redirect.addFlashAttribute(
                    "notice",
                    "Signing key " + key.name() + " is created"
                            + (key.exportable() ? " (exportable)" : "")
                            + ". Grant it to the users, tokens or clients that may sign with it.");
            return "redirect:/admin/keys/" + key.name();
        } catch (SignetException e) {
            ConsoleModel.refusal(e, model, response);
            Map<String, String> form = new HashMap<>();
            form.put("name", nonNull(name));
            form.put("algorithm", nonNull(algorithm));
            form.put("ca", nonNull(ca));
            form.put("subject", nonNull(subject));
            form.put("validityDays", nonNull(validityDays));
            form.put("exportable", exportable == null ? "" : "on");
            form.put("stepUp", stepUp == null ? "" : "on");
            model.addAttribute("form", form);
            return listPage(model);
        }
    }

    private String listPage(Model model) {
        model.addAttribute("keys", keys.list());
        model.addAttribute("algorithms", ALGORITHMS);
        List<String> online = cas.list().stream()
                .filter(c ->
                        c.status() == CaInfo.Status.ACTIVE && clock.instant().isBefore(c.notAfter()))
                .map(CaInfo::name)
                .toList();
        model.addAttribute("cas", online);
        if (!model.containsAttribute("form")) {
            Map<String, String> form = new HashMap<>();
            form.put("name", "");
            form.put("algorithm", KeyAlgorithm.EC_P256.id());
            form.put("ca", online.isEmpty() ? "" : online.getFirst());
            form.put("subject", "");
            form.put("validityDays", "");
            form.put("exportable", "");
            form.put("stepUp", "");
            model.addAttribute("form", form);
        }
        return "admin-keys";
    }

    @GetMapping("/{name}")
    String key(@PathVariable("name") String name, Model model, HttpServletResponse response) {
        try {
            return keyPage(keys.get(name), model);
        } catch (SignetException e) {
            return refused(name, e, model, response);
        }
    }

    /** The key's certificate chain (PEM, certificate first). */
    @GetMapping("/{name}/chain")
    String chain(@PathVariable("name") String name, Model model, HttpServletResponse response) throws IOException {
        try {
            SigningKey key = keys.get(name);
            send(
                    response,
                    "application/pem-certificate-chain",
                    key.name() + "-chain.pem",
                    Pem.certificates(key.chain()).getBytes(StandardCharsets.US_ASCII));
            return null;
        } catch (SignetException e) {
            return refused(name, e, model, response);
        }
    }

    @PostMapping("/{name}/grants")
    String grant(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("name") String name,
            @RequestParam(name = "to", required = false) String to,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            var grant = keys.grant(name, to == null ? null : to.strip(), me.username());
            redirect.addFlashAttribute(
                    "notice",
                    grant.to() + " may now sign with " + keys.get(name).name() + ".");
            return "redirect:/admin/keys/" + keys.get(name).name();
        } catch (SignetException e) {
            ConsoleModel.refusal(e, model, response);
            model.addAttribute("grantTo", nonNull(to));
            return keyPageOrList(name, model);
        }
    }

    @PostMapping("/{name}/grants/remove")
    String removeGrant(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("name") String name,
            @RequestParam(name = "to", required = false) String to,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            keys.removeGrant(name, to, me.username());
            redirect.addFlashAttribute(
                    "notice", to + " may no longer sign with " + keys.get(name).name() + ".");
            return "redirect:/admin/keys/" + keys.get(name).name();
        } catch (SignetException e) {
            return refused(name, e, model, response);
        }
    }

    /** The key as PKCS#12 (a download), for a key created exportable, after a recent sign-in. */
    @PostMapping("/{name}/export")
    String export(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("name") String name,
            @RequestParam(name = "password", required = false) String password,
            @RequestParam(name = "confirm", required = false) String confirm,
            HttpServletRequest request,
            Model model,
            HttpServletResponse response)
            throws IOException {
        if (!flow.stepUpFresh(request)) {
            return "redirect:/account/step-up?next=/admin/keys/"
                    + keys.find(name).map(SigningKey::name).orElse("");
        }
        char[] chosen = password == null ? new char[0] : password.toCharArray();
        try {
            if (password == null || !password.equals(confirm)) {
                throw new CaException("password.mismatch", "the two passwords differ");
            }
            SigningKey key = keys.get(name);
            byte[] pkcs12 = keys.export(key.name(), chosen, me.username());
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            send(response, "application/pkcs12", key.name() + ".p12", pkcs12);
            return null;
        } catch (SignetException e) {
            return refused(name, e, model, response);
        } finally {
            Arrays.fill(chosen, '\0');
        }
    }

    private String keyPage(SigningKey key, Model model) {
        model.addAttribute("key", key);
        model.addAttribute("grants", keys.grants(key.name()));
        model.addAttribute(
                "chainSubjects",
                key.chain().stream().map(CaService::subjectText).toList());
        model.addAttribute("soon", clock.instant().plus(Duration.ofDays(30)).isAfter(key.notAfter()));
        model.addAttribute("minExportPassword", SigningKeyService.MIN_EXPORT_PASSWORD);
        if (!model.containsAttribute("grantTo")) {
            model.addAttribute("grantTo", "");
        }
        return "admin-key";
    }

    private String keyPageOrList(String name, Model model) {
        return keys.find(name).map(k -> keyPage(k, model)).orElseGet(() -> listPage(model));
    }

    private String refused(String name, SignetException e, Model model, HttpServletResponse response) {
        ConsoleModel.refusal(e, model, response);
        return keyPageOrList(name, model);
    }

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

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
