# The two entry points of the README. Both set up a fresh machine first (scripts/setup.sh).
.PHONY: demo test

demo:
	scripts/setup.sh
	.venv/bin/ifnonto demo

test:
	scripts/setup.sh --test
	.venv/bin/python -m pytest
