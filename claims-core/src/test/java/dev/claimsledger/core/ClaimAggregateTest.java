package dev.claimsledger.core;

import static org.axonframework.test.matchers.Matchers.andNoMore;
import static org.axonframework.test.matchers.Matchers.exactSequenceOf;
import static org.axonframework.test.matchers.Matchers.payloadsMatching;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;

import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimCommandResult;
import dev.claimsledger.api.ClaimError;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.api.ReleaseClaim;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.deadline.DeadlineMessage;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.TestExecutor;
import org.hamcrest.Description;
import org.hamcrest.FeatureMatcher;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Claim} aggregate as a specification: each test gives a history, sends one command (or lets time pass)
 * and states what the ledger records, answers and schedules. Ledger time is the fixture's simulated time.
 */
class ClaimAggregateTest {

    private static final String TENANT = "acme";
    private static final String CONSUMER = "invoice-indexer";
    private static final String ENTITY_URL = "https://entities.example/acme/invoices";
    private static final String STREAM_PATH = "/acme/invoices/events";
    private static final String WAKE_ID = "wake-7";
    private static final String RUNNER_ID = "runner-3";
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final LeasePolicy RENEW = LeasePolicy.RENEW_ON_HEARTBEAT;
    private static final LeasePolicy FIXED = LeasePolicy.FIXED;
    private static final AckedStream ACKED = new AckedStream(STREAM_PATH, "offset-42");
    private static final String ID_513 = "x".repeat(513);

