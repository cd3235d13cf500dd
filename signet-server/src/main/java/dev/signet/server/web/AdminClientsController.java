package dev.signet.server.web;

import dev.signet.core.SignetException;
import dev.signet.server.oidc.ClientAuth;
import dev.signet.server.oidc.ClientException;
import dev.signet.server.oidc.ClientService;
import dev.signet.server.oidc.ClientType;
import dev.signet.server.oidc.OidcClient;
import dev.signet.server.signin.SignetPrincipal;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * The administrator's OpenID Connect client pages: the list ({@code /admin/clients}), the form for a
 * new client ({@code /admin/clients/new}), one client with its settings to edit, on/off, secret
 * rotation and deletion ({@code /admin/clients/{id}}), and the deletion's confirmation. A new
 * secret is shown on the page that answers the creation or rotation, once, with {@code
 * Cache-Control: no-store}, and never again. Every change goes through {@link ClientService}; a
 * refusal is shown as a notice with its stable code and the status {@link Problems} gives it, with
 * the form as it was filled in.
 */
@Controller
@RequestMapping("/admin/clients")
class AdminClientsController {
    private static final Pattern LIFETIME = Pattern.compile("(\\d{1,7})\\s*([smhd])");

    /** The form's fields as text, to show a form again exactly as it was sent. */
    public record ClientForm(
            String name,
            String type,
            String auth,
            String jwks,
            String redirectUris,
            String postLogoutRedirectUris,
            Set<String> grants,
            String scopes,
            String accessTtl,
            String refreshTtl,
            String idTokenAlg,
            boolean consent,
            boolean requireMfa,
            String backchannelLogoutUri) {

        static ClientForm blank() {
            return new ClientForm(
                    "",
                    ClientType.CONFIDENTIAL.id(),
                    ClientAuth.CLIENT_SECRET_BASIC.id(),
                    "",
                    "",
                    "",
                    Set.of(OidcClient.AUTHORIZATION_CODE, OidcClient.REFRESH_TOKEN),
                    "openid profile email offline_access",
                    "5m",
                    "30d",
                    OidcClient.ID_TOKEN_ALGORITHMS.getFirst(),
                    true,
                    false,
                    "");
        }

        static ClientForm of(OidcClient c) {
            return new ClientForm(
                    c.name(),
                    c.type().id(),
                    c.auth().id(),
                    c.jwks() == null ? "" : c.jwks(),
                    String.join("\n", c.redirectUris()),
                    String.join("\n", c.postLogoutRedirectUris()),
                    c.grantTypes(),
                    String.join(" ", c.scopes()),
                    lifetime(c.accessTokenTtl()),
                    lifetime(c.refreshTokenTtl()),
                    c.idTokenAlgorithm(),
                    c.consent(),
                    c.requireMfa(),
                    c.backchannelLogoutUri() == null ? "" : c.backchannelLogoutUri());
        }

        public boolean has(String grant) {
            return grants.contains(grant);
        }
    }

    /** A grant type as the form offers it. */
    public record GrantChoice(String id, String label, String hint) {}

    static final List<GrantChoice> GRANTS = List.of(
            new GrantChoice(
                    OidcClient.AUTHORIZATION_CODE,
                    "Authorization code",
                    "People sign in through the browser (with PKCE)"),
            new GrantChoice(OidcClient.REFRESH_TOKEN, "Refresh token", "Stay signed in without asking again"),
            new GrantChoice(OidcClient.CLIENT_CREDENTIALS, "Client credentials", "A service acting as itself"),
            new GrantChoice(OidcClient.DEVICE_CODE, "Device code", "Sign in on a device without a browser (RFC 8628)"));

    private final ClientService clients;

    AdminClientsController(ClientService clients) {
        this.clients = clients;
    }

    @GetMapping
    String list(Model model) {
        model.addAttribute("clients", clients.list());
        return "admin-clients";
    }

    @GetMapping("/new")
    String newForm(Model model) {
        return formPage(model, ClientForm.blank(), null);
    }

