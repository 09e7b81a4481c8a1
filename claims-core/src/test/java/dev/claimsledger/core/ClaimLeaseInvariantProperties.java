package dev.claimsledger.core;

import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimCommandResult;
import dev.claimsledger.api.ClaimError;
import dev.claimsledger.api.ClaimEvent;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.api.ReleaseClaim;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.axonframework.commandhandling.CommandExecutionException;

/**
 * Random command sequences for one consumer, run against the real {@link Claim} aggregate on Axon (see
 * {@link ClaimHarness}), with the lease invariants checked over the whole event stream after every step.
 *
 * <p>The numbered invariants:
 * <ol>
 *     <li>every event carries a lease end, and a claim's lease ends after it was made;</li>
 *     <li>within an epoch no event moves the lease end earlier;</li>
 *     <li>an epoch ends at most once, and nothing of it follows its end;</li>
 *     <li>an expiry is never recorded before the lease end;</li>
 *     <li>epochs never go back, and a supersession is immediately followed by the superseding claim;</li>
 *     <li>a rejected command appends nothing and carries an error code;</li>
 *     <li>an active claim's lease is always in the future: every lapsed lease was expired by its deadline;</li>
 *     <li>a heartbeat leaves a FIXED lease alone and moves a RENEW_ON_HEARTBEAT lease to max(lease, now + ttl);</li>
 *     <li>the worker's reportedAt never influences the lease: a twin consumer that receives every command without
 *     reportedAt ends up with the same leases and outcomes;</li>
 *     <li>every event's chain hash is the one recomputed from the stored events before it.</li>
 * </ol>
 * On top of these, each outcome is compared with a small reference expectation where the answer is unambiguous.
 */
class ClaimLeaseInvariantProperties {

    private static final String TENANT = "tenant-a";
    private static final String CONSUMER = "consumer-1";
    /** Receives every command the consumer receives, but without the worker's reportedAt. */
    private static final String TWIN = "consumer-1-twin";
    private static final long MIN_TTL_MS = LeaseLimits.DEFAULT.minTtl().toMillis();
    private static final long MAX_TTL_MS = LeaseLimits.DEFAULT.maxTtl().toMillis();

