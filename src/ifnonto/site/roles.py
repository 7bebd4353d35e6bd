"""The few properties that give the site's pages their shape. Every other property is shown generically, under
its own label, so a new property in the graph appears on the pages without a change here."""

from ifnonto.iris import BASE, PREFIXES

IFN = BASE
OBO = PREFIXES["obo"]
RDFS = PREFIXES["rdfs"]

LABEL = RDFS + "label"
DEFINITION = OBO + "IAO_0000115"
SYNONYMS = (PREFIXES["oboInOwl"] + "hasExactSynonym", PREFIXES["oboInOwl"] + "hasRelatedSynonym",
            PREFIXES["oboInOwl"] + "hasBroadSynonym", PREFIXES["oboInOwl"] + "hasNarrowSynonym")
XREF = PREFIXES["oboInOwl"] + "hasDbXref"
DESCRIPTION = IFN + "description"

# An assertion node (effect) is recognised by its polarity; these give its row its columns.
POLARITY = IFN + "hasPolarity"
POSITIVE = IFN + "positive"
NEGATIVE = IFN + "negative"
STEP = IFN + "hasStep"
REGULATOR = IFN + "hasRegulator"
DIRECTION = IFN + "hasDirection"
TARGET = IFN + "hasTarget"
IFN_TYPE = IFN + "hasIFNType"
STEP_CLASS = IFN + "CancerImmunityCycleStep"
STEP_NUMBER = IFN + "stepNumber"
INTERFERON_TYPE_CLASS = IFN + "InterferonType"

# Evidence of an assertion or of a fact's owl:Axiom annotation.
CITES = IFN + "citesReference"
REFS_AS_PRINTED = IFN + "referencesAsPrinted"
EVIDENCE_CODE = IFN + "evidenceCode"
SECTION = IFN + "inSection"
REVIEW_STATEMENT = IFN + "reviewStatement"
HEDGE = IFN + "hedge"
EVIDENCE = (CITES, REFS_AS_PRINTED, EVIDENCE_CODE, SECTION, REVIEW_STATEMENT, HEDGE)

# Shown in an effect row's own columns, so left out of its "context" column.
EFFECT_COLUMNS = (LABEL, DESCRIPTION, POLARITY, STEP, REGULATOR, DIRECTION, TARGET, PREFIXES["rdf"] + "type") + EVIDENCE

# Literal properties whose values link to a resolver.
LINKED_LITERALS = {
    IFN + "doi": "https://doi.org/{}",
    IFN + "pmid": "https://pubmed.ncbi.nlm.nih.gov/{}/",
}
