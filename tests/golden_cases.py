"""The golden cases: every packaged query with its default parameters, plus parameter variants."""

from __future__ import annotations

from ifnonto.queries import registry

VARIANTS = {
    "ifn-type-members": [{"type": "type-II-IFN"}, {"type": "type-III-IFN"}],
    "signaling-cascade": [{"ifn": "IFNB1"}, {"ifn": "IFNL1"}],
    "ifn-induction": [{"ifn": "IFNG"}, {"ifn": "IFNA"}],
    "ifn-producers": [{"ifn": "IFNA"}],
    "receptor-subunits": [{"receptor": "IFNGR"}],
    "step-effects": [{"step": f"cycle-step-{n}"} for n in (1, 3, 4, 5, 6, 7)],
    "double-edged-effects": [{"regulator": "type-I-IFN"}],
    "studies-by-cancer": [{"cancer": "colon-cancer"}],
    "studies-by-ifn": [{"type": "type-I-IFN"}, {"type": "type-II-IFN"}],
    "entity-profile": [{"entity": "CD274"}, {"entity": "ferroptosis"}],
    "isgs-by-type": [{"type": "type-II-IFN"}],
    "effects-by-species": [{"species": "human"}],
    "effects-under-class": [{"class": "GO:0012501"}, {"class": "MONDO:0004993"}],
    "studies-under-cancer-class": [{"class": "MONDO:0004992"}],
    "isgs-by-function": [{"class": "CellDeathPromotingMolecule"}, {"class": "ImmuneCheckpointMolecule"}],
    "cell-death-genes": [{"ifn": "IFNA"}],
}

CASES: dict[str, tuple[str, dict[str, str]]] = {}
for _name in registry():
    CASES[_name] = (_name, {})
    for _i, _params in enumerate(VARIANTS.get(_name, []), start=1):
        CASES[f"{_name}--{'-'.join(_params.values()).replace(':', '_')}"] = (_name, _params)
