"""Every text of the release (definitions, descriptions, notes, comments) is in the curators' own words: none
shares 12 or more consecutive words with the review. The review's text lives beside the project (the seed
folder), not in it; the test runs wherever that folder is found."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from ifnonto import paths

ROOT = Path(__file__).resolve().parents[1]
SEED = Path(os.environ.get("IFN_SEED_DIR", ROOT.parent / "shared" / "seed"))
RUN = 12


def _words(text: str) -> list[str]:
    text = re.sub(r"-\s*\n\s*", "", text)          # words hyphen-broken across lines in the PDF extraction
    text = re.sub(r"(?<=[^\W\d_])\d+(?:[–,-]\d+)*", " ", text)  # reference numbers run into words: body28
    return re.findall(r"[^\W\d_]+", text.lower())


def _runs(words: list[str], n: int = RUN) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def copied_runs(texts: dict[str, str], review: str, n: int = RUN) -> dict[str, tuple[str, ...]]:
    """For each text that shares ``n`` consecutive words with ``review``: the first such run."""
    review_runs = _runs(_words(review), n)
    found = {}
    for key, text in texts.items():
        words = _words(text)
        for i in range(len(words) - n + 1):
            run = tuple(words[i:i + n])
            if run in review_runs:
                found[key] = run
                break
    return found


def release_texts() -> dict[str, str]:
    """Every prose literal of the asserted release (not labels, which name things, nor the values recorded
    "as printed", which are quotes by design), keyed by subject and property."""
    texts = {}
    for quad in ox.parse(path=str(paths.release_file("nt")), format=ox.RdfFormat.N_TRIPLES):
        obj, prop = quad.object, quad.predicate.value
        if prop.endswith(("#label", "AsPrinted")):
            continue
        if isinstance(obj, ox.Literal) and len(obj.value.split()) >= RUN:
            key = f"{getattr(quad.subject, 'value', quad.subject)} {quad.predicate.value.rsplit('/', 1)[-1]}"
            texts[key + f" #{len(texts)}"] = obj.value
    return texts


def test_the_detector_finds_a_copied_run_and_ignores_a_shorter_one():
    review = "Interferons were first described as agents that interfere with viral replication in cells of " \
             "the chick embryo membrane in the laboratory."
    copied = "As noted: interferons were first described as agents that interfere with viral replica-\ntion in " \
             "cells of ours."
    own = "Interferons were first described as agents that interfere with viral growth."
    found = copied_runs({"copied": copied, "own": own}, review)
    assert set(found) == {"copied"}


@pytest.mark.skipif(not (SEED / "README.md").is_file(), reason=f"the review's text is not at {SEED}")
def test_no_text_of_the_release_copies_twelve_words_of_the_review():
    review = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEED.glob("*.txt")))
    assert len(_words(review)) > 5_000
    texts = release_texts()
    assert len(texts) > 500
    found = copied_runs(texts, review)
    assert not found, "\n".join(f"{key}: {' '.join(run)}" for key, run in sorted(found.items()))