    @PostMapping
    String create(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "name", required = false) String name,
            @RequestParam(name = "type", required = false) String type,
            @RequestParam(name = "auth", required = false) String auth,
            @RequestParam(name = "jwks", required = false) String jwks,
            @RequestParam(name = "redirectUris", required = false) String redirectUris,
            @RequestParam(name = "postLogoutRedirectUris", required = false) String postLogoutRedirectUris,
            @RequestParam(name = "grant", required = false) List<String> grants,
            @RequestParam(name = "scopes", required = false) String scopes,
            @RequestParam(name = "accessTtl", required = false) String accessTtl,
            @RequestParam(name = "refreshTtl", required = false) String refreshTtl,
            @RequestParam(name = "idTokenAlg", required = false) String idTokenAlg,
            @RequestParam(name = "consent", required = false) String consent,
            @RequestParam(name = "requireMfa", required = false) String requireMfa,
            @RequestParam(name = "backchannelLogoutUri", required = false) String backchannelLogoutUri,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ClientForm form = form(
                name,
                type,
                auth,
                jwks,
                redirectUris,
                postLogoutRedirectUris,
                grants,
                scopes,
                accessTtl,
                refreshTtl,
                idTokenAlg,
                consent,
                requireMfa,
                backchannelLogoutUri);
        try {
            ClientService.Created created = clients.create(request(form), me.username());
            if (created.secret() == null) {
                redirect.addFlashAttribute(
                        "notice", "Client " + created.client().name() + " is registered.");
                return "redirect:/admin/clients/" + created.client().clientId();
            }
            return secretPage(created, "registered", model, response);
        } catch (SignetException e) {
            ConsoleModel.refusal(e, model, response);
            return formPage(model, form, null);
        }
    }

    @GetMapping("/{id}")
    String show(@PathVariable("id") String id, Model model, HttpServletResponse response) {
        try {
            OidcClient client = clients.get(id);
            return formPage(model, ClientForm.of(client), client);
        } catch (SignetException e) {
            return refusedList(e, model, response);
        }
    }

    @PostMapping("/{id}")
    String update(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            @RequestParam(name = "name", required = false) String name,
            @RequestParam(name = "type", required = false) String type,
            @RequestParam(name = "auth", required = false) String auth,
            @RequestParam(name = "jwks", required = false) String jwks,
            @RequestParam(name = "redirectUris", required = false) String redirectUris,
            @RequestParam(name = "postLogoutRedirectUris", required = false) String postLogoutRedirectUris,
            @RequestParam(name = "grant", required = false) List<String> grants,
            @RequestParam(name = "scopes", required = false) String scopes,
            @RequestParam(name = "accessTtl", required = false) String accessTtl,
            @RequestParam(name = "refreshTtl", required = false) String refreshTtl,
            @RequestParam(name = "idTokenAlg", required = false) String idTokenAlg,
            @RequestParam(name = "consent", required = false) String consent,
            @RequestParam(name = "requireMfa", required = false) String requireMfa,
            @RequestParam(name = "backchannelLogoutUri", required = false) String backchannelLogoutUri,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ClientForm form = form(
                name,
                type,
                auth,
                jwks,
                redirectUris,
                postLogoutRedirectUris,
                grants,
                scopes,
                accessTtl,
                refreshTtl,
                idTokenAlg,
                consent,
                requireMfa,
                backchannelLogoutUri);
        Optional<OidcClient> existing = clients.find(id);
        if (existing.isEmpty()) {
            return refusedList(notFound(), model, response);
        }
        try {
            OidcClient updated = clients.update(id, request(form), me.username());
            String notice = "Changes to " + updated.name() + " are saved.";
            if (updated.auth().usesSecret() && !updated.hasSecret()) {
                notice += " It has no secret yet: generate one below.";
            }
            redirect.addFlashAttribute("notice", notice);
            return "redirect:/admin/clients/" + id;
        } catch (SignetException e) {
            ConsoleModel.refusal(e, model, response);
            return formPage(model, form, existing.get());
        }
    }

    @PostMapping("/{id}/enable")
    String enable(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        return setEnabled(me, id, true, model, response, redirect);
    }

    @PostMapping("/{id}/disable")
    String disable(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        return setEnabled(me, id, false, model, response, redirect);
    }

    private String setEnabled(
            SignetPrincipal me,
            String id,
            boolean enabled,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            OidcClient client = clients.setEnabled(id, enabled, me.username());
            redirect.addFlashAttribute(
                    "notice",
                    client.name() + (enabled ? " is enabled." : " is disabled: it gets no tokens until enabled."));
            return "redirect:/admin/clients/" + id;
        } catch (SignetException e) {
            return refusedList(e, model, response);
        }
    }

    /** A new secret, shown on this answer only; the old one stops working at once. */
    @PostMapping("/{id}/secret")
    String rotateSecret(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            Model model,
            HttpServletResponse response) {
        try {
            return secretPage(clients.rotateSecret(id, me.username()), "rotated", model, response);
        } catch (ClientException e) {
            if (e.code().equals(ClientException.NOT_FOUND)) {
                return refusedList(e, model, response);
            }
            ConsoleModel.refusal(e, model, response);
            OidcClient client = clients.get(id);
            return formPage(model, ClientForm.of(client), client);
        }
    }

    @GetMapping("/{id}/delete")
    String confirmDelete(@PathVariable("id") String id, Model model, HttpServletResponse response) {
        try {
            model.addAttribute("client", clients.get(id));
            return "admin-client-delete";
        } catch (SignetException e) {
            return refusedList(e, model, response);
        }
    }

    @PostMapping("/{id}/delete")
    String delete(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            @RequestParam(name = "confirm", required = false) String confirm,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            OidcClient client = clients.get(id);
            if (!"yes".equals(confirm)) {
                ConsoleModel.refusal(
                        new ClientException(
                                "delete.unconfirmed", "tick the box to confirm that the client is to be deleted"),
                        model,
                        response);
                model.addAttribute("client", client);
                return "admin-client-delete";
            }
            clients.delete(id, me.username());
            redirect.addFlashAttribute("notice", "Client " + client.name() + " is deleted.");
            return "redirect:/admin/clients";
        } catch (SignetException e) {
            return refusedList(e, model, response);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private String formPage(Model model, ClientForm form, OidcClient client) {
        model.addAttribute("form", form);
        model.addAttribute("client", client);
        model.addAttribute("grantChoices", GRANTS);
        model.addAttribute("algorithms", OidcClient.ID_TOKEN_ALGORITHMS);
        model.addAttribute(
                "types", Arrays.stream(ClientType.values()).map(ClientType::id).toList());
        model.addAttribute(
                "auths", Arrays.stream(ClientAuth.values()).map(ClientAuth::id).toList());
        return client == null ? "admin-client-new" : "admin-client";
    }

    private String secretPage(ClientService.Created created, String what, Model model, HttpServletResponse response) {
        // the secret is in this answer only: never stored, redirected with, or cached
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Pragma", "no-cache");
        model.addAttribute("client", created.client());
        model.addAttribute("secret", created.secret());
        model.addAttribute("what", what);
        return "admin-client-secret";
    }

    private String refusedList(SignetException e, Model model, HttpServletResponse response) {
        ConsoleModel.refusal(e, model, response);
        return list(model);
    }

    private static ClientException notFound() {
        return new ClientException(ClientException.NOT_FOUND, "no such client");
    }

    private static ClientForm form(
            String name,
            String type,
            String auth,
            String jwks,
            String redirectUris,
            String postLogoutRedirectUris,
            List<String> grants,
            String scopes,
            String accessTtl,
            String refreshTtl,
            String idTokenAlg,
            String consent,
            String requireMfa,
            String backchannelLogoutUri) {
        return new ClientForm(
                nonNull(name),
                nonNull(type),
                nonNull(auth),
                nonNull(jwks),
                nonNull(redirectUris),
                nonNull(postLogoutRedirectUris),
                grants == null ? Set.of() : new LinkedHashSet<>(grants),
                nonNull(scopes),
                nonNull(accessTtl),
                nonNull(refreshTtl),
                nonNull(idTokenAlg),
                consent != null,
                requireMfa != null,
                nonNull(backchannelLogoutUri));
    }

    /** The form as a request to the service; unknown choices become the service's refusals. */
    private static ClientService.NewClient request(ClientForm f) {
        ClientType type = ClientType.byId(f.type())
                .orElseThrow(() -> new ClientException(
                        ClientException.TYPE_UNKNOWN, "choose whether the client is confidential or public"));
        ClientAuth auth = ClientAuth.byId(f.auth())
                .orElseThrow(
                        () -> new ClientException(ClientException.AUTH_UNKNOWN, "choose how the client authenticates"));
        return new ClientService.NewClient(
                f.name(),
                type,
                auth,
                f.jwks().isBlank() ? null : f.jwks(),
                lines(f.redirectUris()),
                lines(f.postLogoutRedirectUris()),
                f.grants(),
                f.scopes().isBlank()
                        ? Set.of()
                        : new LinkedHashSet<>(Arrays.asList(f.scopes().strip().split("[\\s,]+"))),
                parseLifetime(f.accessTtl(), "access"),
                parseLifetime(f.refreshTtl(), "refresh"),
                f.idTokenAlg().isBlank() ? null : f.idTokenAlg(),
                f.consent(),
                f.requireMfa(),
                f.backchannelLogoutUri().isBlank() ? null : f.backchannelLogoutUri());
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** A lifetime such as {@code 300s}, {@code 5m}, {@code 8h} or {@code 30d}; empty for the default. */
    static Duration parseLifetime(String text, String which) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            return null;
        }
        Matcher m = LIFETIME.matcher(t);
        if (!m.matches()) {
            throw new ClientException(
                    ClientException.TTL_INVALID,
                    "write the " + which + " token lifetime as a number and a unit: 90s, 5m, 8h or 30d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** The lifetime in the largest unit that states it exactly: {@code 30d}, {@code 8h}, {@code 5m}, {@code 90s}. */
    static String lifetime(Duration d) {
        long s = d.toSeconds();
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3_600 == 0) {
            return s / 3_600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
