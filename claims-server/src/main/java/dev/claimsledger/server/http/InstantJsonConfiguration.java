package dev.claimsledger.server.http;

import dev.claimsledger.core.CanonicalInstants;
import java.time.Instant;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdScalarSerializer;

/**
 * Answers carry instants as they always have, ISO-8601 text as {@link Instant#toString()} gives it, written with
 * {@link CanonicalInstants#iso} rather than the formatter behind Jackson's serializer: formatting the four instants of
 * a heartbeat's answer took a twelfth of the ledger's allocation (BENCHMARKS.md).
 */
@Configuration(proxyBeanMethods = false)
class InstantJsonConfiguration {

    @Bean
    JsonMapperBuilderCustomizer instantsAsIsoText() {
        return builder -> builder.addModule(module());
    }

    static SimpleModule module() {
        return new SimpleModule("instants-as-iso-text").addSerializer(Instant.class, new IsoText());
    }

    static final class IsoText extends StdScalarSerializer<Instant> {

        IsoText() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator generator, SerializationContext context) {
            generator.writeString(CanonicalInstants.iso(value));
        }
    }
}
