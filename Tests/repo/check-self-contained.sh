#!/usr/bin/env bash
# The repository must build and test on its own: a user's clone has nothing beside it. Fails when
# a tracked file refers to a folder outside the repository that only the project's own workspace
# had (the sibling "shared" folder), so such a reference cannot creep back in.
set -euo pipefail
cd "$(dirname "$0")/../.."
self=Tests/repo/check-self-contained.sh
pattern='(\.\./shared|(^|[^A-Za-z0-9_.-])shared/)'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files() { git ls-files -z; }
else
  files() { find . -path ./.git -prune -o -path './.build*' -prune -o -type f -print0; }
fi
hits=$(files | grep -zv -e "^$self\$" -e "^\./$self\$" | xargs -0 grep -InE "$pattern" -- 2>/dev/null || true)
if [ -n "$hits" ]; then
  echo "These files refer to a folder outside the repository (vendor what is needed, or say the fact):"
  echo "$hits"
  exit 1
fi
echo "self-contained: no tracked file refers to a folder outside the repository"
