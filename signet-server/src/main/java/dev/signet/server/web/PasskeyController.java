package dev.signet.server.web;

import dev.signet.server.account.AccountException;
import dev.signet.server.passkey.Passkey;
import dev.signet.server.passkey.PasskeyException;
import dev.signet.server.passkey.PasskeyService;
import dev.signet.server.signin.ClientInfo;
import dev.signet.server.signin.FactorPolicy;
import dev.signet.server.signin.SignetAuthentication;
import dev.signet.server.signin.SignetPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.FlashMap;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.servlet.support.RequestContextUtils;

/**
 * Passkeys in the browser: signing in with one ({@code /signin/passkey/**}, public: a passkey alone, a
 * second factor after the password, or a step-up), and the user's own list ({@code /account/passkeys}).
 *
 * <p>The ceremonies' JSON endpoints answer JSON, and refusals as problem+json with the service's
 * stable code (through {@link WebAdvice}); the list's forms post/redirect/get with a flash notice.
 * Each options call keeps its challenge in the HTTP session and the matching finish takes it out
 * again, so a challenge only works in the browser session it was issued to, and only once. Adding or
 * removing a passkey needs a recent authentication (step-up); removing one must also leave the MFA
 * policy satisfied.
 */
@Controller
class PasskeyController {
    static final String SIGN_IN_CHALLENGE = "signet.passkey.signInChallenge";
    static final String REGISTER_CHALLENGE = "signet.passkey.registerChallenge";
    private static final String PAGE = "/account/passkeys";

    private final PasskeyService passkeys;
    private final SignInFlow flow;
    private final FactorPolicy policy;

    PasskeyController(PasskeyService passkeys, SignInFlow flow, FactorPolicy policy) {
        this.passkeys = passkeys;
        this.flow = flow;
        this.policy = policy;
    }

    // ---- signing in ------------------------------------------------------------------------------

