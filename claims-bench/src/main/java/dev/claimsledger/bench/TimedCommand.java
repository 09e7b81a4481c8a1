package dev.claimsledger.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a load generator (wrk, pgbench) to its end under bash's {@code time}, which reports the user and system CPU
 * time the child used from the kernel's own accounting, so its share of the machine is exact.
 */
final class TimedCommand {

    private static final Pattern CPU = Pattern.compile("^timed-cpu ([0-9.]+) ([0-9.]+)$", Pattern.MULTILINE);

    /** Its standard output and error, merged, and the CPU seconds it used. */
    record Finished(String output, double cpuSeconds) {
    }

    private TimedCommand() {
    }

    static Finished run(List<String> command, Map<String, String> environment) {
        List<String> timed = new ArrayList<>(
                List.of("bash", "-c", "TIMEFORMAT='timed-cpu %U %S'; time \"$@\"", "bash"));
        timed.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(timed).redirectErrorStream(true);
        builder.environment().put("LC_ALL", "C");
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            Matcher cpu = CPU.matcher(output);
            if (exit != 0 || !cpu.find()) {
                throw new IllegalStateException(command.get(0) + " failed (exit " + exit + "):\n" + output);
            }
            return new Finished(output, Double.parseDouble(cpu.group(1)) + Double.parseDouble(cpu.group(2)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }
}