    @Property(tries = 200)
    void leasesNeverShrinkAndEveryLapsedLeaseIsExpiredWhateverTheCommandSequence(
            @ForAll("commandSequences") List<Step> steps) {
        try (ClaimHarness ledger = new ClaimHarness()) {
            Run run = new Run(ledger);
            for (Step step : steps) {
                run.perform(step);
            }
            run.collectCoverage();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The generated steps. Epochs are drawn relative to the consumer's current epoch when the step runs, so that
    // shrinking keeps their meaning ("a lower epoch", "the same epoch with different data").

    sealed interface Step permits Materialize, Heartbeat, Release, ClockStep, Malformed {
    }

    /** Before the first claim, every pick makes that first claim, at epoch {@code distance - 1}. */
    enum EpochPick { LOWER, EQUAL_SAME, EQUAL_DIFFERENT, HIGHER }

    enum Target { CURRENT, LOWER, HIGHER }

    enum ReportedAt { ABSENT, NEAR_NOW, FAR_FUTURE, END_OF_TIME, FAR_PAST }

    enum Malformation {
        TTL_TOO_SHORT, TTL_TOO_LONG, BLANK_ENTITY_URL, CONTROL_CHARACTER_IN_RUNNER_ID, HEARTBEAT_NEGATIVE_EPOCH,
        RELEASE_BLANK_ACK_OFFSET
    }

    /** @param variant picks the data of a new claim, and which field differs for {@code EQUAL_DIFFERENT} */
    record Materialize(EpochPick epoch, int distance, LeasePolicy policy, long ttlMs, int variant) implements Step {
    }

    record Heartbeat(Target epoch, int distance, ReportedAt reportedAt, long reportedOffsetMs) implements Step {
    }

    record Release(Target epoch, int distance, int ackedStreams) implements Step {
    }

    record ClockStep(long millis) implements Step {
    }

    /** A command of the wrong shape, at an epoch where a well-formed one would be accepted. */
    record Malformed(Malformation kind, long ttlMs) implements Step {
    }

    @Provide
    Arbitrary<List<Step>> commandSequences() {
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(3, materializations()),
                Tuple.of(6, heartbeats()),
                Tuple.of(1, releases()),
                Tuple.of(6, clockSteps()),
                Tuple.of(1, malformedCommands()));
        // uniform sizes: jqwik's default favours short lists, and leases need a few steps to be renewed and outrun
        return step.list().ofMinSize(1).ofMaxSize(40).withSizeDistribution(RandomDistribution.uniform());
    }

    private Arbitrary<Step> materializations() {
        Arbitrary<EpochPick> pick = Arbitraries.frequency(
                Tuple.of(1, EpochPick.LOWER), Tuple.of(1, EpochPick.EQUAL_SAME),
                Tuple.of(1, EpochPick.EQUAL_DIFFERENT), Tuple.of(2, EpochPick.HIGHER));
        Arbitrary<LeasePolicy> policy = Arbitraries.of(LeasePolicy.class).injectNull(0.15);
        // short leases too, so that clock steps both renew-and-keep and outrun them
        Arbitrary<Long> ttl = Arbitraries.oneOf(Arbitraries.longs().between(MIN_TTL_MS, 5_000),
                Arbitraries.longs().between(MIN_TTL_MS, 60_000), Arbitraries.longs().between(MIN_TTL_MS, MAX_TTL_MS));
        return Combinators.combine(pick, Arbitraries.integers().between(1, 3), policy, ttl,
                Arbitraries.integers().between(0, 5)).as(Materialize::new);
    }

    private Arbitrary<Step> heartbeats() {
        Arbitrary<Target> target = Arbitraries.frequency(
                Tuple.of(6, Target.CURRENT), Tuple.of(1, Target.LOWER), Tuple.of(1, Target.HIGHER));
        return Combinators.combine(target, Arbitraries.integers().between(1, 3), Arbitraries.of(ReportedAt.class),
                Arbitraries.longs().between(-3_600_000, 3_600_000)).as(Heartbeat::new);
    }

    private Arbitrary<Step> releases() {
        Arbitrary<Target> target = Arbitraries.frequency(
                Tuple.of(4, Target.CURRENT), Tuple.of(1, Target.LOWER), Tuple.of(1, Target.HIGHER));
        return Combinators.combine(target, Arbitraries.integers().between(1, 3), Arbitraries.integers().between(0, 2))
                .as(Release::new);
    }

    private Arbitrary<Step> clockSteps() {
        return Arbitraries.oneOf(Arbitraries.longs().between(1, 2_000), Arbitraries.longs().between(1, 60_000),
                Arbitraries.longs().between(1, 900_000)).map(ClockStep::new);
    }

    private Arbitrary<Step> malformedCommands() {
        Arbitrary<Long> ttl = Arbitraries.longs().between(MIN_TTL_MS, MAX_TTL_MS);
        return Combinators.combine(Arbitraries.of(Malformation.class), ttl).as(Malformed::new);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // One run: performs the steps against the ledger and checks everything after each.

    private static final class Run {

        private final ClaimHarness ledger;
        private final String streamId = ConsumerRef.streamId(TENANT, CONSUMER);
        private final String twinStreamId = ConsumerRef.streamId(TENANT, TWIN);
        private final List<String> history = new ArrayList<>();
        private List<Object> stream = List.of();

        Run(ClaimHarness ledger) {
            this.ledger = ledger;
        }

        void perform(Step step) {
            List<Object> before = ledger.events(streamId);
            StreamView view = StreamView.of(before);
            Instant now = ledger.now();
            if (step instanceof ClockStep clockStep) {
                ledger.advance(Duration.ofMillis(clockStep.millis()));
                stream = ledger.events(streamId);
                history.add("[" + now + "] " + step + " -> now " + ledger.now() + ", appended "
                        + stream.subList(before.size(), stream.size()));
                checkInvariants();
                checkClockStep(view, before.size(), now);
                Statistics.label("steps").collect("clock step");
            } else {
                Object command = commandFor(step, view, now);
                ClaimHarness.Outcome outcome = ledger.send(command);
                ClaimHarness.Outcome twinOutcome = ledger.send(forTwin(command));
                stream = ledger.events(streamId);
                List<Object> appended = stream.subList(before.size(), stream.size());
                history.add("[" + now + "] " + step + "\n      sent " + command + "\n      -> "
                        + describe(outcome) + ", appended " + appended);
                checkRejection(outcome, appended);
                checkInvariants();
                checkTwinOutcome(outcome, twinOutcome);
                checkOutcome(command, step, outcome, appended, view, now);
                Statistics.label("steps").collect(step.getClass().getSimpleName() + " -> " + describeCode(outcome));
            }
        }

        /**
         * The numbered invariants, before the reference expectation, so that a failure names the deepest rule it
         * breaks; the twin first, so that a lease moved by reportedAt is reported as that rather than as a wrong
         * renewal.
         */
        private void checkInvariants() {
            checkTwinLeases();
            checkStream(stream);
            checkLiveness(ledger.now());
            long chainBreak = ledger.firstChainBreak(streamId);
            require(chainBreak < 0, "10", "the hash chain breaks at sequence " + chainBreak);
        }

        /** Which paths the run took, so that the statistics show the generator reaches them. */
        void collectCoverage() {
            Map<Long, Instant> claimedLease = new HashMap<>();
            for (Object event : stream) {
                if (event instanceof ClaimMaterialized m) {
                    claimedLease.put(m.epoch(), m.leaseExpiresAt());
                }
                String path = event.getClass().getSimpleName();
                if (event instanceof HeartbeatReceived h) {
                    path += h.leaseExpiresAt().isAfter(claimedLease.get(h.epoch())) ? " (renewed)" : " (lease kept)";
                } else if (event instanceof ClaimLeaseExpired x) {
                    path += x.leaseExpiresAt().isAfter(claimedLease.get(x.epoch()))
                            ? " (after renewals: the watchdog re-armed)" : " (at the claimed end)";
                }
                Statistics.label("events").collect(path);
            }
        }

        // ----- building commands -----

        private Object commandFor(Step step, StreamView view, Instant now) {
            if (step instanceof Materialize m) {
                return materialize(m, view);
            }
            if (step instanceof Heartbeat h) {
                return new RecordHeartbeat(TENANT, CONSUMER, epoch(h.epoch(), h.distance(), view),
                        reportedAt(h, now));
            }
            if (step instanceof Release r) {
                List<AckedStream> acked = IntStream.range(0, r.ackedStreams())
                        .mapToObj(i -> new AckedStream("/streams/" + i, "offset-" + i)).toList();
                return new ReleaseClaim(TENANT, CONSUMER, epoch(r.epoch(), r.distance(), view), acked);
            }
            return malformed((Malformed) step, view);
        }

        private static MaterializeClaim materialize(Materialize m, StreamView view) {
            if (!view.exists() || m.epoch() == EpochPick.HIGHER || m.epoch() == EpochPick.LOWER) {
                long epoch = !view.exists() ? m.distance() - 1
                        : m.epoch() == EpochPick.HIGHER ? view.epoch() + m.distance() : view.epoch() - m.distance();
                int v = m.variant();
                return new MaterializeClaim(TENANT, CONSUMER, epoch, "https://entities.example/e/" + v,
                        "/streams/s-" + v, v % 2 == 0 ? null : "wake-" + v, v % 3 == 0 ? null : "runner-" + v,
                        m.ttlMs(), m.policy());
            }
            MaterializeClaim same = view.asCommand();
            if (m.epoch() == EpochPick.EQUAL_SAME) {
                // an absent policy means the default: a repeat that leaves it out is still the same claim
                boolean omitDefaultPolicy = m.variant() % 2 == 1 && same.leasePolicy() == LeasePolicy.DEFAULT;
                return omitDefaultPolicy ? withPolicy(same, null) : same;
            }
            return switch (m.variant()) {
                case 0 -> new MaterializeClaim(TENANT, CONSUMER, same.epoch(), same.entityUrl() + "-other",
                        same.streamPath(), same.wakeId(), same.runnerId(), same.leaseTtlMs(), same.leasePolicy());
                case 1 -> new MaterializeClaim(TENANT, CONSUMER, same.epoch(), same.entityUrl(),
                        same.streamPath() + "-other", same.wakeId(), same.runnerId(), same.leaseTtlMs(),
                        same.leasePolicy());
                case 2 -> new MaterializeClaim(TENANT, CONSUMER, same.epoch(), same.entityUrl(), same.streamPath(),
                        same.wakeId() == null ? "wake-other" : null, same.runnerId(), same.leaseTtlMs(),
                        same.leasePolicy());
                case 3 -> new MaterializeClaim(TENANT, CONSUMER, same.epoch(), same.entityUrl(), same.streamPath(),
                        same.wakeId(), same.runnerId() == null ? "runner-other" : same.runnerId() + "-other",
                        same.leaseTtlMs(), same.leasePolicy());
                case 4 -> new MaterializeClaim(TENANT, CONSUMER, same.epoch(), same.entityUrl(), same.streamPath(),
                        same.wakeId(), same.runnerId(),
                        same.leaseTtlMs() == MAX_TTL_MS ? MAX_TTL_MS - 1 : same.leaseTtlMs() + 1, same.leasePolicy());
                default -> withPolicy(same, same.leasePolicy() == LeasePolicy.FIXED
                        ? LeasePolicy.RENEW_ON_HEARTBEAT : LeasePolicy.FIXED);
            };
        }

        private static MaterializeClaim withPolicy(MaterializeClaim c, LeasePolicy policy) {
            return new MaterializeClaim(c.tenantId(), c.consumerId(), c.epoch(), c.entityUrl(), c.streamPath(),
                    c.wakeId(), c.runnerId(), c.leaseTtlMs(), policy);
        }

        private static Object malformed(Malformed m, StreamView view) {
            long next = view.exists() ? view.epoch() + 1 : 0;
            long current = view.exists() ? view.epoch() : 0;
            return switch (m.kind()) {
                case TTL_TOO_SHORT -> new MaterializeClaim(TENANT, CONSUMER, next, "https://entities.example/e/x",
                        "/streams/x", null, null, m.ttlMs() % MIN_TTL_MS, null);
                case TTL_TOO_LONG -> new MaterializeClaim(TENANT, CONSUMER, next, "https://entities.example/e/x",
                        "/streams/x", null, null, MAX_TTL_MS + m.ttlMs(), null);
                case BLANK_ENTITY_URL -> new MaterializeClaim(TENANT, CONSUMER, next, " ", "/streams/x", null, null,
                        m.ttlMs(), null);
                case CONTROL_CHARACTER_IN_RUNNER_ID -> new MaterializeClaim(TENANT, CONSUMER, next,
                        "https://entities.example/e/x", "/streams/x", null, "runner\n1", m.ttlMs(), null);
                case HEARTBEAT_NEGATIVE_EPOCH -> new RecordHeartbeat(TENANT, CONSUMER, -1, null);
                case RELEASE_BLANK_ACK_OFFSET -> new ReleaseClaim(TENANT, CONSUMER, current,
                        List.of(new AckedStream("/streams/x", "")));
            };
        }

        private static long epoch(Target target, int distance, StreamView view) {
            if (!view.exists()) {
                return distance - 1L;
            }
            return switch (target) {
                case CURRENT -> view.epoch();
                case LOWER -> view.epoch() - distance;
                case HIGHER -> view.epoch() + distance;
            };
        }

        private static Instant reportedAt(Heartbeat h, Instant now) {
            return switch (h.reportedAt()) {
                case ABSENT -> null;
                case NEAR_NOW -> now.plusMillis(h.reportedOffsetMs());
                case FAR_FUTURE -> Instant.parse("9999-12-31T23:59:59.999Z");
                case END_OF_TIME -> Instant.MAX;
                case FAR_PAST -> Instant.EPOCH;
            };
        }

        private static Object forTwin(Object command) {
            if (command instanceof MaterializeClaim c) {
                return new MaterializeClaim(c.tenantId(), TWIN, c.epoch(), c.entityUrl(), c.streamPath(), c.wakeId(),
                        c.runnerId(), c.leaseTtlMs(), c.leasePolicy());
            }
            if (command instanceof RecordHeartbeat c) {
                return new RecordHeartbeat(c.tenantId(), TWIN, c.epoch(), null);
            }
            ReleaseClaim c = (ReleaseClaim) command;
            return new ReleaseClaim(c.tenantId(), TWIN, c.epoch(), c.ackedStreams());
        }

        // ----- invariant 6 and the reference expectation -----

        private void checkRejection(ClaimHarness.Outcome outcome, List<Object> appended) {
            if (!outcome.accepted()) {
                ClaimError error = outcome.error();
                require(outcome.failure() instanceof CommandExecutionException && error != null && error.code() != null,
                        "6: a rejected command carries a ClaimError code",
                        "rejected without a code: " + outcome.failure());
                require(appended.isEmpty(), "6: a rejected command appends no event",
                        "rejected with " + error.code() + " but appended " + appended);
            }
        }

        private void checkOutcome(Object command, Step step, ClaimHarness.Outcome outcome, List<Object> appended,
                                  StreamView view, Instant now) {
            Expected expected = expect(command, step, view, now);
            if (!outcome.accepted()) {
                ClaimError error = outcome.error();
                require(expected.rejectedWith().contains(error.code()),
                        "reference: " + expected.reason(),
                        "expected " + expected.describe() + " but was rejected with " + error.code().code()
                                + " (" + error.message() + ")");
                return;
            }
            ClaimCommandResult result = outcome.result();
            require(expected.rejectedWith().isEmpty(), "reference: " + expected.reason(),
                    "expected " + expected.describe() + " but the command was accepted, appending " + appended);
            require(result != null && result.appended() == !appended.isEmpty(),
                    "a result says whether the command appended", "result " + result + " for appended " + appended);
            List<Class<?>> appendedTypes = appended.stream().<Class<?>>map(Object::getClass).toList();
            require(appendedTypes.equals(expected.events()), "reference: " + expected.reason(),
                    "expected the events " + names(expected.events()) + " but " + names(appendedTypes)
                            + " were appended");
            StreamView after = StreamView.of(stream);
            require(result.claim().epoch() == after.epoch()
                            && result.claim().leaseExpiresAt().equals(after.leaseEnd())
                            && result.claim().status() == after.status(),
                    "a caller sees its own write", "result " + result.claim() + " but the stream says epoch "
                            + after.epoch() + ", " + after.status() + ", lease until " + after.leaseEnd());
            for (Object event : appended) {
                checkAppendedEvent(command, event, view, now);
            }
        }

        private static Expected expect(Object command, Step step, StreamView view, Instant now) {
            if (step instanceof Malformed) {
                return Expected.rejected("a malformed command is validation_failed", ClaimErrorCode.VALIDATION_FAILED);
            }
            long epoch = command instanceof MaterializeClaim m ? m.epoch()
                    : command instanceof RecordHeartbeat h ? h.epoch() : ((ReleaseClaim) command).epoch();
            if (epoch < 0) {
                return Expected.rejected("a negative epoch is validation_failed", ClaimErrorCode.VALIDATION_FAILED);
            }
            if (command instanceof MaterializeClaim m) {
                if (!view.exists()) {
                    return Expected.accepted("the first claim is made", ClaimMaterialized.class);
                }
                if (epoch < view.epoch()) {
                    return Expected.rejected("a lower epoch is stale", ClaimErrorCode.STALE_EPOCH);
                }
                if (epoch == view.epoch()) {
                    return sameTerms(m, view.asCommand())
                            ? Expected.accepted("an identical repeat of the current claim appends nothing")
                            : Expected.rejected("the current epoch with different data conflicts",
                            ClaimErrorCode.CONFLICT);
                }
                return view.status() == ClaimStatus.ACTIVE
                        ? Expected.accepted("a higher epoch supersedes the active claim", ClaimSuperseded.class,
                        ClaimMaterialized.class)
                        : Expected.accepted("a higher epoch is claimed after an ended one", ClaimMaterialized.class);
            }
            if (!view.exists() || epoch > view.epoch()) {
                return Expected.rejected("an epoch never claimed is not found", ClaimErrorCode.CLAIM_NOT_FOUND);
            }
            if (epoch < view.epoch()) {
                return Expected.rejected("a lower epoch is stale", ClaimErrorCode.STALE_EPOCH);
            }
            boolean lapsed = !now.isBefore(view.leaseEnd());
            if (command instanceof RecordHeartbeat) {
                return switch (view.status()) {
                    case ACTIVE -> lapsed
                            ? Expected.rejected("a lapsed lease takes no heartbeat", ClaimErrorCode.CLAIM_EXPIRED)
                            : Expected.accepted("the current epoch's unlapsed lease takes a heartbeat",
                            HeartbeatReceived.class);
                    case RELEASED, SUPERSEDED -> Expected.rejected("an ended claim takes no heartbeat",
                            ClaimErrorCode.CLAIM_NOT_ACTIVE);
                    case EXPIRED -> Expected.rejected("an expired claim takes no heartbeat",
                            ClaimErrorCode.CLAIM_NOT_ACTIVE, ClaimErrorCode.CLAIM_EXPIRED);
                };
            }
            return switch (view.status()) {
                case ACTIVE -> lapsed
                        ? Expected.rejected("a lapsed lease cannot be released", ClaimErrorCode.CLAIM_EXPIRED)
                        : Expected.accepted("the current epoch's unlapsed claim is released", ClaimReleased.class);
                case RELEASED -> Expected.accepted("releasing a released claim again appends nothing");
                case SUPERSEDED -> Expected.rejected("a superseded claim cannot be released",
                        ClaimErrorCode.CLAIM_NOT_ACTIVE);
                case EXPIRED -> Expected.rejected("an expired claim cannot be released",
                        ClaimErrorCode.CLAIM_EXPIRED, ClaimErrorCode.CLAIM_NOT_ACTIVE);
            };
        }

        private static boolean sameTerms(MaterializeClaim a, MaterializeClaim b) {
            return Objects.equals(a.entityUrl(), b.entityUrl()) && Objects.equals(a.streamPath(), b.streamPath())
                    && Objects.equals(a.wakeId(), b.wakeId()) && Objects.equals(a.runnerId(), b.runnerId())
                    && a.leaseTtlMs() == b.leaseTtlMs()
                    && LeasePolicy.orDefault(a.leasePolicy()) == LeasePolicy.orDefault(b.leasePolicy());
        }

        /** What each appended event must say, given the command and the ledger's time. */
        private void checkAppendedEvent(Object command, Object event, StreamView view, Instant now) {
            String rule = "reference: an appended event states the command at ledger time";
            if (event instanceof ClaimMaterialized e) {
                MaterializeClaim c = (MaterializeClaim) command;
                require(e.epoch() == c.epoch() && e.claimedAt().equals(now)
                                && e.leaseExpiresAt().equals(now.plusMillis(c.leaseTtlMs()))
                                && e.leaseTtlMs() == c.leaseTtlMs()
                                && e.leasePolicy() == LeasePolicy.orDefault(c.leasePolicy())
                                && Objects.equals(e.entityUrl(), c.entityUrl())
                                && Objects.equals(e.streamPath(), c.streamPath())
                                && Objects.equals(e.wakeId(), c.wakeId()) && Objects.equals(e.runnerId(), c.runnerId()),
                        rule, e + " for " + c + " at " + now);
            } else if (event instanceof ClaimSuperseded e) {
                require(e.epoch() == view.epoch() && e.supersededByEpoch() == ((MaterializeClaim) command).epoch()
                                && e.supersededAt().equals(now) && e.leaseExpiresAt().equals(view.leaseEnd()),
                        rule, e + " for " + command + " at " + now + " over a lease until " + view.leaseEnd());
            } else if (event instanceof HeartbeatReceived e) {
                RecordHeartbeat c = (RecordHeartbeat) command;
                require(e.epoch() == c.epoch() && e.receivedAt().equals(now)
                                && Objects.equals(e.reportedAt(), c.reportedAt()),
                        rule, e + " for " + c + " at " + now);
            } else if (event instanceof ClaimReleased e) {
                ReleaseClaim c = (ReleaseClaim) command;
                require(e.epoch() == c.epoch() && e.releasedAt().equals(now)
                                && e.ackedStreams().equals(c.ackedStreams())
                                && e.leaseExpiresAt().equals(view.leaseEnd()),
                        rule, e + " for " + c + " at " + now + " over a lease until " + view.leaseEnd());
            }
        }

        private void checkClockStep(StreamView before, int countBefore, Instant from) {
            List<Object> appended = stream.subList(countBefore, stream.size());
            boolean due = before.exists() && before.status() == ClaimStatus.ACTIVE
                    && !before.leaseEnd().isAfter(ledger.now());
            if (!due) {
                require(appended.isEmpty(), "reference: time passing appends nothing unless a lease runs out",
                        "the clock moved from " + from + " to " + ledger.now() + " and appended " + appended);
                return;
            }
            // the stub deadline manager is punctual, so a watchdog that follows the lease records it at its very end
            require(appended.size() == 1 && appended.get(0) instanceof ClaimLeaseExpired e
                            && e.epoch() == before.epoch()
                            && e.expiredAt().equals(e.leaseExpiresAt()),
                    "reference: a lease that runs out is expired once, at its end",
                    "the clock moved from " + from + " to " + ledger.now() + " past the lease of epoch "
                            + before.epoch() + " (until " + before.leaseEnd() + ", " + before.policy()
                            + ") and appended " + appended);
        }

        private void checkTwinOutcome(ClaimHarness.Outcome outcome, ClaimHarness.Outcome twin) {
            require(describeCode(outcome).equals(describeCode(twin)),
                    "9: the worker's reportedAt never changes a command's outcome",
                    "with reportedAt " + describe(outcome) + ", without it " + describe(twin));
        }

        // ----- invariants 1 to 5 and 8, over the whole stream -----

        private void checkStream(List<Object> events) {
            Map<Long, EpochTrack> epochs = new HashMap<>();
            Long previousEpoch = null;
            for (int i = 0; i < events.size(); i++) {
                Object event = events.get(i);
                ClaimEvent claimEvent = (ClaimEvent) event;
                String at = "event #" + i + " " + event;
                long epoch = claimEvent.epoch();
                Instant lease = claimEvent.leaseExpiresAt();
                require(lease != null, "1: every event carries a leaseExpiresAt", at);
                require(TENANT.equals(claimEvent.tenantId()) && CONSUMER.equals(claimEvent.consumerId()),
                        "every event carries its consumer's identity", at);
                require(previousEpoch == null || epoch >= previousEpoch, "5: epochs in the stream never decrease",
                        at + " follows an event of epoch " + previousEpoch);
                previousEpoch = epoch;
                EpochTrack track = epochs.get(epoch);
                if (event instanceof ClaimMaterialized m) {
                    require(lease.isAfter(m.claimedAt()), "1: a claim's lease ends after it was made", at);
                    require(track == null, "5: an epoch is claimed once", at);
                    epochs.put(epoch, new EpochTrack(m));
                    continue;
                }
                require(track != null, "5: an epoch begins with its ClaimMaterialized", at);
                require(track.end == null, "3: at most one end per epoch, and nothing of it after its end",
                        at + " follows " + track.end);
                require(!lease.isBefore(track.lease), "2: no event moves its epoch's leaseExpiresAt earlier",
                        at + " after a lease until " + track.lease);
                if (event instanceof HeartbeatReceived h) {
                    Instant renewed = h.receivedAt().plus(track.ttl);
                    Instant expected = track.policy == LeasePolicy.FIXED ? track.lease
                            : renewed.isAfter(track.lease) ? renewed : track.lease;
                    require(lease.equals(expected),
                            "8: a heartbeat leaves a FIXED lease alone and renews a RENEW_ON_HEARTBEAT lease to "
                                    + "max(lease, receivedAt + ttl)",
                            at + " under " + track.policy + " with ttl " + track.ttl + " after a lease until "
                                    + track.lease + ": expected " + expected);
                } else {
                    require(lease.equals(track.lease), "2: an end event restates its epoch's lease",
                            at + " after a lease until " + track.lease);
                    track.end = event;
                }
                if (event instanceof ClaimLeaseExpired x) {
                    require(!x.expiredAt().isBefore(x.leaseExpiresAt()),
                            "4: ClaimLeaseExpired.expiredAt is never before its leaseExpiresAt", at);
                }
                if (event instanceof ClaimSuperseded s) {
                    Object next = i + 1 < events.size() ? events.get(i + 1) : null;
                    require(s.supersededByEpoch() > s.epoch() && next instanceof ClaimMaterialized m
                                    && m.epoch() == s.supersededByEpoch(),
                            "5: a ClaimSuperseded is immediately followed by the superseding epoch's ClaimMaterialized",
                            at + " is followed by " + next);
                }
                track.lease = lease;
            }
        }

        // ----- invariant 7 -----

        private void checkLiveness(Instant now) {
            StreamView view = StreamView.of(stream);
            if (view.exists() && view.status() == ClaimStatus.ACTIVE) {
                require(view.leaseEnd().isAfter(now),
                        "7: an active claim's lease is in the future: every lapsed lease was expired by its deadline",
                        "epoch " + view.epoch() + " is still active at " + now + " with a lease until "
                                + view.leaseEnd());
            }
        }

        // ----- invariant 9 -----

        private void checkTwinLeases() {
            List<LeaseFact> withReportedAt = stream.stream().map(LeaseFact::of).toList();
            List<LeaseFact> without = ledger.events(twinStreamId).stream().map(LeaseFact::of).toList();
            require(withReportedAt.equals(without), "9: the worker's reportedAt never influences leaseExpiresAt",
                    "with reportedAt " + withReportedAt + "\n    without it     " + without);
        }

        private void require(boolean holds, String invariant, String detail) {
            if (!holds) {
                StringBuilder message = new StringBuilder("invariant ").append(invariant).append(" violated: ")
                        .append(detail).append("\n  steps:");
                history.forEach(line -> message.append("\n    ").append(line));
                message.append("\n  stream:");
                for (int i = 0; i < stream.size(); i++) {
                    message.append("\n    #").append(i).append(' ').append(stream.get(i));
                }
                throw new AssertionError(message.toString());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reading the stream.

    /** The latest epoch of a stream, as its events state it. */
    record StreamView(ClaimMaterialized claim, ClaimStatus status, Instant leaseEnd) {

        static StreamView of(List<Object> events) {
            ClaimMaterialized claim = null;
            ClaimStatus status = null;
            Instant leaseEnd = null;
            for (Object event : events) {
                if (event instanceof ClaimMaterialized m) {
                    claim = m;
                    status = ClaimStatus.ACTIVE;
                } else if (claim == null || ((ClaimEvent) event).epoch() != claim.epoch()) {
                    continue;
                } else if (event instanceof ClaimReleased) {
                    status = ClaimStatus.RELEASED;
                } else if (event instanceof ClaimLeaseExpired) {
                    status = ClaimStatus.EXPIRED;
                } else if (event instanceof ClaimSuperseded) {
                    status = ClaimStatus.SUPERSEDED;
                }
                leaseEnd = ((ClaimEvent) event).leaseExpiresAt();
            }
            return new StreamView(claim, status, leaseEnd);
        }

        boolean exists() {
            return claim != null;
        }

        long epoch() {
            return claim.epoch();
        }

        LeasePolicy policy() {
            return claim.leasePolicy();
        }

        /** The command that made the current claim, as its event recorded it. */
        MaterializeClaim asCommand() {
            return new MaterializeClaim(claim.tenantId(), claim.consumerId(), claim.epoch(), claim.entityUrl(),
                    claim.streamPath(), claim.wakeId(), claim.runnerId(), claim.leaseTtlMs(), claim.leasePolicy());
        }
    }

    private static final class EpochTrack {
        final LeasePolicy policy;
        final Duration ttl;
        Instant lease;
        Object end;

        EpochTrack(ClaimMaterialized claim) {
            this.policy = claim.leasePolicy();
            this.ttl = Duration.ofMillis(claim.leaseTtlMs());
            this.lease = claim.leaseExpiresAt();
        }
    }

    /** What the twin comparison looks at: everything about an event's lease, nothing about reportedAt. */
    record LeaseFact(String type, long epoch, Instant leaseExpiresAt) {
        static LeaseFact of(Object event) {
            ClaimEvent claimEvent = (ClaimEvent) event;
            return new LeaseFact(event.getClass().getSimpleName(), claimEvent.epoch(), claimEvent.leaseExpiresAt());
        }
    }

    record Expected(String reason, Set<ClaimErrorCode> rejectedWith, List<Class<?>> events) {

        static Expected accepted(String reason, Class<?>... events) {
            return new Expected(reason, Set.of(), List.of(events));
        }

        static Expected rejected(String reason, ClaimErrorCode code, ClaimErrorCode... alternatives) {
            return new Expected(reason, EnumSet.of(code, alternatives), List.of());
        }

        String describe() {
            return rejectedWith.isEmpty() ? "acceptance appending " + names(events)
                    : "rejection with " + rejectedWith.stream().map(ClaimErrorCode::code).toList();
        }
    }

    private static String names(List<Class<?>> types) {
        return types.stream().map(Class::getSimpleName).toList().toString();
    }

    private static String describe(ClaimHarness.Outcome outcome) {
        if (outcome.accepted()) {
            return "accepted" + (outcome.result().appended() ? "" : " (nothing appended)");
        }
        ClaimError error = outcome.error();
        return error == null ? "failed with " + outcome.failure()
                : "rejected " + error.code().code() + " (" + error.message() + ")";
    }

    private static String describeCode(ClaimHarness.Outcome outcome) {
        if (outcome.accepted()) {
            return outcome.result().appended() ? "accepted" : "accepted, nothing appended";
        }
        ClaimError error = outcome.error();
        return error == null ? "failed: " + outcome.failure().getClass().getSimpleName() : error.code().code();
    }
}
