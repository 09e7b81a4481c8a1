package dev.claimsledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConsumerRefTest {

    @ParameterizedTest
    @CsvSource({"acme,worker-1", "a/b,c", "a,b/c", "1:x,y", "tenant with spaces,consumer:7", "ünïcødé,名前"})
    void aStreamIdNamesExactlyOneConsumerAndReadsBackToIt(String tenant, String consumer) {
        String streamId = ConsumerRef.streamId(tenant, consumer);

        assertThat(ConsumerRef.fromStreamId(streamId)).isEqualTo(new ConsumerRef(tenant, consumer));
    }

    @ParameterizedTest
    @CsvSource({"a/b,c,a,b/c", "ab,c,a,bc"})
    void idsThatJoinToTheSameTextStillGetDifferentStreams(String tenant1, String consumer1, String tenant2,
                                                          String consumer2) {
        assertThat(ConsumerRef.streamId(tenant1, consumer1)).isNotEqualTo(ConsumerRef.streamId(tenant2, consumer2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "acme/worker", "x:acme/worker", "9:acme/worker", "4:acmeworker", ":a/b"})
    void textThatIsNotAStreamIdIsRefused(String text) {
        assertThatThrownBy(() -> ConsumerRef.fromStreamId(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
