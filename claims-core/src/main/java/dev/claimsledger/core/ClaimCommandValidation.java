package dev.claimsledger.core;

import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.api.ReleaseClaim;
import java.time.Duration;

/**
 * Shape checks on commands, made before the aggregate decides anything: the same for HTTP callers and for services
 * that send commands straight onto the bus. The identity checks are public so that queries get the same rules.
 */
public final class ClaimCommandValidation {

    /**
     * Ids are at most 512 characters and 512 bytes in UTF-8. The byte bound keeps every index key of the event store
     * and the read model within PostgreSQL's limit for a B-tree entry, whatever script an id is written in.
     */
    public static final int MAX_ID_LENGTH = 512;
    /** {@code entity_url} and {@code stream_path}: at most 2048 characters and 2048 bytes in UTF-8. */
    public static final int MAX_LOCATOR_LENGTH = 2048;
    public static final int MAX_ACKED_STREAMS = 1000;

    private ClaimCommandValidation() {
    }

    static void check(MaterializeClaim command, LeaseLimits limits) {
        identity(command.tenantId(), command.consumerId(), command.epoch());
        text("entity_url", command.entityUrl(), MAX_LOCATOR_LENGTH, true);
        text("stream_path", command.streamPath(), MAX_LOCATOR_LENGTH, true);
        text("wake_id", command.wakeId(), MAX_ID_LENGTH, false);
        text("runner_id", command.runnerId(), MAX_ID_LENGTH, false);
        addressable("tenant_id", command.tenantId());
        addressable("consumer_id", command.consumerId());
        addressable("runner_id", command.runnerId());
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

    /** Checks a claim's identity: ids present, short enough, free of control characters; epoch not negative. */
    public static void identity(String tenantId, String consumerId, long epoch) {
        id("tenant_id", tenantId, true);
        id("consumer_id", consumerId, true);
        if (epoch < 0) {
            throw invalid("epoch must not be negative, was " + epoch);
        }
    }

    /**
     * Checks that an id can be one segment of a URL path, as tenant, consumer and runner ids are in the HTTP API. Only
     * new claims are held to it, so that claims stored before the rule still take heartbeats and releases. HTTP
     * clients resolve the segments {@code .} and {@code ..} away (also percent-encoded, as WHATWG URLs do), and
     * Tomcat refuses an encoded backslash ({@code %5C}) in a path; any other character can be percent-encoded.
     */
    static void addressable(String field, String value) {
        if (value == null) {
            return;
        }
        if (value.equals(".") || value.equals("..")) {
            throw invalid(field + " must not be '.' or '..': HTTP clients remove such a segment from a URL path, so "
                    + "the claim could not be reached at its URL");
        }
        if (value.indexOf('\\') >= 0) {
            throw invalid(field + " must not contain a backslash: an encoded backslash (%5C) in a URL path is refused "
                    + "by the HTTP server and rewritten by some clients, so the claim could not be reached at its URL");
        }
    }

    /** Checks a locator such as an entity URL or a stream path. */
    public static void locator(String field, String value, boolean required) {
        text(field, value, MAX_LOCATOR_LENGTH, required);
    }

    /** Checks an id such as a tenant, runner or wake id. */
    public static void id(String field, String value, boolean required) {
        text(field, value, MAX_ID_LENGTH, required);
    }

    private static void text(String field, String value, int maxLength, boolean required) {
        if (value == null) {
            if (required) {
                throw invalid(field + " is required");
            }
            return;
        }
        if (value.isBlank()) {
            throw invalid(field + (required ? " must not be blank" : " must not be blank when given"));
        }
        if (value.length() > maxLength) {
            throw invalid(field + " must be at most " + maxLength + " characters, was " + value.length());
        }
        if (hasControlCharacter(value)) {
            throw invalid(field + " must not contain control characters");
        }
        int utf8Length = utf8Length(field, value);
        if (utf8Length > maxLength) {
            throw invalid(field + " must be at most " + maxLength + " bytes in UTF-8, was " + utf8Length);
        }
    }

    /** A loop, not a stream: every heartbeat checks two ids. */
    private static boolean hasControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static int utf8Length(String field, String value) {
        int bytes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw invalid(field + " must be valid Unicode (it has an unpaired surrogate)");
            } else {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
        }
        return bytes;
    }

    private static ClaimRejectedException invalid(String message) {
        return new ClaimRejectedException(ClaimErrorCode.VALIDATION_FAILED, message);
    }
}
