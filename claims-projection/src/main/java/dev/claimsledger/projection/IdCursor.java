package dev.claimsledger.projection;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The position after the last item of a page ordered by one id (a runner's, a tenant's), as an opaque URL-safe text.
 */
public record IdCursor(String id) {

    private static final String PREFIX = "id:";

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + id).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @throws IllegalArgumentException when the text is not a cursor this service made
     */
    public static IdCursor decode(String cursor) {
        try {
            String raw = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Base64.getUrlDecoder().decode(cursor)))
                    .toString();
            if (!raw.startsWith(PREFIX)) {
                throw new IllegalArgumentException("not an id cursor");
            }
            return new IdCursor(raw.substring(PREFIX.length()));
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw new IllegalArgumentException("cursor is not one this service gave out", e);
        }
    }
}
