# The entry points of the README. Each sets up a fresh machine first (scripts/setup.sh).
.PHONY: demo test docs

demo:
	scripts/setup.sh
	.venv/bin/ifnonto demo

test:
	scripts/setup.sh --test
	.venv/bin/python -m pytest

# The documentation site (site/index.html) and the README's figure, both generated from the release.
docs:
	scripts/setup.sh --docs
	.venv/bin/ifnonto docs -o site
	cp site/figures/cancer-immunity-cycle.svg docs/cancer-immunity-cycle.svg
