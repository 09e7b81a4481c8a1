package dev.claimsledger.api;

import java.time.Instant;

/**
 * A runner's active claims, counted, and how its clock compares with the ledger's. The skew of a claim is the time
 * its worker reported with its last heartbeat minus the ledger's time of receiving it; network delay makes it a little
 * negative even for an exact clock.
 *
 * @param lastHeartbeatAt the latest heartbeat of its active claims, null before any
 * @param skewSamples     how many of its active claims had a reported time on their last heartbeat
 * @param skewMinMs       the smallest skew, null without samples
 * @param skewMaxMs       the largest skew, null without samples
 * @param skewMeanMs      the mean skew, rounded, null without samples
 */
public record RunnerSummary(String runnerId, long activeCount, Instant lastHeartbeatAt, long skewSamples,
                            Long skewMinMs, Long skewMaxMs, Long skewMeanMs) {
}
