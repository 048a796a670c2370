# Sourced by the scripts: puts Node >= 22 first on PATH. Debian's or the
# machine's Node may be older (20 here); then Node 22 comes from the npm
# registry (the `node` package ships the official binary) into .tools/.
# shellcheck shell=bash
aims_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ -x "$aims_root/.tools/node_modules/.bin/node" ]; then
  PATH="$aims_root/.tools/node_modules/.bin:$PATH"
fi
if [ "$(node_major)" -lt 22 ]; then
  command -v npm >/dev/null || { echo "npm is needed to fetch Node 22 (apt-get install npm)" >&2; exit 1; }
  echo "[aims] Node $(node --version 2>/dev/null || echo none) is older than 22: installing Node 22 into .tools/" >&2
  npm install --prefix "$aims_root/.tools" --no-audit --no-fund --loglevel=error node@22 >&2
  PATH="$aims_root/.tools/node_modules/.bin:$PATH"
fi
export PATH
[ "$(node_major)" -ge 22 ] || { echo "could not make Node 22 available" >&2; exit 1; }
