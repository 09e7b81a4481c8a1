package dev.claimsledger.server.security;

import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.server.http.FixedNameRequestFilter;
import dev.claimsledger.server.http.ProblemWriter;
import dev.claimsledger.server.http.RawPathSegments;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.util.UriUtils;

/**
 * Every {@code /v1} call and every actuator endpoint but health needs {@code Authorization: Bearer <key>}: 401 without
 * a known key, 403 without the scope or the tenant the request needs. What reads or changes more than one tenant
 * (everything under {@code /v1/admin} and the actuator but health) needs a key for every tenant ({@code ["*"]}), so
 * that global operations added there later are covered without a rule of their own. The key itself is never logged.
 */
class ApiKeyFilter extends FixedNameRequestFilter {

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
        Requirement requirement;
        try {
            requirement = Requirement.of(request.getMethod(), path, request.getQueryString());
        } catch (UndecodableRequestException e) {
            problems.write(response, HttpStatus.BAD_REQUEST, ClaimErrorCode.VALIDATION_FAILED,
                    "the path or query has an invalid percent-escape", null);
            return;
        }
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
        if (requirement.scope() != null && !caller.hasScope(requirement.scope())) {
            log.info("key '{}' refused {} {}: no scope {}", caller.name(), request.getMethod(), path, requirement.scope());
            problems.write(response, HttpStatus.FORBIDDEN, ClaimErrorCode.FORBIDDEN,
                    "this key lacks the scope " + requirement.scope(), path);
            return;
        }
        if (requirement.everyTenant() && !caller.allowsEveryTenant()) {
            log.info("key '{}' refused {} {}: not for every tenant", caller.name(), request.getMethod(), path);
            problems.write(response, HttpStatus.FORBIDDEN, ClaimErrorCode.FORBIDDEN, "this operation reads or changes "
                    + "every tenant: it needs a key whose tenants are [\"*\"]", path);
            return;
        }
        if (requirement.tenant() != null && !caller.allowsTenant(requirement.tenant())) {
            log.info("key '{}' refused {} {}: not for this tenant", caller.name(), request.getMethod(), path);
            problems.write(response, HttpStatus.FORBIDDEN, ClaimErrorCode.FORBIDDEN,
                    "this key may not act for this tenant", path);
            return;
        }
        request.setAttribute(ApiKey.REQUEST_ATTRIBUTE, caller);
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

    /**
     * What a request needs: a scope (null: any known key), and for tenant paths the tenant, or every tenant for
     * operations that span them; null for public paths. It is decided on the
     * path as Spring MVC routes it: split into segments, matrix parameters ({@code ;x=1}) dropped, each segment
     * percent-decoded. So {@code /%761/tenant%73/...} needs what {@code /v1/tenants/...} needs. Anything that is
     * not a known public path needs at least a key.
     */
    record Requirement(String scope, String tenant, boolean everyTenant) {

        /** {@code ops}: the operator's page holds no data; every call it makes needs a key. */
        private static final Set<String> PUBLIC_ROOTS = Set.of("v3", "swagger-ui", "swagger-ui.html", "error", "ops");

        static Requirement of(String method, String rawPath, String rawQuery) {
            List<String> path = segments(rawPath);
            if (path.isEmpty()) {
                return null;
            }
            String root = path.get(0);
            if (root.equals("actuator")) {
                return path.size() >= 2 && path.get(1).equals("health") ? null : everyTenant(ApiKey.ADMIN);
            }
            if (PUBLIC_ROOTS.contains(root)) {
                return null;
            }
            if (!root.equals("v1") || path.size() < 2) {
                return new Requirement(ApiKey.READ, null, false);
            }
            if (path.size() == 2 && path.get(1).equals("whoami")) {
                return new Requirement(null, null, false);
            }
            if (path.get(1).equals("admin")) {
                boolean audit = path.size() >= 3 && (path.get(2).equals("audit") || path.get(2).equals("ledger"));
                return everyTenant(audit ? ApiKey.AUDIT : ApiKey.ADMIN);
            }
            if (path.get(1).equals("tenants") && path.size() >= 3) {
                String tenant = path.get(2);
                boolean tenantAudit = path.size() == 4 && path.get(3).equals("audit");
                if (tenantAudit || endsWith(path, "history") || endsWith(path, "history", "verification")
                        || rawQuery != null && queryNames(rawQuery).contains("as_of")) {
                    return new Requirement(ApiKey.AUDIT, tenant, false);
                }
                return new Requirement("GET".equals(method) || "HEAD".equals(method) ? ApiKey.READ : ApiKey.WRITE,
                        tenant, false);
            }
            return new Requirement(ApiKey.READ, null, false);
        }

        private static Requirement everyTenant(String scope) {
            return new Requirement(scope, null, true);
        }

        private static boolean endsWith(List<String> path, String... last) {
            if (path.size() < last.length) {
                return false;
            }
            for (int i = 0; i < last.length; i++) {
                if (!path.get(path.size() - last.length + i).equals(last[i])) {
                    return false;
                }
            }
            return true;
        }

        /** The decoded path segments, empty ones left out; a segment that cannot be decoded is refused. */
        static List<String> segments(String rawPath) {
            List<String> segments = new ArrayList<>();
            RawPathSegments.visit(rawPath, raw -> segments.add(decode(raw)));
            return segments;
        }

        static Set<String> queryNames(String rawQuery) {
            Set<String> names = new HashSet<>();
            if (rawQuery != null) {
                for (String pair : rawQuery.split("&")) {
                    int equals = pair.indexOf('=');
                    names.add(decode(equals < 0 ? pair : pair.substring(0, equals)).replace('+', ' '));
                }
            }
            return names;
        }

        private static String decode(String text) {
            if (text.indexOf('%') < 0) {
                // nothing to decode: Spring's decoder would copy it unchanged
                return text;
            }
            try {
                return UriUtils.decode(text, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new UndecodableRequestException();
            }
        }
    }

    /** A path or query with an invalid percent-escape. */
    static final class UndecodableRequestException extends RuntimeException {
    }
}
