package dev.signet.server.web;

import dev.signet.server.account.AccountException;
import dev.signet.server.guard.SignInGuard;
import dev.signet.server.signin.SignInHistory;
import dev.signet.server.signin.SignetPrincipal;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Every sign-in attempt, for administrators ({@code /admin/sign-ins}): filtered by typed username,
 * IP, outcome and a range of UTC days, newest first, a page at a time; and the client addresses the
 * brute-force guard blocks right now, each with a "Lift" button.
 */
@Controller
@RequestMapping("/admin/sign-ins")
class AdminSignInsController {
    static final int PAGE_SIZE = 50;
    private static final int MAX_FILTER_LENGTH = 256;

    private final SignInHistory history;
    private final SignInGuard guard;

    AdminSignInsController(SignInHistory history, SignInGuard guard) {
        this.history = history;
        this.guard = guard;
    }

    /** The filters as typed, kept for the form and the paging links. */
    public record Filters(String username, String ip, String outcome, String since, String until) {}

    @GetMapping
    String list(
            @RequestParam(name = "username", required = false) String username,
            @RequestParam(name = "ip", required = false) String ip,
            @RequestParam(name = "outcome", required = false) String outcome,
            @RequestParam(name = "since", required = false) String since,
            @RequestParam(name = "until", required = false) String until,
            @RequestParam(name = "offset", required = false) Integer offset,
            @RequestParam(name = "limit", required = false) Integer limit,
            Model model,
            HttpServletResponse response) {
        Filters typed =
                new Filters(trim(username), trim(ip), trim(outcome).toLowerCase(Locale.ROOT), trim(since), trim(until));
        ConsoleModel.Paging paging = ConsoleModel.Paging.of(offset, limit, PAGE_SIZE);
        model.addAttribute("filters", typed);
        model.addAttribute("paging", paging);
        model.addAttribute("blocks", guard.activeBlocks());
        List<SignInHistory.Attempt> found;
        try {
            SignInHistory.Filter filter = new SignInHistory.Filter(
                    blankToNull(typed.username()),
                    blankToNull(typed.ip()),
                    outcome(typed.outcome()),
                    day(typed.since(), "since").orElse(null),
                    day(typed.until(), "until")
                            .map(d -> d.plus(Duration.ofDays(1)))
                            .orElse(null));
            // one more than a page, to know whether there is a next one
            found = history.search(filter, paging.offset(), paging.limit() + 1);
        } catch (AccountException e) {
            ConsoleModel.refusal(e, model, response);
            found = List.of();
        }
        boolean hasNext = found.size() > paging.limit();
        model.addAttribute("attempts", ConsoleModel.attempts(hasNext ? found.subList(0, paging.limit()) : found));
        model.addAttribute("hasPrevious", paging.offset() > 0);
        model.addAttribute("hasNext", hasNext);
        model.addAttribute("previousHref", href(typed, paging.previous(), paging.limit()));
        model.addAttribute("nextHref", href(typed, paging.next(), paging.limit()));
        model.addAttribute(
                "filtered",
                !String.join("", typed.username(), typed.ip(), typed.outcome(), typed.since(), typed.until())
                        .isEmpty());
        return "admin-sign-ins";
    }

    @PostMapping("/blocks/lift")
    String lift(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "ip", required = false) String ip,
            RedirectAttributes redirect) {
        String source = trim(ip);
        if (!source.isEmpty()) {
            guard.clearIp(source, me.username());
            redirect.addFlashAttribute("notice", "The block on " + source + " is lifted.");
        }
        return "redirect:/admin/sign-ins";
    }

    private static String href(Filters f, int offset, int limit) {
        UriComponentsBuilder b = UriComponentsBuilder.fromPath("/admin/sign-ins");
        param(b, "username", f.username());
        param(b, "ip", f.ip());
        param(b, "outcome", f.outcome());
        param(b, "since", f.since());
        param(b, "until", f.until());
        return b.queryParam("offset", offset)
                .queryParam("limit", limit)
                .encode()
                .build()
                .toUriString();
    }

    private static void param(UriComponentsBuilder b, String name, String value) {
        if (!value.isEmpty()) {
            b.queryParam(name, value);
        }
    }

    private static String outcome(String outcome) {
        return switch (outcome) {
            case "" -> null;
            case "success", "failure" -> outcome;
            default -> throw new AccountException("filter.outcome_invalid", "an outcome is success or failure");
        };
    }

    /** The start of a UTC day typed as {@code 2025-01-31} (what a date input sends). */
    private static Optional<Instant> day(String text, String field) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant());
        } catch (DateTimeParseException e) {
            throw new AccountException(
                    "filter." + field + "_invalid", "the “" + field + "” date looks like 2025-01-31");
        }
    }

    private static String trim(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        return t.length() <= MAX_FILTER_LENGTH ? t : t.substring(0, MAX_FILTER_LENGTH);
    }

    private static String blankToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
