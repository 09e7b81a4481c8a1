package dev.claimsledger.server.http;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Spring's once-per-request filter, except that the name of the request attribute marking a request as filtered is
 * built once instead of on every request (Spring concatenates the filter's name and a suffix each time, for each
 * filter: 1.6% of what single heartbeats allocated, BENCHMARKS.md). The filter's name is set before its first request.
 */
public abstract class FixedNameRequestFilter extends OncePerRequestFilter {

    private volatile String alreadyFilteredAttributeName;

    @Override
    protected String getAlreadyFilteredAttributeName() {
        String name = alreadyFilteredAttributeName;
        if (name == null) {
            name = super.getAlreadyFilteredAttributeName();
            alreadyFilteredAttributeName = name;
        }
        return name;
    }
}
