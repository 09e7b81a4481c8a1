package dev.claimsledger.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.springframework.web.util.UriUtils;

/** Which requests get the operator page's headers: those whose first segment, as Spring MVC routes it, is ops. */
class OpsPageHeadersTest {

    @Test
    void theFirstSegmentDecidesAsSpringMvcRoutesIt() {
        assertThat(OpsPageHeaders.isOpsPath("/ops")).isTrue();
        assertThat(OpsPageHeaders.isOpsPath("/ops/app.js")).isTrue();
        assertThat(OpsPageHeaders.isOpsPath("//ops;x=1/")).isTrue();
        assertThat(OpsPageHeaders.isOpsPath("/;x/ops")).isTrue();
        assertThat(OpsPageHeaders.isOpsPath("/%6Fps")).isTrue();
        assertThat(OpsPageHeaders.isOpsPath("/opsx")).isFalse();
        assertThat(OpsPageHeaders.isOpsPath("/v1/ops")).isFalse();
        assertThat(OpsPageHeaders.isOpsPath("/%ZZ/ops")).isFalse();
        assertThat(OpsPageHeaders.isOpsPath("/")).isFalse();
        assertThat(OpsPageHeaders.isOpsPath("")).isFalse();
    }

    /** The answers of the first version, which split every path and decoded its segments, over random paths. */
    @Test
    void randomPathsAreAnsweredAsWhenEveryPathWasSplitAndDecoded() {
        char[] alphabet = {'/', '/', ';', '%', 'o', 'p', 's', '6', 'F', 'f', '7', '3', 'x', '='};
        SplittableRandom random = new SplittableRandom(20261205);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder path = new StringBuilder();
            for (int length = random.nextInt(12); length > 0; length--) {
                path.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String rawPath = random.nextInt(4) == 0 ? "/ops" + path : path.toString();
            assertThat(OpsPageHeaders.isOpsPath(rawPath)).as(rawPath).isEqualTo(splitAndDecoded(rawPath));
        }
    }

    private static boolean splitAndDecoded(String rawPath) {
        for (String raw : rawPath.split("/")) {
            int matrix = raw.indexOf(';');
            String segment = matrix < 0 ? raw : raw.substring(0, matrix);
            if (!segment.isEmpty()) {
                try {
                    return UriUtils.decode(segment, StandardCharsets.UTF_8).equals("ops");
                } catch (IllegalArgumentException e) {
                    return false;
                }
            }
        }
        return false;
    }
}
