package dev.signet.server.web;

import dev.signet.core.otp.OtpAlgorithm;
import dev.signet.core.otp.OtpType;
import dev.signet.server.account.AccountException;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.User;
import dev.signet.server.config.SignetSettings.MfaRequirement;
import dev.signet.server.factor.OtpService;
import dev.signet.server.factor.RecoveryCodeService;
import dev.signet.server.signin.ClientInfo;
import dev.signet.server.signin.Factor;
import dev.signet.server.signin.FactorPolicy;
import dev.signet.server.signin.SignInService;
import dev.signet.server.signin.SignetAuthentication;
import dev.signet.server.signin.SignetPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Second factors in the console: the second step of a sign-in ({@code /signin/factor}), the step-up
 * page ({@code /account/step-up}) that sensitive actions send a user to, and the user's own
 * one-time-code authenticators and recovery codes ({@code /account/factors}). Passkeys have their own
 * pages ({@link PasskeyController}).
 *
 * <p>Every code checked here goes through the sign-in guard first (the same per-account and
 * per-client throttle as passwords) and every refusal counts towards it. Adding or removing a factor
 * and making new recovery codes need a step-up within the last five minutes.
 */
@Controller
class FactorController {
    /** Where the step-up page sends the user back to; kept in the session for the passkey flow too. */
    static final String STEP_UP_NEXT = "signet.stepUpNext";

    private final AccountService accounts;
    private final OtpService otp;
    private final RecoveryCodeService recovery;
    private final FactorPolicy policy;
    private final SignInService signIn;
    private final SignInFlow flow;

    FactorController(
            AccountService accounts,
            OtpService otp,
            RecoveryCodeService recovery,
            FactorPolicy policy,
            SignInService signIn,
            SignInFlow flow) {
        this.accounts = accounts;
        this.otp = otp;
        this.recovery = recovery;
        this.policy = policy;
        this.signIn = signIn;
        this.flow = flow;
    }

    // ---- the second step of a sign-in ----------------------------------------------------------

    @GetMapping("/signin/factor")
    String secondFactorPage(@AuthenticationPrincipal SignetPrincipal me, Model model) {
        return secondFactorPage(me, model, null);
    }

