package dev.claimsledger.server.security;

import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.server.http.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriUtils;

/**
 * Every {@code /v1} call and every actuator endpoint but health needs {@code Authorization: Bearer <key>}: 401 without
 * a known key, 403 without the scope or the tenant the request needs. The key itself is never logged.
 */
class ApiKeyFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyFilter.class);
    private static final String BEARER = "Bearer ";

    private final ApiKeys keys;
    private final ProblemWriter problems;

    /** @param keys null in open mode (no keys file, loopback only): every request passes */
    ApiKeyFilter(ApiKeys keys, ProblemWriter problems) {
        this.keys = keys;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        Requirement requirement = Requirement.of(request.getMethod(), path, request.getQueryString());
        if (keys == null || requirement == null) {
            chain.doFilter(request, response);
            return;
        }
        Optional<ApiKey> key = presentedKey(request).flatMap(keys::authenticate);
        if (key.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Bearer");
            problems.write(response, HttpStatus.UNAUTHORIZED, ClaimErrorCode.UNAUTHENTICATED,
                    "a known API key is required: Authorization: Bearer <key>", path);
            return;
        }
        ApiKey caller = key.get();
        if (!caller.hasScope(requirement.scope())) {
            log.info("key '{}' refused {} {}: no scope {}", caller.name(), request.getMethod(), path, requirement.scope());
            problems.write(response, HttpStatus.FORBIDDEN, ClaimErrorCode.FORBIDDEN,
                    "this key lacks the scope " + requirement.scope(), path);
            return;
        }
        if (requirement.tenant() != null && !caller.allowsTenant(requirement.tenant())) {
            log.info("key '{}' refused {} {}: not for this tenant", caller.name(), request.getMethod(), path);
            problems.write(response, HttpStatus.FORBIDDEN, ClaimErrorCode.FORBIDDEN,
                    "this key may not act for this tenant", path);
            return;
        }
        chain.doFilter(request, response);
    }

    private static Optional<String> presentedKey(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        String key = header.substring(BEARER.length()).trim();
        return key.isEmpty() ? Optional.empty() : Optional.of(key);
    }

    /** What a request needs: a scope, and for tenant paths the tenant. Null for public paths. */
    record Requirement(String scope, String tenant) {

        static Requirement of(String method, String path, String query) {
            if (path.startsWith("/actuator")) {
                return path.equals("/actuator/health") || path.startsWith("/actuator/health/")
                        ? null : new Requirement(ApiKey.ADMIN, null);
            }
            if (!path.startsWith("/v1/")) {
                return null;
            }
            if (path.startsWith("/v1/admin/audit")) {
                return new Requirement(ApiKey.AUDIT, null);
            }
            if (path.startsWith("/v1/admin/")) {
                return new Requirement(ApiKey.ADMIN, null);
            }
            if (path.startsWith("/v1/tenants/")) {
                String rest = path.substring("/v1/tenants/".length());
                int slash = rest.indexOf('/');
                String tenant = UriUtils.decode(slash < 0 ? rest : rest.substring(0, slash), StandardCharsets.UTF_8);
                if (path.endsWith("/history") || hasParameter(query, "as_of")) {
                    return new Requirement(ApiKey.AUDIT, tenant);
                }
                return new Requirement("GET".equals(method) || "HEAD".equals(method) ? ApiKey.READ : ApiKey.WRITE,
                        tenant);
            }
            return new Requirement(ApiKey.READ, null);
        }

        private static boolean hasParameter(String query, String name) {
            if (query == null) {
                return false;
            }
            for (String pair : query.split("&")) {
                String key = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                if (name.equals(UriUtils.decode(key, StandardCharsets.UTF_8))) {
                    return true;
                }
            }
            return false;
        }
    }
}
