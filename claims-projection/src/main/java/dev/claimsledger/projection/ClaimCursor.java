package dev.claimsledger.projection;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The position after the last claim of a page: the keyset {@code (consumer_id, epoch)}, as an opaque URL-safe text.
 */
public record ClaimCursor(String consumerId, long epoch) {

    public String encode() {
        String raw = epoch + ":" + consumerId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @throws IllegalArgumentException when the text is not a cursor this service made
     */
    public static ClaimCursor decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("not a claims cursor");
            }
            return new ClaimCursor(raw.substring(colon + 1), Long.parseLong(raw.substring(0, colon)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cursor is not one this service gave out", e);
        }
    }
}
