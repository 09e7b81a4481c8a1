package dev.claimsledger.server.ops;

import dev.claimsledger.server.http.FixedNameRequestFilter;
import dev.claimsledger.server.http.RawPathSegments;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;

/**
 * Headers of everything under {@code /ops}: a Content-Security-Policy that allows scripts, styles and calls only from
 * the service itself (no inline script or style, no framing, no base or form targets), no MIME sniffing, no referrer,
 * and revalidation on every load so that a new version of the page is never mixed with cached assets.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class OpsPageHeaders extends FixedNameRequestFilter {

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (isOpsPath(request.getRequestURI().substring(request.getContextPath().length()))) {
            response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setHeader("Referrer-Policy", "no-referrer");
            response.setHeader("Cache-Control", "no-cache");
        }
        chain.doFilter(request, response);
    }

    /**
     * Whether the first segment, as Spring MVC routes it (matrix parameters dropped, percent-decoded), is ops. Asked
     * of every request, so a segment without a percent-escape is not decoded.
     */
    static boolean isOpsPath(String rawPath) {
        String first = RawPathSegments.first(rawPath);
        if (first == null || first.indexOf('%') < 0) {
            return "ops".equals(first);
        }
        try {
            return UriUtils.decode(first, StandardCharsets.UTF_8).equals("ops");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
