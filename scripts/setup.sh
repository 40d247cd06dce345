#!/usr/bin/env bash
# Installs the Debian packages that loco's build, tests, fuzzing and benchmarks need.
# Idempotent: packages already present are skipped by apt.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libpcre2-dev libyaml-cpp-dev libedit-dev
  libcurl4-openssl-dev
  libcpp-httplib-dev libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy
  wordnet-base
)
# The NEON kernels are checked on x86 machines by cross-compiling them and running the
# checker under user-mode emulation (scripts/test-neon.sh).
if [ "$(uname -m)" = x86_64 ]; then packages+=(g++-aarch64-linux-gnu qemu-user); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
