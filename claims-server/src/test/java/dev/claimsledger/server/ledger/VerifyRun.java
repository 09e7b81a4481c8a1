package dev.claimsledger.server.ledger;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What one run of the {@code verify} command returned and printed. */
record VerifyRun(int exitStatus, String out, String err) {

    private static final Pattern POSITIONS = Pattern.compile("positions (\\d+)\\.\\.(\\d+)");

    static VerifyRun of(String... arguments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = VerifyCommand.run(arguments, outStream, errStream);
        }
        return new VerifyRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    List<String> findings() {
        return out.lines().filter(line -> line.startsWith("NOT INTACT ")).toList();
    }

    /** Whether a finding names the leaf of this position, alone or within a range of positions. */
    boolean namesPosition(long position) {
        return findings().stream().anyMatch(line -> {
            if (line.contains("(position " + position + ")") || line.contains("position " + position + ":")) {
                return true;
            }
            Matcher range = POSITIONS.matcher(line);
            while (range.find()) {
                if (Long.parseLong(range.group(1)) <= position && position <= Long.parseLong(range.group(2))) {
                    return true;
                }
            }
            return false;
        });
    }

    @Override
    public String toString() {
        return "exit " + exitStatus + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
