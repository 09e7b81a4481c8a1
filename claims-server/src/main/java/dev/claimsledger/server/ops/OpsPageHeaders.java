package dev.claimsledger.server.ops;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriUtils;

/**
 * Headers of everything under {@code /ops}: a Content-Security-Policy that allows scripts, styles and calls only from
 * the service itself (no inline script or style, no framing, no base or form targets), no MIME sniffing, no referrer,
 * and revalidation on every load so that a new version of the page is never mixed with cached assets.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class OpsPageHeaders extends OncePerRequestFilter {

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

    /** Whether the first segment, as Spring MVC routes it (matrix parameters dropped, percent-decoded), is ops. */
    static boolean isOpsPath(String rawPath) {
        for (String raw : rawPath.split("/")) {
            int matrix = raw.indexOf(';');
            String segment = matrix < 0 ? raw : raw.substring(0, matrix);
            if (!segment.isEmpty()) {
                try {
                    return UriUtils.decode(segment, StandardCharsets.UTF_8).equals("ops");
                } catch (IllegalArgumentException e) {
                    return false;
                }
            }
        }
        return false;
    }
}
