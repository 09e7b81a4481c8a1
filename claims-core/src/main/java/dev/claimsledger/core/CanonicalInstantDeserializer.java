package dev.claimsledger.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.Instant;

/**
 * Reads an instant in the form the ledger writes it, ISO-8601 in UTC with 0 to 9 digits of fraction
 * ({@code 2026-12-03T07:03:18.123456Z}), with {@link CanonicalInstants#parse} rather than java.time's formatter, which
 * took a third of a rebuild's reading thread (BENCHMARKS.md); every other form, and anything that parser does not
 * take, is read as Jackson's {@link InstantDeserializer} reads it.
 */
final class CanonicalInstantDeserializer extends StdScalarDeserializer<Instant> {

    CanonicalInstantDeserializer() {
        super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        if (parser.hasToken(JsonToken.VALUE_STRING)) {
            Instant canonical = CanonicalInstants.parse(parser.getText());
            if (canonical != null) {
                return canonical;
            }
        }
        return InstantDeserializer.INSTANT.deserialize(parser, context);
    }
}
