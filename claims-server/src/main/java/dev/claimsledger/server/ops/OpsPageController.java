package dev.claimsledger.server.ops;

import io.swagger.v3.oas.annotations.Hidden;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The page itself; its assets are served from {@code static/ops/} as they are. Every address the page uses is
 * relative, so it works under any path prefix a proxy adds: hence the redirect to {@code ops/}, relative too.
 */
@Controller
@Hidden
class OpsPageController {

    static final Resource PAGE = new ClassPathResource("static/ops/index.html");

    @GetMapping("/ops")
    ResponseEntity<Void> withSlash() {
        return ResponseEntity.status(HttpStatus.MOVED_PERMANENTLY).header(HttpHeaders.LOCATION, "ops/").build();
    }

    @GetMapping("/ops/")
    ResponseEntity<Resource> page() {
        return ResponseEntity.ok().contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .body(PAGE);
    }
}
