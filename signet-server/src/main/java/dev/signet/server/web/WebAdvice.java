package dev.signet.server.web;

import dev.signet.core.SignetException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * Model attributes every page needs, and the one place where Signet's coded exceptions become HTTP
 * answers: problem+json (RFC 9457) with the stable {@code code}, never a stack trace.
 */
@ControllerAdvice
class WebAdvice {
    @ModelAttribute("currentUser")
    String currentUser() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !auth.isAuthenticated() || auth instanceof AnonymousAuthenticationToken) {
            return null;
        }
        return auth.getName();
    }

    /** The page's path without the context path, so the top bar can mark the current section. */
    @ModelAttribute("currentPath")
    String currentPath(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    @ExceptionHandler(SignetException.class)
    @ResponseBody
    org.springframework.http.ResponseEntity<ProblemDetail> signetException(SignetException e) {
        HttpStatus status = Problems.status(e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setTitle("Request refused");
        problem.setProperty("code", e.code());
        return org.springframework.http.ResponseEntity.status(status)
                .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}
