#!/usr/bin/env bash
# Creates the project's Python 3.10 virtualenv once and links it as .venv.
# Rasa 3.6 needs Python < 3.11. The venv lives in a cache keyed by the lock files,
# so fresh clones (CI) reuse it and a change of pins builds a new one.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
  local candidate
  for candidate in "${PYTHON310:-}" python3.10; do
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    local version
    for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10\.[0-9]+$' | sort -t. -k3 -n -r); do
      candidate="$(pyenv root)/versions/$version/bin/python3.10"
      [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
  fi
  for candidate in "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  return 1
}

lock_hash=$(cat requirements.txt requirements-nodeps.txt constraints.txt | sha256sum | cut -c1-16)
cache_root="${MASSAGE_COACH_CACHE:-$HOME/.cache/massage-coach}"
venv_dir="$cache_root/venv-$lock_hash"

if [ ! -f "$venv_dir/.complete" ]; then
  python310=$(find_python310) || {
    echo "error: Python 3.10 not found (Rasa 3.6 needs Python 3.8-3.10)." >&2
    echo "Install it, e.g. 'pyenv install 3.10.13' or 'apt-get install python3.10 python3.10-venv'," >&2
    echo "or point PYTHON310=/path/to/python3.10 at one." >&2
    exit 1
  }
  echo "Creating virtualenv with $python310 in $venv_dir (first run: about 3 minutes)"
  rm -rf "$venv_dir"
  mkdir -p "$cache_root"
  "$python310" -m venv "$venv_dir"
  # This machine's pip config names local mirrors that may be absent: drop those warnings.
  pip_install() {
    "$venv_dir/bin/pip" install --quiet --disable-pip-version-check "$@" \
      2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  }
  pip_install --upgrade pip==24.0
  pip_install -r requirements.txt -c constraints.txt
  pip_install --no-deps -r requirements-nodeps.txt -c constraints.txt
  touch "$venv_dir/.complete"
fi
ln -sfn "$venv_dir" .venv
