package dev.claimsledger.server.http;

import dev.claimsledger.api.ClaimErrorCode;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The error page, for errors that no controller handled (a failure in a filter, an error the container itself
 * raised): problem+json like every other error, never an HTML page or a stack trace.
 */
@Hidden
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping(path = "/error", produces = MediaType.APPLICATION_PROBLEM_JSON_VALUE)
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object statusAttribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        // no status: someone asked for /error itself
        HttpStatusCode status = statusAttribute instanceof Integer code ? HttpStatusCode.valueOf(code)
                : HttpStatus.NOT_FOUND;
        Object failure = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        ClaimErrorCode code = failure instanceof Throwable thrown && BodySizeLimitFilter.isTooLarge(thrown)
                ? ClaimErrorCode.PAYLOAD_TOO_LARGE : ProblemResponses.codeFor(status);
        if (code == ClaimErrorCode.PAYLOAD_TOO_LARGE) {
            status = HttpStatus.CONTENT_TOO_LARGE;
        }
        String detail = status.is5xxServerError() ? "the ledger failed to handle the request; it has been logged"
                : "the request was refused (" + status.value() + ")";
        ProblemDetail problem = ProblemWriter.problem(status, code, detail);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
