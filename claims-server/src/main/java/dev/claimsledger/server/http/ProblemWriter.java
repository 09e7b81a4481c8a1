package dev.claimsledger.server.http;

import dev.claimsledger.api.ClaimErrorCode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes problem+json where no controller runs: in servlet filters and on the error page.
 */
@Component
public class ProblemWriter {

    private final JsonMapper json;

    ProblemWriter(JsonMapper json) {
        this.json = json;
    }

    public void write(HttpServletResponse response, HttpStatusCode status, ClaimErrorCode code, String detail,
                      String instance) throws IOException {
        write(response, status, problem(status, code, detail), instance);
    }

    /** Writes {@code problem}, with {@code instance} (a request path) as its instance unless it has one already. */
    void write(HttpServletResponse response, HttpStatusCode status, ProblemDetail problem, String instance)
            throws IOException {
        String path = instance == null ? null : instance.replaceAll("[^A-Za-z0-9/_.~-]", "_");
        if (problem.getInstance() == null && path != null && path.startsWith("/") && !path.startsWith("//")) {
            problem.setInstance(URI.create(path));
        }
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(json.writeValueAsBytes(problem));
    }

    /** The problem body every error of the service has: a type and title per code, and the code itself. */
    public static ProblemDetail problem(HttpStatusCode status, ClaimErrorCode code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:claims-ledger:problem:" + code.code()));
        problem.setTitle(code.code().replace('_', ' '));
        problem.setProperty("code", code.code());
        return problem;
    }
}
