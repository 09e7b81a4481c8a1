package dev.claimsledger.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generator for peak rates: wrk, with {@code claims-bench/wrk/claims.lua} making the requests (a random claim
 * per heartbeat, or a batch of random claims per request). wrk is written in C on an event loop, so on two cores it
 * leaves the CPU to the servers it measures; each run reports its share to show that.
 */
final class Wrk {

    private static final Pattern RESULT = Pattern.compile("WRK requests=(\\d+) duration_us=(\\d+) non2xx=(\\d+) "
            + "socket_errors=(\\d+) failed_items=(\\d+) p50_us=(\\d+) p99_us=(\\d+) max_us=(\\d+)");

    /**
     * @param itemsPerRequest heartbeats per request (1 unless batched)
     * @param failedItems heartbeats answered with an error inside a 200 batch answer
     */
    record Result(long requests, double seconds, long non2xx, long socketErrors, int itemsPerRequest,
                  long failedItems, double p50Ms, double p99Ms, double maxMs, CpuMeter.Shares cpu) {

        double requestsPerSecond() {
            return (requests - non2xx) / seconds;
        }

        /** Heartbeats (or calls) answered with success, per second. */
        double perSecond() {
            return ((requests - non2xx) * itemsPerRequest - failedItems) / seconds;
        }

        String latencies() {
            return String.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms", p50Ms, p99Ms, maxMs);
        }

        String errors() {
            return String.format("non-2xx %d, socket errors %d%s of %d requests", non2xx, socketErrors,
                    itemsPerRequest > 1 ? ", failed heartbeats in 200 answers " + failedItems : "", requests);
        }
    }

    private final Options options;

    Wrk(Options options) {
        this.options = options;
    }

    Result heartbeats(Duration duration, ServerProcess server, String tenant, String apiKey) {
        return run(duration, server, 1, "heartbeat", tenant, Integer.toString(options.claims()), apiKey);
    }

    Result batches(Duration duration, ServerProcess server, String tenant, String apiKey) {
        return run(duration, server, options.batchSize(), "batch", tenant,
                Integer.toString(options.claims()), apiKey, Integer.toString(options.batchSize()));
    }

    Result get(Duration duration, ServerProcess server, String path) {
        return run(duration, server, 1, "get", path);
    }

    private Result run(Duration duration, ServerProcess server, int itemsPerRequest, String... scriptArgs) {
        List<String> command = new ArrayList<>(List.of("wrk", "--threads", Integer.toString(options.wrkThreads()),
                "--connections", Integer.toString(options.clients()), "--duration", duration.toSeconds() + "s",
                "--timeout", "30s", "--script", options.benchDir().resolve(Path.of("wrk", "claims.lua")).toString(),
                server.baseUrl(), "--"));
        command.addAll(List.of(scriptArgs));
        CpuMeter cpu = CpuMeter.start(options.database(), server.name(), server.pid());
        TimedCommand.Finished finished = TimedCommand.run(command, Map.of());
        CpuMeter.Shares shares = cpu.stop(Map.of("wrk", finished.cpuSeconds()));
        Matcher result = RESULT.matcher(finished.output());
        if (!result.find()) {
            throw new IllegalStateException("wrk printed no result:\n" + finished.output());
        }
        return new Result(Long.parseLong(result.group(1)), Long.parseLong(result.group(2)) / 1e6,
                Long.parseLong(result.group(3)), Long.parseLong(result.group(4)), itemsPerRequest,
                Long.parseLong(result.group(5)), Long.parseLong(result.group(6)) / 1000.0,
                Long.parseLong(result.group(7)) / 1000.0, Long.parseLong(result.group(8)) / 1000.0, shares);
    }
}
