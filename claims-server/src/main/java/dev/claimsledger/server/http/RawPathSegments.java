package dev.claimsledger.server.http;

import java.util.function.Predicate;

/**
 * The segments of a request's raw path as Spring MVC routes them: split at {@code /}, matrix parameters
 * ({@code ;x=1}) dropped, empty ones left out, still percent-encoded. Walked with {@code indexOf} rather than split,
 * as the filters ask this of every request.
 */
public final class RawPathSegments {

    private RawPathSegments() {
    }

    /** The first segment of {@code rawPath}, or null when it has none. */
    public static String first(String rawPath) {
        return visit(rawPath, segment -> false);
    }

    /**
     * Hands each segment of {@code rawPath} to {@code visitor}, in order, until it answers false.
     *
     * @return the segment it answered false to, or null when it never did
     */
    public static String visit(String rawPath, Predicate<String> visitor) {
        for (int start = 0; start < rawPath.length(); ) {
            int slash = rawPath.indexOf('/', start);
            int end = slash < 0 ? rawPath.length() : slash;
            int matrix = rawPath.indexOf(';', start);
            int segmentEnd = matrix >= 0 && matrix < end ? matrix : end;
            if (segmentEnd > start) {
                String segment = rawPath.substring(start, segmentEnd);
                if (!visitor.test(segment)) {
                    return segment;
                }
            }
            start = end + 1;
        }
        return null;
    }
}
