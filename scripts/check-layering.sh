#!/usr/bin/env bash
# Fails when a module under src/ includes a header of a module it may not depend on
# (docs/architecture.md, "Modules"), or when protocol/policy/sql include Asio or YAML.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [core]=""
  [protocol]="core"
  [sql]="core"
  [auth]="core"
  [policy]="core sql"
  [config]="core auth policy"
  [audit]="core"
  [state]="core"
  [net]="core"
  [metrics]="core"
  [traffic]="core"
  [http]="core net state metrics"
  [masking]="core"
  [proxy]="core protocol sql policy audit state net config auth metrics traffic masking"
  [access]="core auth config policy state"
  [mcp]="core net protocol proxy config auth audit state policy sql http access"
  [app]="core protocol sql policy audit state net config auth proxy metrics http traffic masking mcp access"
)

status=0
for dir in src/*/; do
  mod=$(basename "$dir")
  if [[ ! -v "allowed[$mod]" ]]; then
    echo "layering: module src/$mod is not in the table (scripts/check-layering.sh)"; status=1; continue
  fi
  while IFS=: read -r file _ inc; do
    dep=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$inc")
    [[ "$dep" == "$mod" || ! -d "src/$dep" ]] && continue  # not one of ours (e.g. PG headers)
    if [[ " ${allowed[$mod]} " != *" $dep "* ]]; then
      echo "layering: $file includes $dep/, which $mod may not depend on"; status=1
    fi
  done < <(grep -rnE '^#include "[a-z_]+/' "$dir" || true)
done
for mod in protocol sql policy core masking; do
  [ -d "src/$mod" ] || continue
  if grep -rnE '#include <(boost/asio|yaml-cpp)' "src/$mod"; then
    echo "layering: src/$mod must not include Asio or yaml-cpp"; status=1
  fi
done
[ $status -eq 0 ] && echo "layering: ok"
exit $status
