package dev.claimsledger.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the benchmark prints: a line per finding as it goes, and at the end one table of the figures the goal
 * names, each beside its goal.
 */
final class Report {

    private record Row(String figure, String measured, String goal, Boolean met) {
    }

    private final List<Row> rows = new ArrayList<>();

    /** A figure for the final table; {@code met} is null where the figure has no goal of its own. */
    void add(String figure, String measured, String goal, Boolean met) {
        rows.add(new Row(figure, measured, goal, met));
    }

    void add(String figure, String measured) {
        add(figure, measured, "", null);
    }

    void printSummary() {
        if (rows.isEmpty()) {
            return;
        }
        int figureWidth = rows.stream().mapToInt(row -> row.figure().length()).max().orElse(0);
        int measuredWidth = rows.stream().mapToInt(row -> row.measured().length()).max().orElse(0);
        say("");
        say("SUMMARY");
        for (Row row : rows) {
            String verdict = row.met() == null ? "" : row.met() ? "  met" : "  MISSED";
            say("  %-" + figureWidth + "s  %-" + measuredWidth + "s  %s%s", row.figure(), row.measured(),
                    row.goal(), verdict);
        }
    }

    /** A duration as people write it: "30 s", "3 min". */
    static String human(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds % 60 == 0 && seconds >= 120 ? seconds / 60 + " min" : seconds + " s";
    }

    static void say(String format, Object... arguments) {
        System.out.println(String.format(format, arguments));
        System.out.flush();
    }
}
