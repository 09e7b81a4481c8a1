package dev.claimsledger.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import java.time.Instant;

/**
 * Writes an instant as the ledger's mapper always has, ISO-8601 text as {@link Instant#toString()} gives it, with
 * {@link CanonicalInstants#iso} rather than the formatter behind Jackson's own serializer. Stored events are hashed,
 * so the text must not change by a byte.
 */
final class CanonicalInstantSerializer extends StdScalarSerializer<Instant> {

    CanonicalInstantSerializer() {
        super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator generator, SerializerProvider provider) throws IOException {
        generator.writeString(CanonicalInstants.iso(value));
    }
}
