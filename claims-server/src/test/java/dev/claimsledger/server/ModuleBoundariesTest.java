package dev.claimsledger.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the module boundaries of STYLE.md true: the API is messages only, the core knows nothing of storage or HTTP,
 * the read model knows nothing of the aggregate, the Merkle log is a module of its own without Spring Boot, the
 * worker client knows nothing of the ledger's own modules.
 */
class ModuleBoundariesTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.claimsledger");
    }

    @Test
    void theApiHoldsOnlyRecordsAndEnumsThatDependOnNothingButAnnotations() {
        classes().that().resideInAPackage("dev.claimsledger.api")
                .and().areNotAnnotatedWith(Deprecated.class)
                .and().doNotHaveSimpleName("package-info")
                .and().doNotHaveSimpleName("ClaimEvent")
                .should().beRecords().orShould().beEnums()
                .check(classes);
        classes().that().resideInAPackage("dev.claimsledger.api")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.claimsledger.api", "java..",
                        "com.fasterxml.jackson.annotation..", "org.axonframework.modelling.command")
                .check(classes);
    }

    @Test
    void theCoreKnowsNothingOfStorageHttpOrTheReadModel() {
        // but its two storage adapters: the deadline table (LeaseDeadlines) and the streams' last events (LastEvents)
        noClasses().that().resideInAPackage("dev.claimsledger.core..")
                .and().doNotHaveSimpleName("LeaseDeadlines").and().doNotHaveSimpleName("LastEvents")
                .should().dependOnClassesThat().resideInAnyPackage("dev.claimsledger.server..",
                        "dev.claimsledger.projection..", "org.springframework.jdbc..", "org.springframework.web..",
                        "java.sql..", "jakarta.servlet..")
                .check(classes);
    }

    @Test
    void theMerkleLogKnowsNothingOfSpringBootTheServerTheAggregateOrHttp() {
        noClasses().that().resideInAPackage("dev.claimsledger.merkle..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.boot..",
                        "dev.claimsledger.server..", "dev.claimsledger.core..", "dev.claimsledger.projection..",
                        "dev.claimsledger.api..", "org.springframework.web..", "jakarta.servlet..")
                .check(classes);
    }

    @Test
    void theWorkerClientDependsOnNothingButTheJdkJacksonAndSlf4j() {
        classes().that().resideInAPackage("dev.claimsledger.client..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.claimsledger.client..", "java..",
                        "com.fasterxml.jackson..", "org.slf4j..")
                .check(classes);
    }

    @Test
    void theReadModelKnowsNothingOfTheAggregateOrTheServer() {
        noClasses().that().resideInAPackage("dev.claimsledger.projection..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.claimsledger.core..",
                        "dev.claimsledger.server..")
                .check(classes);
    }
}
