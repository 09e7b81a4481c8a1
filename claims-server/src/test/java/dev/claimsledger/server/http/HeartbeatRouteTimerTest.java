package dev.claimsledger.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.servlet.HandlerMapping;

/**
 * The single-heartbeat route's timer on its own: which requests it takes from Spring's observation, and the tags it
 * gives the outcomes the HTTP contract cannot provoke (a failure that escapes every handler).
 */
class HeartbeatRouteTimerTest {

    private static final String HEARTBEAT = "/v1/tenants/acme/claims/worker-1/epochs/3/heartbeats";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HeartbeatRouteTimer timer = new HeartbeatRouteTimer(registry,
            new DefaultServerRequestObservationConvention());

    @Test
    void springObservesEveryRequestButAPlainSingleHeartbeat() {
        MockHttpServletResponse response = new MockHttpServletResponse();

        assertThat(timer.test("http.server.requests",
                new ServerRequestObservationContext(post(HEARTBEAT), response))).isFalse();
        assertThat(timer.test("http.server.requests",
                new ServerRequestObservationContext(post("/v1/tenants/acme/heartbeats"), response))).isTrue();
        assertThat(timer.test("http.server.requests",
                new ServerRequestObservationContext(post(HEARTBEAT + "?x=1"), response))).isTrue();
        assertThat(timer.test("http.server.requests", new Observation.Context())).isTrue();
    }

    @Test
    void aHeartbeatAnsweredOnTheRouteIsTimedUnderItsTemplate() throws Exception {
        String template = DirectHeartbeatFilter.URI_TEMPLATE;
        timer.doFilter(post(HEARTBEAT), new MockHttpServletResponse(),
                (request, response) -> request.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, template));

        assertThat(onlyTimer().getId().getTags()).containsExactlyInAnyOrder(Tag.of("error", "none"),
                Tag.of("exception", "none"), Tag.of("method", "POST"), Tag.of("outcome", "SUCCESS"),
                Tag.of("status", "200"), Tag.of("uri", template));
    }

    @Test
    void aHeartbeatRefusedBeforeAnyHandlerTookItIsTimedAsSpringNamesItsUri() throws Exception {
        timer.doFilter(post(HEARTBEAT), new MockHttpServletResponse(),
                (request, response) -> ((MockHttpServletResponse) response).setStatus(401));
        timer.doFilter(post(HEARTBEAT), new MockHttpServletResponse(),
                (request, response) -> ((MockHttpServletResponse) response).setStatus(404));

        assertThat(registry.find("http.server.requests").timers()).extracting(t -> t.getId().getTag("status") + " "
                + t.getId().getTag("uri") + " " + t.getId().getTag("outcome"))
                .containsExactlyInAnyOrder("401 UNKNOWN CLIENT_ERROR", "404 NOT_FOUND CLIENT_ERROR");
    }

    @Test
    void aFailureThatEscapesIsTimedAs500WithItsCauseAndPassedOn() {
        MockHttpServletResponse response = new MockHttpServletResponse();
        FilterChain failing = (request, ignored) -> {
            throw new ServletException("handler failed", new IllegalStateException("broken"));
        };

        assertThatThrownBy(() -> timer.doFilter(post(HEARTBEAT), response, failing))
                .isInstanceOf(ServletException.class).hasMessage("handler failed");

        assertThat(response.getStatus()).isEqualTo(500);
        assertThat(onlyTimer().getId().getTags()).contains(Tag.of("error", "IllegalStateException"),
                Tag.of("exception", "IllegalStateException"), Tag.of("outcome", "SERVER_ERROR"),
                Tag.of("status", "500"), Tag.of("uri", "UNKNOWN"));
    }

    @Test
    void anAnonymousFailureIsNamedInFullInTheExceptionTag() {
        RuntimeException anonymous = new RuntimeException("broken") {
        };

        assertThatThrownBy(() -> timer.doFilter(post(HEARTBEAT), new MockHttpServletResponse(), (request, response) -> {
            throw anonymous;
        })).isSameAs(anonymous);

        assertThat(onlyTimer().getId().getTag("exception")).isEqualTo(anonymous.getClass().getName());
        assertThat(onlyTimer().getId().getTag("error")).isEmpty();
    }

    @Test
    void otherRequestsAreLeftToSpringsObservation() throws Exception {
        timer.doFilter(post("/v1/tenants/acme/heartbeats"), new MockHttpServletResponse(), (request, response) -> {
        });

        assertThat(registry.getMeters()).isEmpty();
    }

    private Timer onlyTimer() {
        List<Timer> timers = List.copyOf(registry.find("http.server.requests").timers());
        assertThat(timers).hasSize(1);
        assertThat(timers.get(0).count()).isEqualTo(1);
        return timers.get(0);
    }

    private static MockHttpServletRequest post(String pathAndQuery) {
        int query = pathAndQuery.indexOf('?');
        MockHttpServletRequest request = new MockHttpServletRequest("POST",
                query < 0 ? pathAndQuery : pathAndQuery.substring(0, query));
        if (query >= 0) {
            request.setQueryString(pathAndQuery.substring(query + 1));
        }
        return request;
    }
}
