package dev.claimsledger.core;

import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.api.ReleaseClaim;
import java.time.Duration;

/**
 * Shape checks on commands, made before the aggregate decides anything: the same for HTTP callers and for services
 * that send commands straight onto the bus.
 */
final class ClaimCommandValidation {

    static final int MAX_ID_LENGTH = 512;
    static final int MAX_LOCATOR_LENGTH = 4096;
    static final int MAX_ACKED_STREAMS = 1000;

    private ClaimCommandValidation() {
    }

    static void check(MaterializeClaim command, LeaseLimits limits) {
        identity(command.tenantId(), command.consumerId(), command.epoch());
        text("entity_url", command.entityUrl(), MAX_LOCATOR_LENGTH, true);
        text("stream_path", command.streamPath(), MAX_LOCATOR_LENGTH, true);
        text("wake_id", command.wakeId(), MAX_ID_LENGTH, false);
        text("runner_id", command.runnerId(), MAX_ID_LENGTH, false);
        Duration ttl = Duration.ofMillis(command.leaseTtlMs());
        if (!limits.allows(ttl)) {
            throw invalid("lease_ttl_ms must be between " + limits.minTtl().toMillis() + " and "
                    + limits.maxTtl().toMillis() + ", was " + command.leaseTtlMs());
        }
    }

    static void check(RecordHeartbeat command) {
        identity(command.tenantId(), command.consumerId(), command.epoch());
    }

    static void check(ReleaseClaim command) {
        identity(command.tenantId(), command.consumerId(), command.epoch());
        if (command.ackedStreams().size() > MAX_ACKED_STREAMS) {
            throw invalid("acked_streams takes at most " + MAX_ACKED_STREAMS + " entries");
        }
        for (AckedStream acked : command.ackedStreams()) {
            if (acked == null) {
                throw invalid("acked_streams must not contain null");
            }
            text("acked_streams.path", acked.path(), MAX_LOCATOR_LENGTH, true);
            text("acked_streams.offset", acked.offset(), MAX_ID_LENGTH, true);
        }
    }

    private static void identity(String tenantId, String consumerId, long epoch) {
        text("tenant_id", tenantId, MAX_ID_LENGTH, true);
        text("consumer_id", consumerId, MAX_ID_LENGTH, true);
        if (epoch < 0) {
            throw invalid("epoch must not be negative, was " + epoch);
        }
    }

    private static void text(String field, String value, int maxLength, boolean required) {
        if (value == null) {
            if (required) {
                throw invalid(field + " is required");
            }
            return;
        }
        if (required && value.isBlank()) {
            throw invalid(field + " must not be blank");
        }
        if (value.length() > maxLength) {
            throw invalid(field + " must be at most " + maxLength + " characters, was " + value.length());
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw invalid(field + " must not contain control characters");
        }
    }

    private static ClaimRejectedException invalid(String message) {
        return new ClaimRejectedException(ClaimErrorCode.VALIDATION_FAILED, message);
    }
}
