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
        String[] first = new String[1];
        visit(rawPath, segment -> {
            first[0] = segment;
            return false;
        });
        return first[0];
    }

    /** Hands each segment of {@code rawPath} to {@code visitor}, in order, until it answers false. */
    public static void visit(String rawPath, Predicate<String> visitor) {
        for (int start = 0; start < rawPath.length(); ) {
            int slash = rawPath.indexOf('/', start);
            int end = slash < 0 ? rawPath.length() : slash;
            int matrix = rawPath.indexOf(';', start);
            int segmentEnd = matrix >= 0 && matrix < end ? matrix : end;
            if (segmentEnd > start && !visitor.test(rawPath.substring(start, segmentEnd))) {
                return;
            }
            start = end + 1;
        }
    }
}
