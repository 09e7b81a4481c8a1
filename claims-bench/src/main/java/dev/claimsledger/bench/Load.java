package dev.claimsledger.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs an operation from several client threads for a fixed time, optionally at a fixed total rate, and records each
 * call's latency and whether it succeeded.
 */
final class Load {

    /** One call; answers whether it succeeded. */
    interface Operation {
        boolean call(int client, long iteration) throws Exception;
    }

    record Result(long calls, long errors, Duration elapsed, Histogram latencyMicros) {

        double perSecond() {
            return (calls - errors) / (elapsed.toNanos() / 1e9);
        }

        String latencies() {
            return String.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                    latencyMicros.getValueAtPercentile(50) / 1000.0,
                    latencyMicros.getValueAtPercentile(99) / 1000.0,
                    latencyMicros.getMaxValue() / 1000.0);
        }
    }

    private Load() {
    }

    /** Thrown by an operation to end its client's run early, e.g. when a fixed amount of work is done. */
    static final class Stop extends RuntimeException {
    }

    /**
     * @param totalRate calls per second over all clients, or 0 for as fast as they go
     */
    static Result run(int clients, Duration duration, double totalRate, Operation operation) {
        Recorder recorder = new Recorder(3);
        AtomicLong calls = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long intervalNanos = totalRate <= 0 ? 0 : (long) (clients * 1e9 / totalRate);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread thread = new Thread(() -> {
                long next = System.nanoTime() + (intervalNanos == 0 ? 0 : intervalNanos * client / clients);
                for (long i = 0; System.nanoTime() < end; i++) {
                    if (intervalNanos > 0) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        next += intervalNanos;
                    }
                    long t0 = System.nanoTime();
                    boolean ok;
                    try {
                        ok = operation.call(client, i);
                    } catch (Stop stop) {
                        break;
                    } catch (Exception e) {
                        ok = false;
                    }
                    // with a fixed rate, latency counts from when the call was due (no coordinated omission)
                    long from = intervalNanos > 0 ? Math.min(t0, next - intervalNanos) : t0;
                    recorder.recordValue(Math.max(1, (System.nanoTime() - from) / 1000));
                    calls.incrementAndGet();
                    if (!ok) {
                        errors.incrementAndGet();
                    }
                }
            }, "bench-client-" + c);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new Result(calls.get(), errors.get(), Duration.ofNanos(System.nanoTime() - start),
                recorder.getIntervalHistogram());
    }
}
