package dev.claimsledger.server.http;

import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.core.ClaimRejectedException;
import java.util.regex.Pattern;

/**
 * Numbers in paths and query strings, read strictly: plain decimal digits only. Spring's own conversion would take
 * {@code 0x10}, {@code #10} or full-width digits as 16, and an epoch is a fencing token.
 */
public final class PathNumbers {

    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,17}");

    private PathNumbers() {
    }

    public static long epoch(String text) {
        if (text == null || !DECIMAL.matcher(text).matches()) {
            throw invalid("epoch must be a non-negative decimal integer, was '" + shorten(text) + "'");
        }
        return Long.parseLong(text);
    }

    /** A page size: {@code fallback} when absent, else 1 to {@code max}. */
    public static int limit(String text, int fallback, int max) {
        if (text == null) {
            return fallback;
        }
        if (!DECIMAL.matcher(text).matches() || Long.parseLong(text) < 1 || Long.parseLong(text) > max) {
            throw invalid("limit must be a decimal integer from 1 to " + max + ", was '" + shorten(text) + "'");
        }
        return Integer.parseInt(text);
    }

    /** A sequence number to page after: -1 or more. */
    public static long afterSequence(String text) {
        if (text == null) {
            return -1;
        }
        if (text.equals("-1")) {
            return -1;
        }
        if (!DECIMAL.matcher(text).matches()) {
            throw invalid("after_sequence must be -1 or a non-negative decimal integer, was '" + shorten(text) + "'");
        }
        return Long.parseLong(text);
    }

    /** An event store position, as a client sends back the id of the last event it saw: 0 or more. */
    public static long position(String field, String text) {
        if (text == null || !DECIMAL.matcher(text).matches()) {
            throw invalid(field + " must be a non-negative decimal integer, was '" + shorten(text) + "'");
        }
        return Long.parseLong(text);
    }

    private static String shorten(String text) {
        return text == null ? "" : text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    private static ClaimRejectedException invalid(String message) {
        return new ClaimRejectedException(ClaimErrorCode.VALIDATION_FAILED, message);
    }
}
