package dev.claimsledger.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CanonicalFormTest {

    private static final ObjectMapper STORED = LedgerObjectMapper.create();

    /** Compaction compares and gives back stored rows byte for byte, so the column must be the mapper's bytes. */
    @Test
    void theMetadataColumnIsTheMetadataAsTheStoredFormatWritesIt() throws Exception {
        Random random = new Random(20261205);
        for (int i = 0; i < 1_000; i++) {
            byte[] digest = new byte[32];
            random.nextBytes(digest);
            String hash = HexFormat.of().formatHex(digest);

            assertThat(CanonicalForm.metaDataColumn(hash)).isEqualTo(STORED.writeValueAsBytes(
                    CanonicalForm.metaData(hash)));
        }
    }
}
