package dev.signet.server.api;

import dev.signet.core.SignetException;
import dev.signet.server.web.Problems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import tools.jackson.core.JacksonException;

/**
 * How the API's controllers answer failures, ahead of the console's {@code web.WebAdvice}: always
 * problem+json with a stable {@code code}, never a stack trace, and never a 500 for bad input.
 *
 * <ul>
 *   <li>{@link RequestRefused}: its own status and code ({@code request.malformed}, {@code
 *       request.invalid}, {@code request.too_large}, {@code request.unsupported_media_type});
 *   <li>any other {@link SignetException}: the status {@link Problems#status(String)} gives its code
 *       ({@code user.not_found} 404, {@code username.taken} 409, {@code password.too_short} 400, ...);
 *   <li>a bad query or path parameter: 400 {@code request.invalid} naming it;
 *   <li>415 {@code request.unsupported_media_type}, 405 {@code request.method_not_allowed} (with
 *       {@code Allow}), 406 {@code request.not_acceptable};
 *   <li>anything unexpected: 500 {@code server.error}, logged here with its stack trace, answered
 *       without one.
 * </ul>
 */
@RestControllerAdvice(basePackageClasses = ApiAdvice.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ApiAdvice {
    private static final Logger log = LoggerFactory.getLogger(ApiAdvice.class);

    @ExceptionHandler(RequestRefused.class)
    ResponseEntity<ProblemDetail> refused(RequestRefused e) {
        HttpHeaders headers = new HttpHeaders();
        if (e.status() == HttpStatus.CONTENT_TOO_LARGE) {
            headers.setConnection("close");
        }
        return ApiProblems.of(e.status(), e.code(), e.getMessage(), headers);
    }

    @ExceptionHandler(SignetException.class)
    ResponseEntity<ProblemDetail> signet(SignetException e) {
        return ApiProblems.of(Problems.status(e.code()), e.code(), e.getMessage());
    }

    /** Only reached by {@code @RequestBody} parameters; the API's own are {@link JsonBody}. */
    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> notReadable(HttpMessageNotReadableException e) {
        RequestRefused r = e.getCause() instanceof JacksonException j
                ? StrictJson.translate(j)
                : RequestRefused.malformed("the body is not readable JSON");
        return refused(r);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e) {
        Class<?> type = e.getRequiredType();
        String expected = type == int.class || type == Integer.class || type == long.class || type == Long.class
                ? "an integer"
                : "of another form";
        return refused(
                RequestRefused.invalid("parameter '" + StrictJson.printable(e.getName()) + "' must be " + expected));
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ProblemDetail> missing(MissingServletRequestParameterException e) {
        return refused(
                RequestRefused.invalid("parameter '" + StrictJson.printable(e.getParameterName()) + "' is required"));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ProblemDetail> unsupportedMediaType(HttpMediaTypeNotSupportedException e) {
        return ApiProblems.of(
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                JsonBodyResolver.UNSUPPORTED_MEDIA_TYPE,
                "this request needs a body of type application/json");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ProblemDetail> methodNotAllowed(HttpRequestMethodNotSupportedException e) {
        HttpHeaders headers = new HttpHeaders();
        if (e.getSupportedHttpMethods() != null) {
            headers.setAllow(e.getSupportedHttpMethods());
        }
        return ApiProblems.of(
                HttpStatus.METHOD_NOT_ALLOWED,
                "request.method_not_allowed",
                "this resource does not support " + StrictJson.printable(e.getMethod()),
                headers);
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ProblemDetail> notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return ApiProblems.of(
                HttpStatus.NOT_ACCEPTABLE, "request.not_acceptable", "this API answers application/json only");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        // Spring's own coded failures (a missing path variable, a bad request line): their status, no internals.
        if (e instanceof ErrorResponse coded) {
            HttpStatus status = HttpStatus.resolve(coded.getStatusCode().value());
            if (status != null && status.is4xxClientError()) {
                return ApiProblems.of(status, "http." + status.value(), status.getReasonPhrase());
            }
        }
        log.error("API request failed", e);
        return ApiProblems.of(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "server.error",
                "the server could not complete the request; the details are in its log");
    }
}
