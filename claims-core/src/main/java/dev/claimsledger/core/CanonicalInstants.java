package dev.claimsledger.core;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import org.axonframework.common.DateTimeUtils;

/**
 * Writes and reads instants in the ledger's text forms without java.time's formatter, which allocated a fifth of the
 * ledger's memory under single heartbeats (BENCHMARKS.md). Each method gives exactly what the formatter it replaces
 * gives, and hands years before 0000 or after 9999 to that formatter.
 */
public final class CanonicalInstants {

    private static final long SECONDS_PER_DAY = 86_400;
    /** 0000-01-01T00:00:00Z and the first second after 9999-12-31T23:59:59Z. */
    private static final long FIRST_SECOND = -62_167_219_200L;
    private static final long END_SECOND = 253_402_300_800L;
    private static final int[] NANOS_PER_DIGIT = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100,
            10, 1};

    private CanonicalInstants() {
    }

    /** ISO-8601 in UTC with 0, 3, 6 or 9 digits of fraction: what {@link Instant#toString()} gives. */
    public static String iso(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < FIRST_SECOND || seconds >= END_SECOND) {
            return instant.toString();
        }
        int nanos = instant.getNano();
        int digits = nanos == 0 ? 0 : nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
        return write(seconds, nanos, digits);
    }

    /**
     * ISO-8601 in UTC with exactly 3 digits of fraction, the nanoseconds below a millisecond dropped: what Axon's
     * {@link DateTimeUtils#formatInstant} gives, and its event store writes in the timestamp column.
     */
    public static String millis(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < FIRST_SECOND || seconds >= END_SECOND) {
            return DateTimeUtils.formatInstant(instant);
        }
        return write(seconds, instant.getNano(), 3);
    }

    /**
     * The instant {@code text} names in ISO-8601 in UTC with 0 to 9 digits of fraction
     * ({@code 2026-12-03T07:03:18.123456Z}), or null when it is in any other form.
     */
    public static Instant parse(String text) {
        int length = text.length();
        if (length < 20 || length == 21 || length > 30 || text.charAt(4) != '-' || text.charAt(7) != '-'
                || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':'
                || text.charAt(length - 1) != 'Z' || (length > 20 && text.charAt(19) != '.')) {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59) {
            return null;
        }
        int nanos = 0;
        for (int index = 20; index < length - 1; index++) {
            int digit = text.charAt(index) - '0';
            if (digit < 0 || digit > 9) {
                return null;
            }
            nanos += digit * NANOS_PER_DIGIT[index - 20];
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null;
        }
        return Instant.ofEpochSecond(epochDay * SECONDS_PER_DAY + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss}, a fraction of {@code digits} digits unless 0, and {@code Z}. */
    private static String write(long seconds, int nanos, int digits) {
        long epochDay = Math.floorDiv(seconds, SECONDS_PER_DAY);
        int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
        // the civil date of a day count (Howard Hinnant's days_from_civil, inverted), in eras of 400 years from March
        long days = epochDay + 719_468;
        long era = Math.floorDiv(days, 146_097);
        int dayOfEra = (int) (days - era * 146_097);
        int yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        int shiftedMonth = (5 * dayOfYear + 2) / 153;
        int day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
        int month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
        int year = (int) (yearOfEra + era * 400) + (month <= 2 ? 1 : 0);

        byte[] text = new byte[digits == 0 ? 20 : 21 + digits];
        put(text, 0, year, 4);
        text[4] = '-';
        put(text, 5, month, 2);
        text[7] = '-';
        put(text, 8, day, 2);
        text[10] = 'T';
        put(text, 11, secondOfDay / 3_600, 2);
        text[13] = ':';
        put(text, 14, secondOfDay / 60 % 60, 2);
        text[16] = ':';
        put(text, 17, secondOfDay % 60, 2);
        if (digits > 0) {
            text[19] = '.';
            put(text, 20, nanos / NANOS_PER_DIGIT[digits - 1], digits);
        }
        text[text.length - 1] = 'Z';
        return new String(text, StandardCharsets.ISO_8859_1);
    }

    /** {@code value} as {@code count} decimal digits, zero-padded, at {@code from}. */
    private static void put(byte[] text, int from, int value, int count) {
        for (int index = from + count - 1; index >= from; index--) {
            text[index] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /** The decimal number of {@code count} digits at {@code from}, or -1 when one of them is not a digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int index = from; index < from + count; index++) {
            int digit = text.charAt(index) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
