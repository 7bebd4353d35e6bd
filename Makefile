# The entry points of the README. Each sets up a fresh machine first (scripts/setup.sh).
.PHONY: demo test docs

demo:
	scripts/setup.sh
	.venv/bin/ifnonto demo

# The test files run in parallel, one worker per core up to 4 (pytest-xdist; a worker can hold 3 GB); a file's
# tests share one worker, so its module fixtures (reasoner and SHACL runs) are made once.
test:
	scripts/setup.sh --test
	.venv/bin/python -m pytest -n auto --maxprocesses 4 --dist loadfile

# The documentation site (site/index.html) and the README's figure, both generated from the release.
docs:
	scripts/setup.sh --docs
	.venv/bin/ifnonto docs -o site
	cp site/figures/cancer-immunity-cycle.svg docs/cancer-immunity-cycle.svg
