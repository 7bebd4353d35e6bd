// OWL 2 DL profile check of an ontology file with the OWL API (the library Protégé is built on).
// Usage: java -cp <owlapi classpath>:. OwlDlCheck FILE...
// Prints, per file, the format the OWL API parsed, axiom and entity counts, and every OWL 2 DL profile
// violation. Imports are never fetched. Exit code: 0 no violation, 1 violations, 2 a file cannot be loaded.

import java.io.File;
import java.util.List;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public final class OwlDlCheck {
    private OwlDlCheck() {
    }

    public static void main(String[] args) {
        int status = 0;
        for (String name : args) {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
                    .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT)
                    .setFollowRedirects(false);
            OWLOntology ontology;
            try {
                ontology = manager.loadOntologyFromOntologyDocument(new FileDocumentSource(new File(name)), config);
            } catch (Exception e) {
                System.out.println(name + ": cannot load: " + e.getClass().getSimpleName() + ": "
                        + String.valueOf(e.getMessage()).split("\n")[0]);
                status = Math.max(status, 2);
                continue;
            }
            OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
            List<OWLProfileViolation> violations = report.getViolations();
            System.out.println(name + ": format=" + manager.getOntologyFormat(ontology).getKey()
                    + " axioms=" + ontology.getAxiomCount()
                    + " logicalAxioms=" + ontology.getLogicalAxiomCount()
                    + " classes=" + ontology.getClassesInSignature().size()
                    + " individuals=" + ontology.getIndividualsInSignature().size()
                    + " objectProperties=" + ontology.getObjectPropertiesInSignature().size()
                    + " violations=" + violations.size());
            for (OWLProfileViolation violation : violations) {
                System.out.println("  VIOLATION " + violation.getClass().getSimpleName() + ": "
                        + violation.toString().replace('\n', ' '));
            }
            if (!violations.isEmpty()) {
                status = Math.max(status, 1);
            }
        }
        System.exit(status);
    }
}
