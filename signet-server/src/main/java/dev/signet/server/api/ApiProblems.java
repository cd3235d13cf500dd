package dev.signet.server.api;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** Builds the API's problem+json (RFC 9457) answers: status, title, a human detail and the stable {@code code}. */
final class ApiProblems {
    private ApiProblems() {}

    static ResponseEntity<ProblemDetail> of(HttpStatus status, String code, String detail) {
        return of(status, code, detail, new HttpHeaders());
    }

    static ResponseEntity<ProblemDetail> of(HttpStatus status, String code, String detail, HttpHeaders headers) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(status.getReasonPhrase());
        problem.setProperty("code", code);
        return ResponseEntity.status(status)
                .headers(headers)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}
