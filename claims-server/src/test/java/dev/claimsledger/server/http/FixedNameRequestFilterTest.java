package dev.claimsledger.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterConfig;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class FixedNameRequestFilterTest {

    private final AtomicInteger filtered = new AtomicInteger();
    private final FixedNameRequestFilter filter = new FixedNameRequestFilter() {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            filtered.incrementAndGet();
            chain.doFilter(request, response);
        }
    };

    @Test
    void theAttributeNameIsSpringsBuiltOnce() throws Exception {
        filter.init(new MockFilterConfig("apiKeyFilter"));

        String first = filter.getAlreadyFilteredAttributeName();

        assertThat(first).isEqualTo("apiKeyFilter.FILTERED");
        assertThat(filter.getAlreadyFilteredAttributeName()).isSameAs(first);
    }

    @Test
    void aRequestPassingTheFilterTwiceIsFilteredOnce() throws Exception {
        filter.init(new MockFilterConfig("opsPageHeaders"));
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/ops");
        MockHttpServletResponse response = new MockHttpServletResponse();

        filter.doFilter(request, response, (req, res) -> filter.doFilter(req, res, (again, last) -> { }));

        assertThat(filtered).hasValue(1);
        assertThat(request.getAttribute("opsPageHeaders.FILTERED")).isNull();
    }
}
