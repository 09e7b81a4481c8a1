package dev.claimsledger.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A path is split as Spring MVC routes it, and each request needs what its decoded path names. */
class ApiKeyRequirementTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/v1/tenants/acme/claims/w-1/epochs/3/heartbeats | v1,tenants,acme,claims,w-1,epochs,3,heartbeats",
            "//v1;x=1//tenant%73/acme/ | v1,tenants,acme",
            "/%761/tenants/a%20b/history | v1,tenants,a b,history",
            ";x/v1/a;b;c/d; | v1,a,d",
            "/a+b/%2B | a+b,+",
            "'' | ''",
            "/ | ''",
            "/// | ''"})
    void segmentsAreDecodedWithMatrixParametersAndEmptySegmentsLeftOut(String rawPath, String expected) {
        List<String> segments = expected.isEmpty() ? List.of() : Arrays.asList(expected.split(","));

        assertThat(ApiKeyFilter.Requirement.segments(rawPath)).isEqualTo(segments);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"/v1/%zz", "/v1/tenants/a%2", "/%E0%A4%A"})
    void aSegmentThatCannotBeDecodedIsRefused(String rawPath) {
        assertThatThrownBy(() -> ApiKeyFilter.Requirement.segments(rawPath))
                .isInstanceOf(ApiKeyFilter.UndecodableRequestException.class);
    }

    @ParameterizedTest(name = "{0} {1}?{2}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "POST | /v1/tenants/acme/claims/w-1/epochs/3/heartbeats | null | claims:write | acme",
            "GET | /v1/tenants/acme/claims/w-1 | null | claims:read | acme",
            "GET | /v1/tenants/acme/claims/w-1 | as_of=2026-12-04T00:00:00Z | claims:audit | acme",
            "GET | /v1/tenants/acme/claims/w-1 | a%73_of=x | claims:audit | acme",
            "GET | /v1/tenants/acme/claims/w-1/history | null | claims:audit | acme",
            "GET | /v1/tenants/acme/claims/w-1/history/verification | null | claims:audit | acme",
            "GET | /v1/tenants/acme/audit | null | claims:audit | acme",
            "POST | /v1/tenants/acme/claims/history | null | claims:audit | acme",
            "POST | /v1/tenants/acme/claims/w-1/epochs/3/release | limit=3 | claims:write | acme"})
    void aTenantsPathNeedsItsTenantAndTheScopeItsDecodedPathAndQueryName(String method, String rawPath,
                                                                          String rawQuery, String scope,
                                                                          String tenant) {
        assertThat(ApiKeyFilter.Requirement.of(method, rawPath, rawQuery))
                .isEqualTo(new ApiKeyFilter.Requirement(scope, tenant, false));
    }

    @Test
    void aQueryThatCannotBeDecodedIsRefused() {
        assertThatThrownBy(() -> ApiKeyFilter.Requirement.of("GET", "/v1/tenants/acme/claims", "%zz=1"))
                .isInstanceOf(ApiKeyFilter.UndecodableRequestException.class);
    }
}
