package dev.claimsledger.server.http;

import io.micrometer.common.KeyValue;
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
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationProperties;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.http.server.observation.ServerRequestObservationConvention;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Times the single-heartbeat route ({@link DirectHeartbeatFilter#URI_TEMPLATE}) in place of Spring's HTTP observation,
 * which took about 8% of the ledger's CPU samples under single heartbeats (its context, its handlers, a long-task timer
 * and two meter lookups per request; BENCHMARKS.md). As an {@link ObservationPredicate} it turns that observation off
 * for the route; as a filter right after Spring's observation filter it records the timer Spring would,
 * {@code http.server.requests} (or the name configured for it) with the tags Spring's convention gives it, whoever
 * answers the request: the direct route, the API-key check, the body-size limit or Spring MVC. Observation key values
 * and observation filters do not apply to it; meter filters do. The route is answered synchronously, so the timer
 * stops when the request's dispatch ends.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class HeartbeatRouteTimer extends FixedNameRequestFilter implements ObservationPredicate {

    private final MeterRegistry registry;
    private final ServerRequestObservationConvention convention;
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    /** With the convention Spring's observation filter uses: the application's, or Spring's default. */
    @Autowired
    HeartbeatRouteTimer(MeterRegistry registry, ObservationProperties observations,
                        ObjectProvider<ServerRequestObservationConvention> convention) {
        this(registry, convention.getIfAvailable(() -> new DefaultServerRequestObservationConvention(
                observations.getHttp().getServer().getRequests().getName())));
    }

    HeartbeatRouteTimer(MeterRegistry registry, ServerRequestObservationConvention convention) {
        this.registry = registry;
        this.convention = convention;
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
            // the error page's exception wins over the one thrown, as in Spring's filter
            Throwable error = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable handled
                    ? handled : failure;
            String pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE) instanceof String set
                    ? set : null;
            timers.computeIfAbsent(new TimerKey(response.getStatus(), pattern, error == null ? null : error.getClass()),
                    key -> timer(request, response, pattern, error))
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private static boolean isTimed(HttpServletRequest request) {
        return DirectHeartbeatFilter.isRoute(request);
    }

    /**
     * The timer of one outcome, tagged as Spring's observation would tag it: the convention's tags (the template once
     * the direct route or Spring MVC took the request), and the meter handler's {@code error}.
     */
    private Timer timer(HttpServletRequest request, HttpServletResponse response, String pattern, Throwable error) {
        ServerRequestObservationContext context = new ServerRequestObservationContext(request, response);
        context.setPathPattern(pattern);
        context.setError(error);
        Tags tags = Tags.of("error", error == null ? "none" : error.getClass().getSimpleName());
        for (KeyValue keyValue : convention.getLowCardinalityKeyValues(context)) {
            tags = tags.and(keyValue.getKey(), keyValue.getValue());
        }
        return Timer.builder(convention.getName()).tags(tags).register(registry);
    }

    /** What tells one of the route's timers from another: everything its tags are made of but the method. */
    private record TimerKey(int status, String pattern, Class<?> failure) {
    }
}
