#!/usr/bin/env bash
# Installs the Debian packages that loco's build, tests, fuzzing and benchmarks need. With
# --tests (what scripts/test.sh passes) also what only the page and client tests need:
# Chromium, node and the npm packages of tests/web.
# Idempotent: packages already present are skipped by apt.
set -euo pipefail
with_web_tests=0
if [ "${1:-}" = --tests ]; then with_web_tests=1; fi

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libpcre2-dev libyaml-cpp-dev libedit-dev
  libcurl4-openssl-dev openssl
  libcpp-httplib-dev libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy
  wordnet-base
)
# The page and client tests (tests/web) run on node and Chromium; base images that have
# node (e.g. from NodeSource, which bundles npm) keep theirs.
if [ $with_web_tests = 1 ]; then
  packages+=(chromium)
  if ! command -v node >/dev/null; then packages+=(nodejs); fi
  if ! command -v npm >/dev/null; then packages+=(npm); fi
fi
# The NEON kernels are checked on x86 machines by cross-compiling them and running the
# checker under user-mode emulation (scripts/test-neon.sh).
if [ "$(uname -m)" = x86_64 ]; then packages+=(g++-aarch64-linux-gnu qemu-user); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The npm packages of tests/web (puppeteer-core, openai, ollama) at the versions of the
# committed lock file; again only when the lock changed since the last install. Chromium
# comes from Debian above: puppeteer-core never downloads a browser.
web="$(cd "$(dirname "$0")/.." && pwd)/tests/web"
if [ $with_web_tests = 1 ] && ! cmp -s "$web/package-lock.json" "$web/node_modules/.package-lock.json.installed"; then
  echo "setup: npm ci in tests/web"
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix "$web" --no-audit --no-fund --loglevel=error
  cp "$web/package-lock.json" "$web/node_modules/.package-lock.json.installed"
fi
