package dev.claimsledger.server.http;

import dev.claimsledger.api.ClaimCommandResult;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerMapping;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers a single heartbeat ({@code POST /v1/tenants/{tenant}/claims/{consumer}/epochs/{epoch}/heartbeats}) without
 * Spring MVC's dispatch, which cost about a third of the ledger's CPU per heartbeat (BENCHMARKS.md). It runs after the
 * body-size limit and the API-key check, and answers exactly as {@link ClaimsController#heartbeat} would: the same
 * JSON, the same problems. It takes only the plain form of the request (an unescaped path of letters, digits and
 * {@code -._~}, no query, a JSON body or none, a JSON answer accepted); anything else, and a body it cannot read, goes
 * on to Spring MVC, whose answers stay the reference.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
class DirectHeartbeatFilter extends FixedNameRequestFilter {

    /** The route's template, as Spring MVC names it and {@link HeartbeatRouteTimer} tags its timer. */
    static final String URI_TEMPLATE = "/v1/tenants/{tenant}/claims/{consumer}/epochs/{epoch}/heartbeats";
    private static final String PREFIX = "/v1/tenants/";
    private static final String SUFFIX = "/heartbeats";
    private static final String CLAIMS = "claims";
    private static final String EPOCHS = "epochs";

    private final LedgerGateway ledger;
    private final Clock clock;
    private final ObjectReader bodyReader;
    private final ObjectWriter claimWriter;
    private final ProblemWriter problems;

    DirectHeartbeatFilter(LedgerGateway ledger, Clock clock, JsonMapper json, ProblemWriter problems) {
        this.ledger = ledger;
        this.clock = clock;
        this.bodyReader = json.readerFor(ClaimRequests.Heartbeat.class);
        this.claimWriter = json.writerFor(ClaimJson.class);
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String[] route = route(request);
        if (route == null || !plainExchange(request)) {
            chain.doFilter(request, response);
            return;
        }
        byte[] body = request.getInputStream().readNBytes((int) Math.max(0, request.getContentLengthLong()));
        ClaimRequests.Heartbeat heartbeat;
        try {
            heartbeat = body.length == 0 ? null : bodyReader.readValue(body);
        } catch (JacksonException unreadable) {
            // Spring MVC words the 400 for a malformed or mistyped body
            chain.doFilter(new ReplayedBody(request, body), response);
            return;
        }
        // the route's timer tags the request with the template, as Spring MVC's mapping would have it
        request.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, URI_TEMPLATE);
        ClaimJson claim;
        try {
            ClaimCommandResult result = ledger.heartbeat(ClaimsController.heartbeatCommand(route[0], route[1], route[2],
                    heartbeat));
            claim = ClaimJson.of(result.claim(), clock.instant());
        } catch (RuntimeException failure) {
            ResponseEntity<Object> answer = ProblemResponses.failed(failure);
            problems.write(response, answer.getStatusCode(), (ProblemDetail) answer.getBody(), request.getRequestURI());
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        claimWriter.writeValue(response.getOutputStream(), claim);
    }

    /** Tenant, consumer and epoch of a plainly written heartbeat path; null for any other path. */
    static String[] route(HttpServletRequest request) {
        if (!isRoute(request)) {
            return null;
        }
        String path = request.getRequestURI();
        int tenantEnd = path.indexOf('/', PREFIX.length());
        int consumerStart = tenantEnd + 1 + CLAIMS.length() + 1;
        int consumerEnd = path.indexOf('/', consumerStart);
        int epochStart = consumerEnd + 1 + EPOCHS.length() + 1;
        return new String[] {path.substring(PREFIX.length(), tenantEnd), path.substring(consumerStart, consumerEnd),
                path.substring(epochStart, path.length() - SUFFIX.length())};
    }

    /**
     * Whether the request is a plainly written heartbeat path: {@code POST}, no query, letters, digits and
     * {@code -._~} only, five segments between the prefix and the suffix, none of them empty, {@code .} or
     * {@code ..}. Asked for every request (the route's timer asks twice), so it allocates nothing.
     */
    static boolean isRoute(HttpServletRequest request) {
        if (!"POST".equals(request.getMethod()) || request.getQueryString() != null
                || !request.getContextPath().isEmpty()) {
            return false;
        }
        String path = request.getRequestURI();
        if (!path.startsWith(PREFIX) || !path.endsWith(SUFFIX)) {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
            if (!unreserved) {
                return false;
            }
        }
        int end = path.length() - SUFFIX.length();
        int start = PREFIX.length();
        for (int segment = 0; segment < 5; segment++) {
            // the last segment ends where the suffix, which begins with a slash, does
            int slash = path.indexOf('/', start);
            if (segment < 4 ? slash < 0 || slash >= end : slash != end) {
                return false;
            }
            int length = slash - start;
            boolean plain = switch (segment) {
                case 1 -> path.startsWith(CLAIMS, start) && length == CLAIMS.length();
                case 3 -> path.startsWith(EPOCHS, start) && length == EPOCHS.length();
                default -> length > 0 && !(length == 1 && path.charAt(start) == '.')
                        && !(length == 2 && path.startsWith("..", start));
            };
            if (!plain) {
                return false;
            }
            start = slash + 1;
        }
        return true;
    }

    /** A body of known length that is JSON or absent, and an answer in JSON accepted. */
    private static boolean plainExchange(HttpServletRequest request) {
        if (request.getHeader("Transfer-Encoding") != null) {
            return false;
        }
        String contentType = request.getContentType();
        if (contentType == null ? request.getContentLengthLong() > 0 : !isJson(contentType)) {
            return false;
        }
        String accept = request.getHeader("Accept");
        return accept == null || accept.equals("*/*") || accept.equals(MediaType.APPLICATION_JSON_VALUE);
    }

    /** {@code application/json} in UTF-8; other types and charsets are Spring MVC's to accept or refuse. */
    private static boolean isJson(String contentType) {
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return MediaType.APPLICATION_JSON.equalsTypeAndSubtype(type)
                    && (type.getCharset() == null || type.getCharset().equals(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }


    /** The request with the body this filter read, for Spring MVC to read again. */
    private static final class ReplayedBody extends HttpServletRequestWrapper {

        private final ByteArrayInputStream body;

        ReplayedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = new ByteArrayInputStream(body);
        }

        @Override
        public ServletInputStream getInputStream() {
            return new ServletInputStream() {
                @Override
                public int read() {
                    return body.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return body.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return body.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is already read");
                }
            };
        }
    }
}