    /** Request options: discoverable when nobody is signed in, else the session user's passkeys. */
    @PostMapping(path = "/signin/passkey/options", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> signInOptions(HttpServletRequest request) {
        PasskeyService.RequestOptions options = passkeys.startAuthentication(flow.ceremonyUserId(request));
        request.getSession().setAttribute(SIGN_IN_CHALLENGE, options.challenge());
        return json(options.json());
    }

    /** Verifies an assertion ({@code credential.toJSON()}) and moves the sign-in on; answers where to go. */
    @PostMapping(path = "/signin/passkey", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> signIn(
            @RequestBody(required = false) String body, HttpServletRequest request, HttpServletResponse response) {
        String challenge = take(request, SIGN_IN_CHALLENGE);
        // a step-up (already signed in), as opposed to signing in or completing a second factor
        boolean stepUp = SignInFlow.current()
                .filter(a -> a.stage() != SignetAuthentication.Stage.SECOND_FACTOR)
                .isPresent();
        PasskeyService.Authenticated done =
                passkeys.finishAuthentication(body, challenge, flow.ceremonyUserId(request), ClientInfo.of(request));
        String next = flow.factorVerified(request, response, done.user(), done.factor());
        if (stepUp) {
            next = FactorController.takeStepUpNext(request);
        }
        return json(Map.of("redirect", request.getContextPath() + next));
    }

    // ---- the user's passkeys -------------------------------------------------------------------

    @GetMapping(PAGE)
    String page(@AuthenticationPrincipal SignetPrincipal me, HttpServletRequest request, Model model) {
        return page(me, request, model, null);
    }

    /** Creation options for a new passkey; 403 {@code auth.step_up_required} without a recent sign-in. */
    @PostMapping(path = PAGE + "/options", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> registrationOptions(
            @AuthenticationPrincipal SignetPrincipal me, HttpServletRequest request) {
        flow.requireStepUp(request);
        PasskeyService.CreationOptions options = passkeys.startRegistration(me.userId());
        request.getSession().setAttribute(REGISTER_CHALLENGE, options.challenge());
        return json(options.json());
    }

    /** Registers a passkey: {@code {"name": ..., "credential": credential.toJSON()}}. */
    @PostMapping(path = PAGE, produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> register(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestBody(required = false) String body,
            HttpServletRequest request,
            HttpServletResponse response) {
        String challenge = take(request, REGISTER_CHALLENGE);
        flow.requireStepUp(request);
        Passkey added = passkeys.finishRegistration(me.userId(), body, challenge, ClientInfo.of(request));
        flow.factorsChanged(request, response);
        flash(request, response, "Passkey “" + added.name() + "” is added. You can sign in with it now.");
        return json(Map.of("redirect", request.getContextPath() + PAGE));
    }

    @PostMapping(PAGE + "/{id}/rename")
    String rename(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            @RequestParam(name = "name", required = false) String name,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        try {
            Passkey renamed = passkeys.rename(me.userId(), id, name, me.username());
            redirect.addFlashAttribute("notice", "The passkey is renamed to “" + renamed.name() + "”.");
            return "redirect:" + PAGE;
        } catch (PasskeyException e) {
            ConsoleModel.refusal(e, model, response);
            return page(me, request, model, id);
        }
    }

    @PostMapping(PAGE + "/{id}/delete")
    String remove(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        if (!flow.stepUpFresh(request)) {
            return "redirect:/account/step-up?next=" + PAGE;
        }
        try {
            Passkey passkey = passkeys.find(me.userId(), id)
                    .orElseThrow(() -> new PasskeyException(PasskeyException.NOT_FOUND, "no such passkey of yours"));
            policy.checkRemoval(me.userId(), passkey.factor());
            passkeys.remove(me.userId(), id, me.username());
            redirect.addFlashAttribute(
                    "notice", "Passkey “" + passkey.name() + "” is removed; it no longer signs you in here.");
            return "redirect:" + PAGE;
        } catch (PasskeyException | AccountException e) {
            ConsoleModel.refusal(e, model, response);
            return page(me, request, model, null);
        }
    }

    /** One passkey as the list shows it. */
    record Row(
            String id,
            String name,
            Instant created,
            Instant lastUsed,
            boolean synced,
            String format,
            String transports) {}

    private String page(SignetPrincipal me, HttpServletRequest request, Model model, String errorFor) {
        List<Row> rows = passkeys.list(me.userId()).stream()
                .map(p -> new Row(
                        p.id(),
                        p.name(),
                        p.createdAt(),
                        p.lastUsedAt().orElse(null),
                        p.synced(),
                        p.attestationFormat(),
                        String.join(", ", p.transports())))
                .toList();
        model.addAttribute("passkeys", rows);
        model.addAttribute("stepUpFresh", flow.stepUpFresh(request));
        model.addAttribute("maxName", PasskeyService.MAX_NAME);
        if (errorFor != null) {
            model.addAttribute("errorFor", errorFor);
        }
        return "account-passkeys";
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** Takes the session's challenge for a ceremony out: a second finish with it finds none. */
    private static String take(HttpServletRequest request, String attribute) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return null;
        }
        Object value = session.getAttribute(attribute);
        session.removeAttribute(attribute);
        return value instanceof String s ? s : null;
    }

    private static ResponseEntity<Map<String, Object>> json(Map<String, Object> body) {
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .contentType(MediaType.APPLICATION_JSON)
                .body(body);
    }

    /** A notice for the page the script goes to next (a flash attribute without a redirect view). */
    private static void flash(HttpServletRequest request, HttpServletResponse response, String notice) {
        FlashMap flash = RequestContextUtils.getOutputFlashMap(request);
        flash.put("notice", notice);
        flash.setTargetRequestPath(request.getContextPath() + PAGE);
        RequestContextUtils.saveOutputFlashMap(request.getContextPath() + PAGE, request, response);
    }
}
