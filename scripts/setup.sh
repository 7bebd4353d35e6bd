#!/usr/bin/env bash
# Set up a fresh machine for ifn-cancer: system packages (Java for the reasoners), then a virtualenv with the
# package and, with --test, its test dependencies. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1
# --docs: what `make docs` needs (Graphviz for the figures), without the test tools.
[ "${1:-}" = "--docs" ] && WANT_DOCS=1

apt_packages=()
command -v java >/dev/null 2>&1 || apt_packages+=(default-jre-headless)
if [ "$want_test" = 1 ]; then
  # The tests also compile an OWL API checker (javac + Debian's OWL API) and start a Virtuoso server.
  command -v javac >/dev/null 2>&1 || apt_packages+=(default-jdk-headless)
  [ -f /usr/share/java/owlapi-distribution.jar ] || apt_packages+=(libowlapi-java)
  command -v virtuoso-t >/dev/null 2>&1 || apt_packages+=(virtuoso-opensource)
  # The documentation-site tests render pages in a headless browser (Debian's, never a downloaded one).
  command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || apt_packages+=(chromium-driver)
fi
if [ "$want_test" = 1 ] || [ "${WANT_DOCS:-0}" = 1 ]; then
  # The documentation site's figures are drawn by Graphviz (`dot`).
  command -v dot >/dev/null 2>&1 || apt_packages+=(graphviz)
fi
if [ "${#apt_packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: ${apt_packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  else
    echo "missing system packages (install them first): ${apt_packages[*]}" >&2
  fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# The test setup and CI install the exact versions of requirements.lock (scripts/update-lock.sh makes it); a
# user's install takes the ranges of pyproject.toml.
constraints=()
if [ "$want_test" = 1 ] || [ "${CI:-}" = "true" ]; then
  constraints=(-c requirements.lock)
fi
if [ "$want_test" = 1 ]; then
  .venv/bin/python -m pip install -q "${constraints[@]}" -e '.[test]'
elif [ "${WANT_DOCS:-0}" = 1 ]; then
  .venv/bin/python -m pip install -q "${constraints[@]}" -e '.[docs]'
else
  .venv/bin/python -m pip install -q "${constraints[@]}" -e .
fi
