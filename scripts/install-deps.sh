#!/usr/bin/env bash
# Installs every Debian package Airlock needs to build, test and demo.
# Idempotent: a package already present is skipped, so a warm machine pays nothing.
set -euo pipefail

PKGS=(
  build-essential g++-12 cmake ninja-build ccache pkg-config git
  clang-16 libclang-rt-16-dev
  libboost1.81-dev libssl-dev libyaml-cpp-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libcli11-dev libsqlite3-dev
  libpg-query-dev libprotobuf-c-dev postgresql-server-dev-15 libpq-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-client-15 postgresql-contrib pgbouncer
  python3-psycopg python3-psycopg2 python3-sqlalchemy python3-asyncpg python3-yaml
  python3-pytest python3-pytest-timeout openssl
  libpostgresql-jdbc-java default-jdk-headless
)
# The machine image ships Node.js 20 with its own npm; Debian's npm conflicts with it.
command -v npm >/dev/null 2>&1 || PKGS+=(nodejs npm)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# pgbouncer's package enables a system service; the bench starts its own instance.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now pgbouncer >/dev/null 2>&1 || true; fi

# JavaScript test clients (node-postgres), pinned by package-lock.json.
if [ -f tests/js/package.json ] && [ ! -d tests/js/node_modules/pg ]; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error)
fi
# MCP test clients (@modelcontextprotocol/sdk 1.x, /client 2.x), the conformance suite and the
# Node 22 it needs (npm package `node`, binary at tests/mcp/node_modules/node/bin/node; the
# system Node is left alone), pinned by package-lock.json.
if [ -f tests/mcp/package.json ] && { [ ! -x tests/mcp/node_modules/node/bin/node ] ||
     [ ! -d tests/mcp/node_modules/@modelcontextprotocol/conformance ]; }; then
  (cd tests/mcp && npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error)
fi
