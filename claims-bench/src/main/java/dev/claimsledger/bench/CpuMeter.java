package dev.claimsledger.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Who used the machine's CPU during a run, from {@code /proc}: named processes (the server under test, the benchmark's
 * own JVM), the PostgreSQL processes that serve the benchmark's database (its backends and the cluster's shared
 * background processes, not the backends of other databases), child processes whose CPU time was measured when they
 * ended (the load generator), and the machine as a whole, so that what else ran shows as the rest. PostgreSQL's
 * processes are sampled every {@value #SAMPLE_MILLIS} ms, so that a backend that ends before the run does (pgbench's)
 * still counts, up to its last sample.
 */
final class CpuMeter {

    /** A backend's process title: "postgres: [cluster: ]user database host(port) state" (or [local]). */
    private static final Pattern BACKEND =
            Pattern.compile("postgres: (?:\\S+: )?\\S+ (\\S+) (?:\\S+\\(\\d+\\)|\\[local\\])");
    private static final Pattern AUTOVACUUM = Pattern.compile("autovacuum worker (\\S+)");
    static final String BENCH_JVM = "bench JVM";
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final long TICKS_PER_SECOND = ticksPerSecond();
    private static final long SAMPLE_MILLIS = 200;

    /** CPU shares of the whole machine (1.0 = every core busy), by who used them. */
    record Shares(Map<String, Double> byName, double machine) {

        double of(String name) {
            return byName.getOrDefault(name, 0.0);
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("CPU, share of the machine's ").append(CORES).append(" cores: ");
            double named = 0;
            for (Map.Entry<String, Double> entry : byName.entrySet()) {
                text.append(entry.getKey()).append(' ').append(percent(entry.getValue())).append(", ");
                named += entry.getValue();
            }
            return text.append("rest of the machine ").append(percent(Math.max(0, machine - named)))
                    .append(" (machine busy ").append(percent(machine)).append(')').toString();
        }

        private static String percent(double share) {
            return String.format("%.0f%%", share * 100);
        }
    }

    private final String database;
    private final Map<String, Long> pids;
    private final Map<String, Long> startTicks = new HashMap<>();
    private final Map<Long, Long> postgresStartTicks;
    /** The latest ticks seen of every PostgreSQL process that served the database during the run, ended ones too. */
    private final Map<Long, Long> postgresLastTicks = new ConcurrentHashMap<>();
    /** Pids that are not PostgreSQL's, so that a sample reads each of them once. */
    private final Set<Long> notPostgres = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "cpu-meter");
        thread.setDaemon(true);
        return thread;
    });
    private final long[] machineStart;
    private final long startNanos;

    private CpuMeter(String database, Map<String, Long> pids) {
        this.database = database;
        this.pids = pids;
        pids.forEach((name, pid) -> startTicks.put(name, ticks(pid)));
        this.postgresStartTicks = postgresTicks();
        this.machineStart = machineTicks();
        this.startNanos = System.nanoTime();
        sampler.scheduleAtFixedRate(this::samplePostgres, SAMPLE_MILLIS, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Starts measuring the server under test (named as given), this benchmark's JVM and PostgreSQL. */
    static CpuMeter start(String database, String serverName, long serverPid) {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put(serverName, serverPid);
        pids.put(BENCH_JVM, ProcessHandle.current().pid());
        return new CpuMeter(database, pids);
    }

    /** Starts measuring this benchmark's JVM and PostgreSQL. */
    static CpuMeter start(String database) {
        return new CpuMeter(database, Map.of(BENCH_JVM, ProcessHandle.current().pid()));
    }

    /**
     * @param childCpuSeconds CPU seconds of children that ran within the measured time and have ended, by name
     */
    Shares stop(Map<String, Double> childCpuSeconds) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double capacity = seconds * CORES;
        Map<String, Double> shares = new LinkedHashMap<>();
        childCpuSeconds.forEach((name, cpu) -> shares.put(name, cpu / capacity));
        pids.forEach((name, pid) -> shares.put(name,
                (ticks(pid) - startTicks.get(name)) / (double) TICKS_PER_SECOND / capacity));
        sampler.shutdownNow();
        samplePostgres();
        long postgres = 0;
        for (Map.Entry<Long, Long> process : postgresLastTicks.entrySet()) {
            postgres += Math.max(0, process.getValue() - postgresStartTicks.getOrDefault(process.getKey(), 0L));
        }
        shares.put("PostgreSQL", postgres / (double) TICKS_PER_SECOND / capacity);
        long[] machineEnd = machineTicks();
        double machine = (machineEnd[0] - machineStart[0]) / (double) Math.max(1, machineEnd[1] - machineStart[1]);
        return new Shares(shares, machine);
    }

    /** utime + stime of a process in clock ticks, 0 if it is gone. */
    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // fields after the command name, which is in parentheses and may contain spaces
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private void samplePostgres() {
        // a process that is gone reads as 0 ticks: keep the highest seen
        postgresTicks().forEach((pid, ticks) -> postgresLastTicks.merge(pid, ticks, Math::max));
    }

    private Map<Long, Long> postgresTicks() {
        Map<Long, Long> ticks = new HashMap<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.toList()) {
                String name = process.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    long pid = Long.parseLong(name);
                    if (!notPostgres.contains(pid) && servesThisDatabase(pid, process)) {
                        ticks.put(pid, ticks(pid));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return ticks;
    }

    private boolean servesThisDatabase(long pid, Path process) {
        try {
            String stat = Files.readString(process.resolve("stat"));
            if (!stat.contains("(postgres)")) {
                notPostgres.add(pid);
                return false;
            }
            String title = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ').trim();
            Matcher backend = BACKEND.matcher(title);
            if (backend.lookingAt()) {
                return backend.group(1).equals(database);
            }
            Matcher autovacuum = AUTOVACUUM.matcher(title);
            return !autovacuum.find() || autovacuum.group(1).equals(database);
        } catch (IOException e) {
            return false;
        }
    }

    /** The machine's busy and total clock ticks over all cores, from the first line of /proc/stat. */
    private static long[] machineTicks() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(fields.length, 9); i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
            return new long[]{total - idle, total};
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/stat", e);
        }
    }

    private static long ticksPerSecond() {
        try {
            Process getconf = new ProcessBuilder(List.of("getconf", "CLK_TCK")).start();
            String answer = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return getconf.waitFor() == 0 ? Long.parseLong(answer) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
