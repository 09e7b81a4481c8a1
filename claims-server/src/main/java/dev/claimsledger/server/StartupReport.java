package dev.claimsledger.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Says, once the service is ready, where it listens and where its data lives.
 */
@Component
class StartupReport {

    private static final Logger log = LoggerFactory.getLogger(StartupReport.class);

    private final Environment environment;
    private final ClaimsProperties properties;

    StartupReport(Environment environment, ClaimsProperties properties) {
        this.environment = environment;
        this.properties = properties;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        String url = environment.getProperty("spring.datasource.url", "");
        String data = url.startsWith("jdbc:h2:file:")
                ? "H2 files in " + properties.dataDir().toAbsolutePath().normalize()
                : url.replaceAll("(?i)password=[^&;]*", "password=***");
        if (event.getApplicationContext() instanceof WebServerApplicationContext web && web.getWebServer() != null) {
            String address = environment.getProperty("server.address", "0.0.0.0");
            log.info("claims-ledger listening on http://{}:{} ; data: {}", address, web.getWebServer().getPort(), data);
        } else {
            log.info("claims-ledger ready without HTTP; data: {}", data);
        }
    }
}
