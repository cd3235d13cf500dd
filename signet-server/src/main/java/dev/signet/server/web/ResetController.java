package dev.signet.server.web;

import dev.signet.core.SignetException;
import dev.signet.server.account.AccountException;
import dev.signet.server.account.PasswordResetService;
import dev.signet.server.account.User;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.signin.ClientInfo;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/**
 * "Forgot your password?": ask for a link by email ({@code /reset}), then choose a new password
 * with it ({@code /reset/confirm}). Asking answers the same page, with the same status, whatever
 * the address; the link travels in a hidden form field, never in a further URL.
 */
@Controller
class ResetController {
    private final PasswordResetService resets;
    private final SignetSettings settings;

    ResetController(PasswordResetService resets, SignetSettings settings) {
        this.resets = resets;
        this.settings = settings;
    }

    @GetMapping("/reset")
    String requestForm() {
        requireMail();
        return "reset-request";
    }

    @PostMapping("/reset")
    String request(
            @RequestParam(name = "email", required = false) String email,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        requireMail();
        try {
            resets.request(email, ClientInfo.of(request));
        } catch (AccountException e) {
            // Only the shape of the input is judged here, never whether an account has it.
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            model.addAttribute("error", e.getMessage());
            model.addAttribute("errorCode", e.code());
            model.addAttribute("email", email == null || email.length() > 320 ? null : email);
            return "reset-request";
        }
        return "reset-sent";
    }

    @GetMapping("/reset/confirm")
    String confirmForm(
            @RequestParam(name = "token", required = false) String token, HttpServletResponse response, Model model) {
        PasswordResetService.Check check = resets.check(token);
        if (check.state() != PasswordResetService.TokenState.VALID) {
            return invalid(check.state(), response, model);
        }
        return form(token, check.user().orElseThrow(), model);
    }

    @PostMapping("/reset/confirm")
    String confirm(
            @RequestParam(name = "token", required = false) String token,
            @RequestParam(name = "password", required = false) String password,
            @RequestParam(name = "confirm", required = false) String confirm,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        try {
            resets.complete(token, password, confirm, ClientInfo.of(request));
            return "redirect:/signin?reset";
        } catch (SignetException e) {
            if (e.code().startsWith("reset.link_")) {
                PasswordResetService.TokenState state = switch (e.code()) {
                    case "reset.link_expired" -> PasswordResetService.TokenState.EXPIRED;
                    case "reset.link_used" -> PasswordResetService.TokenState.USED;
                    default -> PasswordResetService.TokenState.UNKNOWN;
                };
                return invalid(state, response, model);
            }
            PasswordResetService.Check check = resets.check(token);
            if (check.state() != PasswordResetService.TokenState.VALID) {
                return invalid(check.state(), response, model);
            }
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            model.addAttribute("error", e.getMessage());
            model.addAttribute("errorCode", e.code());
            return form(token, check.user().orElseThrow(), model);
        }
    }

    private String form(String token, User user, Model model) {
        model.addAttribute("token", token);
        model.addAttribute("username", user.username());
        model.addAttribute("minLength", settings.accounts().minPasswordLength());
        return "reset-form";
    }

    private String invalid(PasswordResetService.TokenState state, HttpServletResponse response, Model model) {
        response.setStatus(
                state == PasswordResetService.TokenState.UNKNOWN
                        ? HttpServletResponse.SC_NOT_FOUND
                        : HttpServletResponse.SC_GONE);
        model.addAttribute("state", state.name().toLowerCase(Locale.ROOT));
        model.addAttribute("mailEnabled", resets.enabled());
        return "reset-invalid";
    }

    private void requireMail() {
        if (!resets.enabled()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
    }
}
