package dev.signet.server.web;

import dev.signet.core.SignetException;
import dev.signet.server.account.RegistrationService;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.signin.ClientInfo;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/** "Create an account", when the operator turned self-registration on; otherwise the page does not exist. */
@Controller
class RegistrationController {
    private final RegistrationService registration;
    private final SignetSettings settings;

    RegistrationController(RegistrationService registration, SignetSettings settings) {
        this.registration = registration;
        this.settings = settings;
    }

    @GetMapping("/register")
    String form(Model model) {
        requireOpen();
        model.addAttribute("minLength", settings.accounts().minPasswordLength());
        return "register";
    }

    @PostMapping("/register")
    String register(
            @RequestParam(name = "username", required = false) String username,
            @RequestParam(name = "email", required = false) String email,
            @RequestParam(name = "displayName", required = false) String displayName,
            @RequestParam(name = "password", required = false) String password,
            @RequestParam(name = "confirm", required = false) String confirm,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        requireOpen();
        try {
            registration.register(
                    new RegistrationService.Form(username, email, displayName, password, confirm),
                    ClientInfo.of(request));
            return "redirect:/signin?registered";
        } catch (SignetException e) {
            response.setStatus(
                    "registration.throttled".equals(e.code())
                            ? HttpStatus.TOO_MANY_REQUESTS.value()
                            : HttpServletResponse.SC_BAD_REQUEST);
            model.addAttribute("error", e.getMessage());
            model.addAttribute("errorCode", e.code());
            model.addAttribute("username", cut(username, 64));
            model.addAttribute("email", cut(email, 320));
            model.addAttribute("displayName", cut(displayName, 200));
            model.addAttribute("minLength", settings.accounts().minPasswordLength());
            return "register";
        }
    }

    private void requireOpen() {
        if (!registration.open()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
