package dev.signet.server.web;

import dev.signet.server.account.AccountException;
import dev.signet.server.account.SetupService;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Duration;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The console's pages: sign-in, first-run setup, and the administrator's dashboard. */
@Controller
class PageController {
    private final SetupService setup;
    private final UserRepository users;
    private final AuditLog audit;
    private final Clock clock;
    private final SignetSettings settings;

    PageController(SetupService setup, UserRepository users, AuditLog audit, Clock clock, SignetSettings settings) {
        this.settings = settings;
        this.setup = setup;
        this.users = users;
        this.audit = audit;
        this.clock = clock;
    }

    @GetMapping("/signin")
    String signIn(Model model) {
        model.addAttribute("setupNeeded", setup.setupNeeded());
        model.addAttribute("mailEnabled", settings.mail().host().isPresent());
        model.addAttribute("registrationOpen", settings.accounts().selfRegistration());
        return "signin";
    }

    @GetMapping("/setup")
    String setupForm(
            @RequestParam(name = "token", required = false) String token, Model model, HttpServletResponse response) {
        SetupService.TokenState state = setup.check(token);
        if (state != SetupService.TokenState.VALID) {
            return closed(state, model, response);
        }
        model.addAttribute("token", token);
        return "setup";
    }

    @PostMapping("/setup")
    String setupSubmit(
            @RequestParam(name = "token", required = false) String token,
            @RequestParam(name = "username", required = false) String username,
            @RequestParam(name = "email", required = false) String email,
            @RequestParam(name = "password", required = false) String password,
            @RequestParam(name = "confirm", required = false) String confirm,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        try {
            setup.createFirstAdmin(
                    token,
                    username,
                    email,
                    password,
                    confirm,
                    request.getRemoteAddr(),
                    request.getHeader("User-Agent"));
            return "redirect:/signin?created";
        } catch (AccountException e) {
            if (e.code().startsWith("setup.")) {
                return closed(setup.check(token), model, response);
            }
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            model.addAttribute("token", token);
            model.addAttribute("username", username);
            model.addAttribute("email", email);
            model.addAttribute("error", e.getMessage());
            model.addAttribute("errorCode", e.code());
            return "setup";
        }
    }

    private String closed(SetupService.TokenState state, Model model, HttpServletResponse response) {
        response.setStatus(
                state == SetupService.TokenState.UNKNOWN
                        ? HttpServletResponse.SC_NOT_FOUND
                        : HttpServletResponse.SC_GONE);
        model.addAttribute("state", state.name().toLowerCase(java.util.Locale.ROOT));
        return "setup-closed";
    }

    @GetMapping("/")
    String dashboard(Model model, org.springframework.security.core.Authentication auth) {
        if (auth == null || auth.getAuthorities().stream().noneMatch(a -> "ROLE_ADMIN".equals(a.getAuthority()))) {
            return "redirect:/account";
        }
        var since = clock.instant().minus(Duration.ofHours(24));
        model.addAttribute("userCount", users.count());
        model.addAttribute("adminCount", users.countAdmins());
        model.addAttribute("events24h", audit.countSince(since));
        model.addAttribute("signIns24h", audit.countSince(since, "auth.sign_in", "success"));
        model.addAttribute("failedSignIns24h", audit.countSince(since, "auth.sign_in", "failure"));
        model.addAttribute("chainLength", audit.size());
        model.addAttribute("lastSignIns", audit.recent(10, "auth.sign_in"));
        model.addAttribute("recentEvents", audit.recent(15, null));
        return "dashboard";
    }
}
