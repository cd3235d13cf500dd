package dev.signet.server.api;

import dev.signet.server.api.Views.SignInList;
import dev.signet.server.api.Views.SignInView;
import dev.signet.server.signin.SignInHistory;
import java.time.Instant;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/sign-ins}: every sign-in attempt, newest first, filtered by typed username,
 * client address, outcome and time (scope {@code audit:read}, administrators only).
 */
@RestController
class SignInsApi {
    private final SignInHistory history;

    SignInsApi(SignInHistory history) {
        this.history = history;
    }

    @GetMapping(path = "/api/v1/sign-ins", produces = MediaType.APPLICATION_JSON_VALUE)
    SignInList search(
            @RequestParam(name = "username", required = false) String username,
            @RequestParam(name = "ip", required = false) String ip,
            @RequestParam(name = "outcome", required = false) String outcome,
            @RequestParam(name = "since", required = false) String since,
            @RequestParam(name = "until", required = false) String until,
            @RequestParam(name = "offset", defaultValue = "0") int offset,
            @RequestParam(name = "limit", defaultValue = "" + Params.DEFAULT_LIMIT) int limit) {
        Params.Paging page = Params.paging(offset, limit);
        Instant from = Params.instant("since", since).orElse(null);
        Instant to = Params.instant("until", until).orElse(null);
        if (from != null && to != null && !from.isBefore(to)) {
            throw RequestRefused.invalid("parameter 'since' must be before 'until'");
        }
        SignInHistory.Filter filter = new SignInHistory.Filter(
                Params.text("username", username).orElse(null),
                Params.text("ip", ip).orElse(null),
                Params.text("outcome", outcome).orElse(null),
                from,
                to);
        return new SignInList(
                history.search(filter, page.offset(), page.limit()).stream()
                        .map(SignInView::of)
                        .toList(),
                page.offset(),
                page.limit());
    }
}
