package dev.claimsledger.server.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationPredicate;
import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationProperties;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Times the single-heartbeat route ({@link DirectHeartbeatFilter#URI_TEMPLATE}) in place of Spring's HTTP observation,
 * which took about 8% of the ledger's CPU samples under single heartbeats (its context, its handlers, a long-task timer
 * and two meter lookups per request; BENCHMARKS.md). As an {@link ObservationPredicate} it turns that observation off
 * for the route; as a filter right after Spring's observation filter it records the timer Spring would,
 * {@code http.server.requests} (or the name configured for it) with Spring's tags ({@code error}, {@code exception},
 * {@code method}, {@code outcome}, {@code status}, {@code uri}), whoever answers the request: the direct route, the
 * API-key check, the body-size limit or Spring MVC. Observation settings (key values, conventions, observation
 * filters) do not apply to it; meter filters do. The route is answered synchronously, so the timer stops when the
 * request's dispatch ends.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class HeartbeatRouteTimer extends OncePerRequestFilter implements ObservationPredicate {

    private static final String NONE = "none";

    private final MeterRegistry registry;
    private final String name;
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    HeartbeatRouteTimer(MeterRegistry registry, ObservationProperties observations) {
        this.registry = registry;
        this.name = observations.getHttp().getServer().getRequests().getName();
    }

    /** Spring's HTTP observation of every request but a single heartbeat's. */
    @Override
    public boolean test(String observationName, Observation.Context context) {
        return !(context instanceof ServerRequestObservationContext server && isTimed(server.getCarrier()));
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !isTimed(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long started = System.nanoTime();
        Throwable failure = null;
        try {
            chain.doFilter(request, response);
        } catch (ServletException | IOException | RuntimeException e) {
            failure = e instanceof ServletException servlet && servlet.getCause() != null ? servlet.getCause() : e;
            // as Spring's observation filter counts a request whose handling failed
            response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            throw e;
        } finally {
            if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable handled) {
                failure = handled;
            }
            TimerKey key = new TimerKey(response.getStatus(), uri(request, response.getStatus()),
                    failure == null ? null : failure.getClass());
            timers.computeIfAbsent(key, this::timer).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private static boolean isTimed(HttpServletRequest request) {
        return DirectHeartbeatFilter.route(request) != null;
    }

    /** The route's template once the direct route or Spring MVC took the request; else as Spring names it. */
    private static String uri(HttpServletRequest request, int status) {
        if (request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE) instanceof String pattern) {
            return pattern;
        }
        return status / 100 == 3 ? "REDIRECTION" : status == HttpServletResponse.SC_NOT_FOUND ? "NOT_FOUND" : "UNKNOWN";
    }

    private Timer timer(TimerKey key) {
        String error = key.failure() == null ? NONE : key.failure().getSimpleName();
        String exception = key.failure() == null ? NONE
                : key.failure().getSimpleName().isEmpty() ? key.failure().getName() : key.failure().getSimpleName();
        return Timer.builder(name)
                .tags(Tags.of("error", error, "exception", exception, "method", "POST",
                        "outcome", outcome(key.status()), "status", Integer.toString(key.status()), "uri", key.uri()))
                .register(registry);
    }

    /** As Spring names a status's class in the {@code outcome} tag. */
    private static String outcome(int status) {
        return switch (status / 100) {
            case 1 -> "INFORMATIONAL";
            case 2 -> "SUCCESS";
            case 3 -> "REDIRECTION";
            case 4 -> "CLIENT_ERROR";
            case 5 -> "SERVER_ERROR";
            default -> "UNKNOWN";
        };
    }

    private record TimerKey(int status, String uri, Class<?> failure) {
    }
}
