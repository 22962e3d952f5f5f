#!/usr/bin/env bash
# The core (Sources/JCFedCore) is pure Swift on the standard library: it decides, and reaches files,
# the clock, NSS, the network and libcrypto only through its seams (Sources/JCFedCore/Seams). Fails
# when a core file imports libc, Foundation or one of the C shims, or keeps a per-platform branch
# (jcfed is Linux only; file and system I/O live in Sources/JCFedSystem).
set -euo pipefail
cd "$(dirname "$0")/../.."
pattern='^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*import[[:space:]]+(Glibc|Musl|Darwin|Foundation|FoundationEssentials|CCurl|COpenSSL|CPAM|CQREncode)\b|canImport\('
hits=$(grep -rnE "$pattern" Sources/JCFedCore --include='*.swift' || true)
if [ -n "$hits" ]; then
  echo "These core files import libc, Foundation or a C shim (move the I/O behind a seam, into JCFedSystem or an adapter):"
  echo "$hits"
  exit 1
fi
echo "core-imports: Sources/JCFedCore imports no libc, Foundation, PAM, curl or OpenSSL"
