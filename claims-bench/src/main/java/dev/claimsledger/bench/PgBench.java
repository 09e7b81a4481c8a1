package dev.claimsledger.bench;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The floor of the replaced design: {@code claims-bench/pgbench/heartbeat.sql}, its heartbeat UPDATE as a prepared
 * statement from pgbench, with the benchmark's clients as connections and a random claim per transaction.
 */
final class PgBench {

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");
    private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");

    record Result(double tps, long failed, double latencyAverageMs, CpuMeter.Shares cpu) {
    }

    private PgBench() {
    }

    static Result run(Options options, String tenant, Duration duration) {
        URI server = URI.create(options.jdbcUrl().substring("jdbc:".length()));
        List<String> command = List.of("pgbench", "--no-vacuum", "--protocol=prepared",
                "--client=" + options.clients(), "--jobs=" + options.wrkThreads(), "--time=" + duration.toSeconds(),
                "--define=claims=" + options.claims(), "--define=tenant=" + tenant,
                "--file=" + options.benchDir().resolve("pgbench/heartbeat.sql"), "--host=" + server.getHost(),
                "--port=" + (server.getPort() > 0 ? server.getPort() : 5432), "--username=" + options.jdbcUser(),
                options.database());
        CpuMeter cpu = CpuMeter.start(options.database());
        TimedCommand.Finished finished = TimedCommand.run(command, Map.of("PGPASSWORD", options.jdbcPassword()));
        CpuMeter.Shares shares = cpu.stop(Map.of("pgbench", finished.cpuSeconds()));
        return new Result(number(TPS, finished.output()), (long) number(FAILED, finished.output()),
                number(LATENCY, finished.output()), shares);
    }

    private static double number(Pattern pattern, String output) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("pgbench printed no " + pattern + ":\n" + output);
        }
        return Double.parseDouble(matcher.group(1));
    }
}