    /** The fixture's time when each test starts. */
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    private AggregateTestFixture<Claim> fixture;
    private FixtureClock clock;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Claim.class);
        clock = new FixtureClock(fixture::currentTime);
        fixture.registerInjectableResource(clock);
        fixture.registerInjectableResource(new EventChain(JacksonSerializer.builder()
                .objectMapper(LedgerObjectMapper.create()).build()));
        fixture.registerCommandHandlerInterceptor(new ClaimCommandInterceptor(LeaseLimits.DEFAULT));
    }

    @Nested
    class MaterializingAClaim {

        @Test
        void aFirstClaimIsRecordedWithALeaseEndingTtlAfterLedgerNow() {
            givenNoClaim()
                    .when(materialize(1))
                    .expectEvents(materialized(1, NOW));
        }

        @Test
        void aFirstClaimArmsTheLeaseWatchdogAtTheLeaseEnd() {
            givenNoClaim()
                    .when(materialize(1))
                    .expectScheduledDeadlineMatching(NOW.plus(TTL), watchdogFor(1));
        }

        @Test
        void aFirstClaimAnswersTheNewClaimAsAppended() {
            givenNoClaim()
                    .when(materialize(1))
                    .expectSuccessfulHandlerExecution()
                    .expectResultMessagePayload(new ClaimCommandResult(activeState(1, NOW, null, NOW.plus(TTL), 0, NOW), true));
        }

        @Test
        void aClaimWithoutAPolicyRenewsOnHeartbeat() {
            givenNoClaim()
                    .when(materialize(1, null))
                    .expectEvents(materialized(1, NOW, RENEW));
        }

        @Test
        void aClaimCanAskForAFixedLease() {
            givenNoClaim()
                    .when(materialize(1, FIXED))
                    .expectEvents(materialized(1, NOW, FIXED));
        }

        @Test
        void repeatingTheSameEpochWithTheSameDataAppendsNothingAndAnswersTheExistingClaim() {
            Instant claimedAt = NOW.minusSeconds(10);
            givenHistory(materialized(1, claimedAt))
                    .when(materialize(1))
                    .expectNoEvents()
                    .expectResultMessagePayload(
                            new ClaimCommandResult(activeState(1, claimedAt, null, claimedAt.plus(TTL), 0, claimedAt), false));
        }

        @Test
        void repeatingTheSameEpochWithoutAPolicyMatchesTheDefaultPolicy() {
            givenHistory(materialized(1, NOW.minusSeconds(10), RENEW))
                    .when(materialize(1, null))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.claimsledger.core.ClaimAggregateTest#sameEpochWithDifferentData")
        void theSameEpochWithDifferentDataIsAConflict(String difference, MaterializeClaim command) {
            givenHistory(materialized(1, NOW.minusSeconds(10)))
                    .when(command)
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.CONFLICT))
                    .expectNoEvents();
        }

        @Test
        void aLowerEpochIsStale() {
            givenHistory(materialized(2, NOW.minusSeconds(10)))
                    .when(materialize(1))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.STALE_EPOCH))
                    .expectNoEvents();
        }

        @Test
        void aHigherEpochSupersedesTheActiveClaimBeforeItIsMade() {
            Instant claimedAt = NOW.minusSeconds(10);
            givenHistory(materialized(1, claimedAt))
                    .when(materialize(2))
                    .expectEvents(
                            new ClaimSuperseded(TENANT, CONSUMER, 1, 2, NOW, claimedAt.plus(TTL)),
                            materialized(2, NOW));
        }

        @Test
        void aHigherEpochAfterTheLeaseRanOutButBeforeItsExpiryWasRecordedRecordsTheExpiry() {
            Instant claimedAt = NOW.minus(TTL).minusSeconds(1);
            givenHistory(materialized(1, claimedAt))
                    .when(materialize(2))
                    .expectEvents(
                            new ClaimLeaseExpired(TENANT, CONSUMER, 1, NOW, claimedAt.plus(TTL)),
                            materialized(2, NOW));
        }

        @Test
        void aHigherEpochMovesTheWatchdogFromTheSupersededEpochToTheNewOne() {
            fixture.givenCurrentTime(NOW)
                    .andGivenCommands(materialize(1))
                    .when(materialize(2, RENEW, Duration.ofSeconds(60)))
                    .expectNoScheduledDeadlineMatching(watchdogFor(1))
                    .expectScheduledDeadlineMatching(NOW.plusSeconds(60), watchdogFor(2));
        }

        @Test
        void aHigherEpochAfterAReleaseIsMadeWithoutSupersedingAnything() {
            Instant claimedAt = NOW.minusSeconds(10);
            givenHistory(
                    materialized(1, claimedAt),
                    released(1, NOW.minusSeconds(5), claimedAt.plus(TTL)))
                    .when(materialize(2))
                    .expectEvents(materialized(2, NOW));
        }

        @Test
        void aHigherEpochAfterAnExpiryIsMadeWithoutSupersedingAnything() {
            Instant claimedAt = NOW.minusSeconds(60);
            givenHistory(
                    materialized(1, claimedAt),
                    expired(1, claimedAt.plus(TTL), claimedAt.plus(TTL)))
                    .when(materialize(2))
                    .expectEvents(materialized(2, NOW));
        }
    }

    @Nested
    class Heartbeats {

        @Test
        void aRenewingHeartbeatMovesTheLeaseToLedgerNowPlusTtl() {
            givenHistory(materialized(1, NOW.minusSeconds(10), RENEW))
                    .when(heartbeat(1))
                    .expectEvents(heartbeatReceived(1, NOW, null, NOW.plus(TTL)));
        }

        @Test
        void aHeartbeatUnderAFixedLeaseLeavesTheLeaseWhereItWas() {
            Instant claimedAt = NOW.minusSeconds(10);
            givenHistory(materialized(1, claimedAt, FIXED))
                    .when(heartbeat(1))
                    .expectEvents(heartbeatReceived(1, NOW, null, claimedAt.plus(TTL)));
        }

        @Test
        void theWorkersReportedTimeIsRecordedButNeverExtendsTheLease() {
            Instant farFuture = NOW.plus(Duration.ofDays(365));
            givenHistory(materialized(1, NOW.minusSeconds(10), RENEW))
                    .when(new RecordHeartbeat(TENANT, CONSUMER, 1, farFuture))
                    .expectEvents(heartbeatReceived(1, NOW, farFuture, NOW.plus(TTL)));
        }

        @Test
        void aHeartbeatAnswersTheClaimAfterIt() {
            Instant claimedAt = NOW.minusSeconds(10);
            givenHistory(materialized(1, claimedAt, RENEW))
                    .when(heartbeat(1))
                    .expectSuccessfulHandlerExecution()
                    .expectResultMessagePayload(
                            new ClaimCommandResult(activeState(1, claimedAt, NOW, NOW.plus(TTL), 1, NOW), true));
        }

        @Test
        void aRenewingHeartbeatLeavesTheWatchdogAtTheOriginalLeaseEnd() {
            givenClaimMadeAgo(Duration.ofSeconds(10), materialize(1))
                    .when(heartbeat(1))
                    .expectScheduledDeadlineMatching(NOW.plusSeconds(20), watchdogFor(1))
                    .expectNoScheduledDeadlineMatching(NOW.plus(TTL), watchdogFor(1));
        }

        @Test
        void aHeartbeatOneMillisecondBeforeTheLeaseEndIsAccepted() {
            givenHistory(materialized(1, NOW.minus(TTL).plusMillis(1)))
                    .when(heartbeat(1))
                    .expectEvents(heartbeatReceived(1, NOW, null, NOW.plus(TTL)));
        }

        @Test
        void aHeartbeatOnALapsedLeaseNotYetRecordedAsExpiredIsClaimExpired() {
            givenHistory(materialized(1, NOW.minus(TTL)))
                    .when(heartbeat(1))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.CLAIM_EXPIRED))
                    .expectNoEvents();
        }

        @Test
        void aHeartbeatAfterAReleaseIsClaimNotActive() {
            Instant claimedAt = NOW.minusSeconds(10);
            givenHistory(
                    materialized(1, claimedAt),
                    released(1, NOW.minusSeconds(5), claimedAt.plus(TTL)))
                    .when(heartbeat(1))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.CLAIM_NOT_ACTIVE))
                    .expectNoEvents();
        }

        @Test
        void aHeartbeatAfterTheExpiryIsClaimNotActive() {
            Instant claimedAt = NOW.minusSeconds(60);
            givenHistory(
                    materialized(1, claimedAt),
                    expired(1, claimedAt.plus(TTL), claimedAt.plus(TTL)))
                    .when(heartbeat(1))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.CLAIM_NOT_ACTIVE))
                    .expectNoEvents();
        }

        /*
         * A superseded epoch is always older than the current one, so the ledger answers stale_epoch, as for any lower
         * epoch (see the report: the brief also listed claim_not_active for this case).
         */
        @Test
        void aHeartbeatOfASupersededEpochIsStale() {
            Instant claimedAt = NOW.minusSeconds(10);
            givenHistory(
                    materialized(1, claimedAt),
                    new ClaimSuperseded(TENANT, CONSUMER, 1, 2, NOW.minusSeconds(5), claimedAt.plus(TTL)),
                    materialized(2, NOW.minusSeconds(5)))
                    .when(heartbeat(1))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.STALE_EPOCH))
                    .expectNoEvents();
        }

        @Test
        void aHeartbeatOfALowerEpochIsStale() {
            givenHistory(materialized(2, NOW.minusSeconds(10)))
                    .when(heartbeat(1))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.STALE_EPOCH))
                    .expectNoEvents();
        }

        @Test
        void aHeartbeatOfAHigherEpochIsClaimNotFound() {
            givenHistory(materialized(1, NOW.minusSeconds(10)))
                    .when(heartbeat(2))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.CLAIM_NOT_FOUND))
                    .expectNoEvents();
        }

        @Test
        void aHeartbeatForAnUnknownConsumerIsClaimNotFound() {
            givenNoClaim()
                    .when(heartbeat(1))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.CLAIM_NOT_FOUND))
                    .expectNoEvents();
        }
    }

    @Nested
    class Releasing {

        @Test
        void aReleaseRecordsTheAckedStreamsAndTheLeaseItEnded() {
            Instant claimedAt = NOW.minusSeconds(10);
            givenHistory(materialized(1, claimedAt))
                    .when(release(1))
                    .expectEvents(released(1, NOW, claimedAt.plus(TTL)));
        }

        @Test
        void aReleaseCancelsTheWatchdog() {
            fixture.givenCurrentTime(NOW)
                    .andGivenCommands(materialize(1))
                    .when(release(1))
                    .expectNoScheduledDeadlines();
        }

        @Test
        void aReleaseAnswersTheReleasedClaim() {
            Instant claimedAt = NOW.minusSeconds(10);
            givenHistory(materialized(1, claimedAt))
                    .when(release(1))
                    .expectSuccessfulHandlerExecution()
                    .expectResultMessagePayload(
                            new ClaimCommandResult(releasedState(1, claimedAt, NOW), true));
        }

        @Test
        void releasingTwiceAppendsNothingAndAnswersTheFirstRelease() {
            Instant claimedAt = NOW.minusSeconds(10);
            Instant releasedAt = NOW.minusSeconds(5);
            givenHistory(
                    materialized(1, claimedAt),
                    released(1, releasedAt, claimedAt.plus(TTL)))
                    .when(release(1))
                    .expectNoEvents()
                    .expectResultMessagePayload(
                            new ClaimCommandResult(releasedState(1, claimedAt, releasedAt), false));
        }

        @Test
        void releasingAgainAfterTheLeaseEndIsStillIdempotent() {
            Instant claimedAt = NOW.minusSeconds(60);
            givenHistory(
                    materialized(1, claimedAt),
                    released(1, claimedAt.plusSeconds(5), claimedAt.plus(TTL)))
                    .when(release(1))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @Test
        void aReleaseAfterTheLeaseRanOutIsClaimExpired() {
            givenHistory(materialized(1, NOW.minus(TTL)))
                    .when(release(1))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.CLAIM_EXPIRED))
                    .expectNoEvents();
        }

        @Test
        void aReleaseAfterTheExpiryWasRecordedIsClaimExpired() {
            Instant claimedAt = NOW.minusSeconds(60);
            givenHistory(
                    materialized(1, claimedAt),
                    expired(1, claimedAt.plus(TTL), claimedAt.plus(TTL)))
                    .when(release(1))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.CLAIM_EXPIRED))
                    .expectNoEvents();
        }

        @Test
        void aReleaseOfALowerEpochIsStale() {
            givenHistory(materialized(2, NOW.minusSeconds(10)))
                    .when(release(1))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.STALE_EPOCH))
                    .expectNoEvents();
        }

        @Test
        void aReleaseOfAHigherEpochIsClaimNotFound() {
            givenHistory(materialized(1, NOW.minusSeconds(10)))
                    .when(release(2))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.CLAIM_NOT_FOUND))
                    .expectNoEvents();
        }

        @Test
        void aReleaseForAnUnknownConsumerIsClaimNotFound() {
            givenNoClaim()
                    .when(release(1))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.CLAIM_NOT_FOUND))
                    .expectNoEvents();
        }
    }

    /*
     * A watchdog that re-arms itself at the instant it fired would loop forever inside the fixture; the time-out turns
     * that into a failure instead of a hung build.
     */
    @Nested
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    class TheLeaseWatchdog {

        @Test
        void theLeaseExpiresExactlyWhenItEnds() {
            fixture.givenCurrentTime(NOW)
                    .andGivenCommands(materialize(1))
                    .whenTimeElapses(TTL)
                    .expectEvents(expired(1, NOW.plus(TTL), NOW.plus(TTL)));
        }

        @Test
        void theLeaseDoesNotExpireAMillisecondBeforeItEnds() {
            fixture.givenCurrentTime(NOW)
                    .andGivenCommands(materialize(1))
                    .whenTimeElapses(TTL.minusMillis(1))
                    .expectNoEvents();
        }

        @Test
        void whenTheLeaseWasRenewedTheWatchdogReArmsAtTheNewEndWithoutAnEvent() {
            givenClaimMadeAgo(Duration.ofSeconds(20), materialize(1, RENEW)) // lease and watchdog end at NOW+10s
                    .andGivenCommands(heartbeat(1))                            // lease renewed to NOW+30s
                    .whenTimeElapses(Duration.ofSeconds(10))
                    .expectTriggeredDeadlines(new LeaseExpiryDue(1))
                    .expectNoEvents()
                    .expectScheduledDeadlineMatching(NOW.plus(TTL), watchdogFor(1));
        }

        @Test
        void aRenewedLeaseExpiresExactlyAtItsRenewedEnd() {
            givenClaimMadeAgo(Duration.ofSeconds(20), materialize(1, RENEW))
                    .andGivenCommands(heartbeat(1))
                    .whenTimeElapses(TTL)
                    .expectEvents(expired(1, NOW.plus(TTL), NOW.plus(TTL)));
        }

        @Test
        void aRenewedLeaseDoesNotExpireAMillisecondBeforeItsRenewedEnd() {
            givenClaimMadeAgo(Duration.ofSeconds(20), materialize(1, RENEW))
                    .andGivenCommands(heartbeat(1))
                    .whenTimeElapses(TTL.minusMillis(1))
                    .expectNoEvents();
        }

        @Test
        void heartbeatsDoNotKeepAFixedLeaseAlive() {
            givenClaimMadeAgo(Duration.ofSeconds(20), materialize(1, FIXED)) // lease ends at NOW+10s
                    .andGivenCommands(heartbeat(1))
                    .whenTimeElapses(Duration.ofSeconds(10))
                    .expectEvents(expired(1, NOW.plusSeconds(10), NOW.plusSeconds(10)));
        }

        @Test
        void aReleasedClaimIsNeverExpired() {
            fixture.givenCurrentTime(NOW)
                    .andGivenCommands(materialize(1), release(1))
                    .whenTimeElapses(TTL.multipliedBy(2))
                    .expectNoEvents();
        }

        @Test
        void aWatchdogThatFiresAfterAReleaseDoesNothing() {
            fixture.givenCurrentTime(NOW)
                    .andGivenCommands(materialize(1))                // watchdog armed at NOW+30s
                    .andGiven(released(1, NOW, NOW.plus(TTL)))         // released without the watchdog being cancelled
                    .whenTimeElapses(TTL)
                    .expectTriggeredDeadlines(new LeaseExpiryDue(1))
                    .expectNoEvents();
        }

        @Test
        void aWatchdogOfASupersededEpochDoesNotExpireTheCurrentEpoch() {
            fixture.givenCurrentTime(NOW)
                    .andGivenCommands(materialize(1))                // watchdog of epoch 1 armed at NOW+30s
                    .andGiven(
                            new ClaimSuperseded(TENANT, CONSUMER, 1, 2, NOW, NOW.plus(TTL)),
                            materialized(2, NOW))                      // epoch 2's lease also ends at NOW+30s
                    .whenTimeElapses(TTL)
                    .expectTriggeredDeadlines(new LeaseExpiryDue(1))
                    .expectNoEvents();
        }
    }

    @Nested
    class CommandValidation {

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.claimsledger.core.ClaimAggregateTest#malformedMaterializeCommands")
        void aMalformedMaterializeIsValidationFailed(String problem, MaterializeClaim command) {
            givenNoClaim()
                    .when(command)
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.VALIDATION_FAILED))
                    .expectNoEvents();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.claimsledger.core.ClaimAggregateTest#materializeCommandsAtTheLimits")
        void aMaterializeAtTheLimitsIsAccepted(String limit, MaterializeClaim command) {
            givenNoClaim()
                    .when(command)
                    .expectSuccessfulHandlerExecution()
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            instanceOf(ClaimMaterialized.class), andNoMore())));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.claimsledger.core.ClaimAggregateTest#malformedHeartbeats")
        void aMalformedHeartbeatIsValidationFailed(String problem, RecordHeartbeat command) {
            givenHistory(materialized(1, NOW.minusSeconds(10)))
                    .when(command)
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.VALIDATION_FAILED))
                    .expectNoEvents();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.claimsledger.core.ClaimAggregateTest#malformedReleases")
        void aMalformedReleaseIsValidationFailed(String problem, ReleaseClaim command) {
            givenHistory(materialized(1, NOW.minusSeconds(10)))
                    .when(command)
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.VALIDATION_FAILED))
                    .expectNoEvents();
        }

        /** The rule that ids be usable in a URL path binds new claims only; claims stored before it keep working. */
        @ParameterizedTest(name = "consumer {0}")
        @MethodSource("dev.claimsledger.core.ClaimAggregateTest#consumersNoNewClaimMayName")
        void aStoredClaimOfAConsumerNoNewClaimMayNameStillTakesHeartbeatsAndItsRelease(String consumer) {
            ClaimMaterialized stored = new ClaimMaterialized(TENANT, consumer, 1, ENTITY_URL, STREAM_PATH, WAKE_ID,
                    RUNNER_ID, TTL.toMillis(), RENEW, NOW.minusSeconds(10), NOW.plus(TTL).minusSeconds(10));

            givenHistory(stored)
                    .when(new RecordHeartbeat(TENANT, consumer, 1, null))
                    .expectSuccessfulHandlerExecution()
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            instanceOf(HeartbeatReceived.class), andNoMore())));
            givenHistory(stored)
                    .when(new ReleaseClaim(TENANT, consumer, 1, List.of()))
                    .expectSuccessfulHandlerExecution()
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            instanceOf(ClaimReleased.class), andNoMore())));
        }

        @Test
        void aMalformedCommandIsValidationFailedEvenWhenItsClaimDoesNotExist() {
            givenNoClaim()
                    .when(new RecordHeartbeat(TENANT, CONSUMER, -1, null))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(claimError(ClaimErrorCode.VALIDATION_FAILED))
                    .expectNoEvents();
        }
    }

    // ---- examples for the parameterized specifications ----

    static Stream<Arguments> sameEpochWithDifferentData() {
        return Stream.of(
                Arguments.of("another entity url", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL + "/2", STREAM_PATH,
                        WAKE_ID, RUNNER_ID, TTL.toMillis(), RENEW)),
                Arguments.of("another stream path", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL, STREAM_PATH + "/2",
                        WAKE_ID, RUNNER_ID, TTL.toMillis(), RENEW)),
                Arguments.of("another wake id", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL, STREAM_PATH,
                        "wake-8", RUNNER_ID, TTL.toMillis(), RENEW)),
                Arguments.of("no wake id", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL, STREAM_PATH,
                        null, RUNNER_ID, TTL.toMillis(), RENEW)),
                Arguments.of("another runner id", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL, STREAM_PATH,
                        WAKE_ID, "runner-4", TTL.toMillis(), RENEW)),
                Arguments.of("another ttl", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL, STREAM_PATH,
                        WAKE_ID, RUNNER_ID, TTL.toMillis() + 1, RENEW)),
                Arguments.of("another policy", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL, STREAM_PATH,
                        WAKE_ID, RUNNER_ID, TTL.toMillis(), FIXED)));
    }

    static Stream<Arguments> malformedMaterializeCommands() {
        return Stream.of(
                Arguments.of("negative epoch", materializeWith(TENANT, CONSUMER, -1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("blank tenant", materializeWith(" ", CONSUMER, 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("empty consumer", materializeWith(TENANT, "", 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("null tenant", materializeWith(null, CONSUMER, 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("tenant over 512 chars", materializeWith(ID_513, CONSUMER, 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("consumer over 512 chars", materializeWith(TENANT, ID_513, 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("control character in tenant", materializeWith("ac\u0007me", CONSUMER, 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("tenant over 512 bytes in UTF-8", materializeWith("é".repeat(257), CONSUMER, 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("unpaired surrogate in consumer", materializeWith(TENANT, "indexer\uD800", 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("entity url over the locator limit", materializeWith(TENANT, CONSUMER, 1,
                        "https://e.example/" + "x".repeat(ClaimCommandValidation.MAX_LOCATOR_LENGTH), TTL.toMillis())),
                Arguments.of("control character in consumer", materializeWith(TENANT, "indexer\n", 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("control character in entity url", materializeWith(TENANT, CONSUMER, 1, ENTITY_URL + "\u0000", TTL.toMillis())),
                Arguments.of("blank entity url", materializeWith(TENANT, CONSUMER, 1, "  ", TTL.toMillis())),
                Arguments.of("missing stream path", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL, null,
                        WAKE_ID, RUNNER_ID, TTL.toMillis(), RENEW)),
                Arguments.of("wake id over 512 chars", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL, STREAM_PATH,
                        ID_513, RUNNER_ID, TTL.toMillis(), RENEW)),
                Arguments.of("control character in runner id", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL,
                        STREAM_PATH, WAKE_ID, "runner\t3", TTL.toMillis(), RENEW)),
                Arguments.of("consumer '.'", materializeWith(TENANT, ".", 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("consumer '..'", materializeWith(TENANT, "..", 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("tenant '..'", materializeWith("..", CONSUMER, 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("backslash in consumer", materializeWith(TENANT, "indexer\\1", 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("backslash in tenant", materializeWith("\\", CONSUMER, 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("runner id '.'", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL, STREAM_PATH, WAKE_ID,
                        ".", TTL.toMillis(), RENEW)),
                Arguments.of("backslash in runner id", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL, STREAM_PATH,
                        WAKE_ID, "runner\\3", TTL.toMillis(), RENEW)),
                Arguments.of("ttl below 1 s", materializeWith(TENANT, CONSUMER, 1, ENTITY_URL, 999)),
                Arguments.of("ttl of zero", materializeWith(TENANT, CONSUMER, 1, ENTITY_URL, 0)),
                Arguments.of("negative ttl", materializeWith(TENANT, CONSUMER, 1, ENTITY_URL, -30_000)),
                Arguments.of("ttl above 10 min", materializeWith(TENANT, CONSUMER, 1, ENTITY_URL, Duration.ofMinutes(10).toMillis() + 1)));
    }

    static Stream<String> consumersNoNewClaimMayName() {
        return Stream.of(".", "..", "indexer\\1");
    }

    static Stream<Arguments> materializeCommandsAtTheLimits() {
        String id512 = "x".repeat(512);
        return Stream.of(
                Arguments.of("epoch 0", materializeWith(TENANT, CONSUMER, 0, ENTITY_URL, TTL.toMillis())),
                Arguments.of("ttl of exactly 1 s", materializeWith(TENANT, CONSUMER, 1, ENTITY_URL, 1_000)),
                Arguments.of("ttl of exactly 10 min", materializeWith(TENANT, CONSUMER, 1, ENTITY_URL, Duration.ofMinutes(10).toMillis())),
                Arguments.of("tenant of exactly 512 chars", materializeWith(id512, CONSUMER, 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("consumer of exactly 512 chars", materializeWith(TENANT, id512, 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("tenant of exactly 512 bytes in UTF-8", materializeWith("é".repeat(256), CONSUMER, 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("no wake id, no runner id, no policy", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL,
                        STREAM_PATH, null, null, TTL.toMillis(), null)),
                Arguments.of("dots that are not a dot-segment", materializeWith("...", ".indexer.", 1, ENTITY_URL, TTL.toMillis())),
                Arguments.of("a wake id with '..' and a backslash", new MaterializeClaim(TENANT, CONSUMER, 1, ENTITY_URL,
                        STREAM_PATH, "..\\wake", RUNNER_ID, TTL.toMillis(), RENEW)),
                Arguments.of("epoch 2^63-1", materializeWith(TENANT, CONSUMER, Long.MAX_VALUE, ENTITY_URL, TTL.toMillis())));
    }

    static Stream<Arguments> malformedHeartbeats() {
        return Stream.of(
                Arguments.of("negative epoch", new RecordHeartbeat(TENANT, CONSUMER, -1, null)),
                Arguments.of("blank tenant", new RecordHeartbeat(" ", CONSUMER, 1, null)),
                Arguments.of("blank consumer", new RecordHeartbeat(TENANT, "\t ", 1, null)),
                Arguments.of("tenant over 512 chars", new RecordHeartbeat(ID_513, CONSUMER, 1, null)),
                Arguments.of("consumer over 512 chars", new RecordHeartbeat(TENANT, ID_513, 1, null)),
                Arguments.of("consumer over 512 bytes in UTF-8", new RecordHeartbeat(TENANT, "ü".repeat(257), 1, null)),
                Arguments.of("control character in consumer", new RecordHeartbeat(TENANT, CONSUMER + "\u001b", 1, null)));
    }

    static Stream<Arguments> malformedReleases() {
        return Stream.of(
                Arguments.of("negative epoch", new ReleaseClaim(TENANT, CONSUMER, -1, List.of())),
                Arguments.of("blank tenant", new ReleaseClaim("", CONSUMER, 1, List.of())),
                Arguments.of("blank consumer", new ReleaseClaim(TENANT, " ", 1, List.of())),
                Arguments.of("tenant over 512 chars", new ReleaseClaim(ID_513, CONSUMER, 1, List.of())),
                Arguments.of("consumer over 512 chars", new ReleaseClaim(TENANT, ID_513, 1, List.of())),
                Arguments.of("control character in tenant", new ReleaseClaim("acme\r", CONSUMER, 1, List.of())),
                Arguments.of("acked stream without a path", new ReleaseClaim(TENANT, CONSUMER, 1,
                        List.of(new AckedStream(null, "offset-1")))),
                Arguments.of("acked stream with a blank offset", new ReleaseClaim(TENANT, CONSUMER, 1,
                        List.of(new AckedStream(STREAM_PATH, " ")))),
                Arguments.of("acked stream offset over 512 chars", new ReleaseClaim(TENANT, CONSUMER, 1,
                        List.of(new AckedStream(STREAM_PATH, ID_513)))),
                Arguments.of("more than 1000 acked streams", new ReleaseClaim(TENANT, CONSUMER, 1,
                        Collections.nCopies(1001, ACKED))));
    }

    // ---- givens ----

    private TestExecutor<Claim> givenNoClaim() {
        return fixture.givenCurrentTime(NOW);
    }

    private TestExecutor<Claim> givenHistory(Object... events) {
        return fixture.givenCurrentTime(NOW).andGiven(events);
    }

    /**
     * A claim made through its command {@code age} before {@link #NOW}, so that its watchdog is armed at its lease end
     * (the fixture refuses to move its time once a deadline is scheduled).
     */
    private TestExecutor<Claim> givenClaimMadeAgo(Duration age, MaterializeClaim command) {
        return clock.backdatedBy(age, () -> fixture.givenCurrentTime(NOW).andGivenCommands(command));
    }

    // ---- commands ----

    private static MaterializeClaim materialize(long epoch) {
        return materialize(epoch, RENEW);
    }

    private static MaterializeClaim materialize(long epoch, LeasePolicy policy) {
        return materialize(epoch, policy, TTL);
    }

    private static MaterializeClaim materialize(long epoch, LeasePolicy policy, Duration ttl) {
        return new MaterializeClaim(TENANT, CONSUMER, epoch, ENTITY_URL, STREAM_PATH, WAKE_ID, RUNNER_ID, ttl.toMillis(),
                policy);
    }

    private static MaterializeClaim materializeWith(String tenant, String consumer, long epoch, String entityUrl,
                                                    long ttlMs) {
        return new MaterializeClaim(tenant, consumer, epoch, entityUrl, STREAM_PATH, WAKE_ID, RUNNER_ID, ttlMs, RENEW);
    }

    private static RecordHeartbeat heartbeat(long epoch) {
        return new RecordHeartbeat(TENANT, CONSUMER, epoch, null);
    }

    private static ReleaseClaim release(long epoch) {
        return new ReleaseClaim(TENANT, CONSUMER, epoch, List.of(ACKED));
    }

    // ---- events ----

    private static ClaimMaterialized materialized(long epoch, Instant claimedAt) {
        return materialized(epoch, claimedAt, RENEW);
    }

    private static ClaimMaterialized materialized(long epoch, Instant claimedAt, LeasePolicy policy) {
        return new ClaimMaterialized(TENANT, CONSUMER, epoch, ENTITY_URL, STREAM_PATH, WAKE_ID, RUNNER_ID, TTL.toMillis(),
                policy, claimedAt, claimedAt.plus(TTL));
    }

    private static HeartbeatReceived heartbeatReceived(long epoch, Instant receivedAt, Instant reportedAt,
                                                       Instant leaseExpiresAt) {
        return new HeartbeatReceived(TENANT, CONSUMER, epoch, receivedAt, reportedAt, leaseExpiresAt);
    }

    private static ClaimReleased released(long epoch, Instant releasedAt, Instant leaseExpiresAt) {
        return new ClaimReleased(TENANT, CONSUMER, epoch, releasedAt, List.of(ACKED), leaseExpiresAt);
    }

    private static ClaimLeaseExpired expired(long epoch, Instant expiredAt, Instant leaseExpiresAt) {
        return new ClaimLeaseExpired(TENANT, CONSUMER, epoch, expiredAt, leaseExpiresAt);
    }

    // ---- answers ----

    /** An active claim whose last event (the claim or its last heartbeat) was at {@code updatedAt}. */
    private static ClaimState activeState(long epoch, Instant claimedAt, Instant lastHeartbeatAt, Instant leaseExpiresAt,
                                          long heartbeatCount, Instant updatedAt) {
        return new ClaimState(TENANT, CONSUMER, epoch, ENTITY_URL, STREAM_PATH, WAKE_ID, RUNNER_ID, ClaimStatus.ACTIVE,
                claimedAt, lastHeartbeatAt, leaseExpiresAt, TTL.toMillis(), RENEW, null, null, null, List.of(),
                heartbeatCount, updatedAt);
    }

    /** A claim released at {@code releasedAt} (its last event) with {@link #ACKED}, never heartbeated. */
    private static ClaimState releasedState(long epoch, Instant claimedAt, Instant releasedAt) {
        return new ClaimState(TENANT, CONSUMER, epoch, ENTITY_URL, STREAM_PATH, WAKE_ID, RUNNER_ID, ClaimStatus.RELEASED,
                claimedAt, null, claimedAt.plus(TTL), TTL.toMillis(), RENEW, releasedAt, releasedAt, "released",
                List.of(ACKED), 0, releasedAt);
    }

    // ---- matchers ----

    private static Matcher<ClaimError> claimError(ClaimErrorCode code) {
        return new FeatureMatcher<>(equalTo(code), "a ClaimError with code", "code") {
            @Override
            protected ClaimErrorCode featureValueOf(ClaimError error) {
                return error.code();
            }
        };
    }

    private static Matcher<DeadlineMessage<?>> watchdogFor(long epoch) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(DeadlineMessage<?> deadline) {
                return LeaseExpiryDue.DEADLINE.equals(deadline.getDeadlineName())
                        && new LeaseExpiryDue(epoch).equals(deadline.getPayload());
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("the lease watchdog '" + LeaseExpiryDue.DEADLINE + "' of epoch " + epoch);
            }
        };
    }
}