    @PostMapping("/signin/factor/otp")
    String secondFactorOtp(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "code", required = false) String code,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        User user = accounts.get(me.userId());
        Optional<String> refusal = checkOtp(user, code, ClientInfo.of(request), response);
        if (refusal.isPresent()) {
            return secondFactorPage(me, model, refusal.get());
        }
        return "redirect:" + flow.factorVerified(request, response, user, Factor.OTP);
    }

    @PostMapping("/signin/factor/recovery")
    String secondFactorRecovery(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "code", required = false) String code,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        User user = accounts.get(me.userId());
        ClientInfo client = ClientInfo.of(request);
        Optional<Duration> wait = signIn.secondFactorThrottled(user, client);
        if (wait.isPresent()) {
            response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
            return secondFactorPage(me, model, throttledMessage(wait.get()));
        }
        RecoveryCodeService.Check check = recovery.use(user, code);
        if (check != RecoveryCodeService.Check.ACCEPTED) {
            signIn.factorFailed(
                    user,
                    Factor.RECOVERY_CODE,
                    client,
                    "recovery_" + check.name().toLowerCase(Locale.ROOT));
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            model.addAttribute("errorFor", "recovery");
            return secondFactorPage(me, model, "That recovery code is not valid, or was already used.");
        }
        return "redirect:" + flow.factorVerified(request, response, user, Factor.RECOVERY_CODE);
    }

    private String secondFactorPage(SignetPrincipal me, Model model, String error) {
        FactorPolicy.Enrolled enrolled = policy.enrolled(me.userId());
        MfaRequirement requirement = policy.requirement(me.userId());
        boolean codesCount = requirement != MfaRequirement.PHISHING_RESISTANT || enrolled.passkeys() == 0;
        model.addAttribute("offerOtp", enrolled.otpDevices() > 0 && codesCount);
        model.addAttribute("offerPasskey", enrolled.passkeys() > 0);
        model.addAttribute("offerRecovery", enrolled.recoveryCodesLeft() > 0);
        model.addAttribute("phishingResistant", requirement == MfaRequirement.PHISHING_RESISTANT);
        if (error != null) {
            model.addAttribute("error", error);
            if (!model.containsAttribute("errorFor")) {
                model.addAttribute("errorFor", "otp");
            }
        }
        return "signin-factor";
    }

    // ---- step-up ---------------------------------------------------------------------------------

    @GetMapping("/account/step-up")
    String stepUpPage(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "next", required = false) String next,
            HttpServletRequest request,
            Model model) {
        request.getSession().setAttribute(STEP_UP_NEXT, localPath(next));
        return stepUpPage(me, model, null);
    }

    @PostMapping("/account/step-up")
    String stepUp(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "password", required = false) String password,
            @RequestParam(name = "code", required = false) String code,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        User user = accounts.get(me.userId());
        FactorPolicy.Enrolled enrolled = policy.enrolled(me.userId());
        ClientInfo client = ClientInfo.of(request);
        Factor factor;
        if (enrolled.otpDevices() > 0 && code != null) {
            Optional<String> refusal = checkOtp(user, code, client, response);
            if (refusal.isPresent()) {
                return stepUpPage(me, model, refusal.get());
            }
            factor = Factor.OTP;
        } else if (!enrolled.any() && password != null) {
            if (!signIn.reauthenticate(user, password, client)) {
                response.setStatus(HttpStatus.UNAUTHORIZED.value());
                return stepUpPage(
                        me, model, "That is not your password (or there were too many attempts: wait a minute).");
            }
            factor = Factor.PWD;
        } else {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            return stepUpPage(me, model, "Confirm with one of the ways offered below.");
        }
        // a step-up: the flow answers with where the step-up page was asked from
        return "redirect:" + flow.factorVerified(request, response, user, factor);
    }

    private String stepUpPage(SignetPrincipal me, Model model, String error) {
        FactorPolicy.Enrolled enrolled = policy.enrolled(me.userId());
        model.addAttribute("offerOtp", enrolled.otpDevices() > 0);
        model.addAttribute("offerPasskey", enrolled.passkeys() > 0);
        model.addAttribute("offerPassword", !enrolled.any());
        model.addAttribute("error", error);
        return "step-up";
    }

    /** Where to go after a step-up (a local path only), and forgets it. */
    static String takeStepUpNext(HttpServletRequest request) {
        var session = request.getSession(false);
        Object next = session == null ? null : session.getAttribute(STEP_UP_NEXT);
        if (session != null) {
            session.removeAttribute(STEP_UP_NEXT);
        }
        return next instanceof String s ? s : "/account/factors";
    }

    /** Only a path on this server: "/x", never "//host" or "https://...". */
    static String localPath(String next) {
        if (next == null
                || !next.startsWith("/")
                || next.startsWith("//")
                || next.contains("\\")
                || next.length() > 200) {
            return "/account/factors";
        }
        return next;
    }

    // ---- the user's authenticators and recovery codes ----------------------------------------

    @GetMapping("/account/factors")
    String factors(@AuthenticationPrincipal SignetPrincipal me, Model model) {
        return factorsPage(me, model);
    }

    @PostMapping("/account/factors/otp")
    String startOtp(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "name", required = false) String name,
            @RequestParam(name = "type", defaultValue = "TOTP") String type,
            @RequestParam(name = "algorithm", defaultValue = "SHA1") String algorithm,
            @RequestParam(name = "digits", defaultValue = "6") String digits,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        if (!flow.stepUpFresh(request)) {
            return stepUpRedirect("/account/factors");
        }
        User user = accounts.get(me.userId());
        try {
            OtpService.Enrolment enrolment =
                    otp.start(user, name, parseType(type), parseAlgorithm(algorithm), parseDigits(digits));
            return enrolPage(enrolment, model, response);
        } catch (AccountException e) {
            ConsoleModel.refusal(e, model, response);
            model.addAttribute("errorFor", "add");
            return factorsPage(me, model);
        }
    }

    @PostMapping("/account/factors/otp/{id}/confirm")
    String confirmOtp(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            @RequestParam(name = "code", required = false) String code,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        User user = accounts.get(me.userId());
        ClientInfo client = ClientInfo.of(request);
        try {
            guarded(user, client, "enrolment_code_invalid", () -> otp.confirm(user, id, code));
        } catch (AccountException e) {
            ConsoleModel.refusal(e, model, response);
            Optional<OtpService.Enrolment> pending = otp.pending(user, id);
            return pending.isPresent() ? enrolPage(pending.get(), model, response) : factorsPage(me, model);
        }
        flow.factorsChanged(request, response);
        if (!recovery.generated(user.id())) {
            // The first factor: make recovery codes now, so losing the device does not lock the user out.
            List<String> codes = recovery.regenerate(user, user.username());
            return recoveryCodesPage(codes, true, model, response);
        }
        redirect.addFlashAttribute(
                "notice", "The authenticator is set up. You will be asked for a code when you sign in.");
        return "redirect:/account/factors";
    }

    @PostMapping("/account/factors/otp/{id}/rename")
    String renameOtp(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            @RequestParam(name = "name", required = false) String name,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        try {
            otp.rename(accounts.get(me.userId()), id, name);
        } catch (AccountException e) {
            ConsoleModel.refusal(e, model, response);
            return factorsPage(me, model);
        }
        redirect.addFlashAttribute("notice", "The authenticator is renamed.");
        return "redirect:/account/factors";
    }

    @PostMapping("/account/factors/otp/{id}/resync")
    String resyncOtp(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            @RequestParam(name = "code1", required = false) String code1,
            @RequestParam(name = "code2", required = false) String code2,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        User user = accounts.get(me.userId());
        ClientInfo client = ClientInfo.of(request);
        try {
            guarded(user, client, "resync_failed", () -> otp.resync(user, id, code1, code2));
        } catch (AccountException e) {
            ConsoleModel.refusal(e, model, response);
            return factorsPage(me, model);
        }
        redirect.addFlashAttribute("notice", "The token is in step again.");
        return "redirect:/account/factors";
    }

    @PostMapping("/account/factors/otp/{id}/delete")
    String removeOtp(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        if (!flow.stepUpFresh(request)) {
            return stepUpRedirect("/account/factors");
        }
        User user = accounts.get(me.userId());
        try {
            policy.checkRemoval(user.id(), Factor.OTP);
            otp.remove(user, id, me.username());
        } catch (AccountException e) {
            ConsoleModel.refusal(e, model, response);
            return factorsPage(me, model);
        }
        redirect.addFlashAttribute("notice", "The authenticator is removed; its codes no longer work.");
        return "redirect:/account/factors";
    }

    @PostMapping("/account/factors/recovery")
    String regenerateRecoveryCodes(
            @AuthenticationPrincipal SignetPrincipal me,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        if (!flow.stepUpFresh(request)) {
            return stepUpRedirect("/account/factors");
        }
        User user = accounts.get(me.userId());
        if (!policy.enrolled(user.id()).any()) {
            ConsoleModel.refusal(
                    new AccountException(
                            "recovery.no_factor",
                            "set up an authenticator or a passkey first; recovery codes back it up"),
                    model,
                    response);
            return factorsPage(me, model);
        }
        return recoveryCodesPage(recovery.regenerate(user, me.username()), false, model, response);
    }

    private String factorsPage(SignetPrincipal me, Model model) {
        model.addAttribute("devices", otp.list(me.userId()));
        FactorPolicy.Enrolled enrolled = policy.enrolled(me.userId());
        model.addAttribute("enrolled", enrolled);
        model.addAttribute("recoveryGenerated", recovery.generated(me.userId()));
        MfaRequirement requirement = policy.requirement(me.userId());
        model.addAttribute("requirement", requirement.name().toLowerCase(Locale.ROOT));
        model.addAttribute(
                "enrolNeeded",
                SignInFlow.current()
                        .map(a -> a.stage() == SignetAuthentication.Stage.ENROL)
                        .orElse(false));
        return "account-factors";
    }

    private String enrolPage(OtpService.Enrolment enrolment, Model model, HttpServletResponse response) {
        // the seed is in this answer only: never cached
        response.setHeader("Cache-Control", "no-store");
        model.addAttribute("device", enrolment.device());
        model.addAttribute("uri", enrolment.uri());
        model.addAttribute("secret", group(enrolment.secret()));
        model.addAttribute("qr", "data:image/png;base64," + Base64.getEncoder().encodeToString(enrolment.qrPng()));
        return "account-otp-enrol";
    }

    private String recoveryCodesPage(List<String> codes, boolean first, Model model, HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
        model.addAttribute("codes", codes);
        model.addAttribute("first", first);
        return "account-recovery-codes";
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** Throttle, check, and count a refusal; empty when the code is accepted. */
    private Optional<String> checkOtp(User user, String code, ClientInfo client, HttpServletResponse response) {
        Optional<Duration> wait = signIn.secondFactorThrottled(user, client);
        if (wait.isPresent()) {
            response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
            return Optional.of(throttledMessage(wait.get()));
        }
        String typed = code == null ? null : code.replace(" ", "").strip();
        OtpService.Result result = otp.verify(user.id(), typed);
        if (result.check() == OtpService.Check.ACCEPTED) {
            return Optional.empty();
        }
        signIn.factorFailed(
                user, Factor.OTP, client, "otp_" + result.check().name().toLowerCase(Locale.ROOT));
        response.setStatus(HttpStatus.UNAUTHORIZED.value());
        return Optional.of("That code is not right, or was already used. Wait for the next code and try again.");
    }

    /**
     * Runs a code check behind the sign-in guard: refused while throttled ({@code otp.throttled},
     * not counted), and a refusal of the check itself counts towards the throttle.
     */
    private void guarded(User user, ClientInfo client, String failureReason, Runnable check) {
        Optional<Duration> wait = signIn.secondFactorThrottled(user, client);
        if (wait.isPresent()) {
            throw new AccountException("otp.throttled", throttledMessage(wait.get()));
        }
        try {
            check.run();
        } catch (AccountException e) {
            signIn.factorFailed(user, Factor.OTP, client, failureReason);
            throw e;
        }
    }

    private static String throttledMessage(Duration wait) {
        return "Too many attempts. Wait " + Math.max(1, wait.toSeconds()) + " seconds, then try again.";
    }

    private static String stepUpRedirect(String next) {
        return "redirect:/account/step-up?next=" + next;
    }

    private static String group(String secret) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < secret.length(); i += 4) {
            if (i > 0) {
                out.append(' ');
            }
            out.append(secret, i, Math.min(secret.length(), i + 4));
        }
        return out.toString();
    }

    private static OtpType parseType(String type) {
        try {
            return OtpType.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AccountException("otp.type_invalid", "choose TOTP (time-based) or HOTP (counter-based)");
        }
    }

    private static OtpAlgorithm parseAlgorithm(String algorithm) {
        try {
            return OtpAlgorithm.valueOf(algorithm.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AccountException("otp.algorithm_invalid", "choose SHA1, SHA256 or SHA512");
        }
    }

    private static int parseDigits(String digits) {
        return switch (digits) {
            case "6" -> 6;
            case "8" -> 8;
            default -> throw new AccountException("otp.digits_invalid", "codes have 6 or 8 digits");
        };
    }
}
