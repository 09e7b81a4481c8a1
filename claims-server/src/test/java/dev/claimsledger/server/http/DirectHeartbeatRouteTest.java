package dev.claimsledger.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockHttpServletRequest;

/** Which requests the direct heartbeat route takes, and the tenant, consumer and epoch it reads from their path. */
class DirectHeartbeatRouteTest {

    @Test
    void aPlainHeartbeatPathGivesItsTenantConsumerAndEpoch() {
        MockHttpServletRequest request = post("/v1/tenants/acme-1/claims/worker.7_a~b/epochs/42/heartbeats");

        assertThat(DirectHeartbeatFilter.isRoute(request)).isTrue();
        assertThat(DirectHeartbeatFilter.route(request)).containsExactly("acme-1", "worker.7_a~b", "42");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/v1/tenants/heartbeats",
            "/v1/tenants//claims/w/epochs/1/heartbeats",
            "/v1/tenants/t/claims//epochs/1/heartbeats",
            "/v1/tenants/t/claims/w/epochs//heartbeats",
            "/v1/tenants/./claims/w/epochs/1/heartbeats",
            "/v1/tenants/t/claims/../epochs/1/heartbeats",
            "/v1/tenants/t/claims/w/epochs/../heartbeats",
            "/v1/tenants/t/claimz/w/epochs/1/heartbeats",
            "/v1/tenants/t/claims/w/epoch/1/heartbeats",
            "/v1/tenants/t/claims/w/epochs/1/2/heartbeats",
            "/v1/tenants/t/x/claims/w/epochs/1/heartbeats",
            "/v1/tenants/t/claims/w/epochs/heartbeats",
            "/v1/tenants/t/claims/w%20x/epochs/1/heartbeats",
            "/v1/tenants/t/claims/w/epochs/1/heartbeat",
            "/v2/tenants/t/claims/w/epochs/1/heartbeats",
            "/v1/tenants/t/claimsx/w/epochs/1/heartbeats",
    })
    void anyOtherPathIsLeftToSpringMvc(String path) {
        MockHttpServletRequest request = post(path);

        assertThat(DirectHeartbeatFilter.isRoute(request)).as(path).isFalse();
        assertThat(DirectHeartbeatFilter.route(request)).as(path).isNull();
    }

    @Test
    void anotherMethodOrAQueryIsLeftToSpringMvc() {
        MockHttpServletRequest get = post("/v1/tenants/t/claims/w/epochs/1/heartbeats");
        get.setMethod("GET");
        MockHttpServletRequest query = post("/v1/tenants/t/claims/w/epochs/1/heartbeats");
        query.setQueryString("x=1");

        assertThat(DirectHeartbeatFilter.isRoute(get)).isFalse();
        assertThat(DirectHeartbeatFilter.isRoute(query)).isFalse();
    }

    private static MockHttpServletRequest post(String path) {
        return new MockHttpServletRequest("POST", path);
    }
}
