#!/bin/sh
# Rewrite old module paths to the new app layout (issue 13) in the given files:
#   scripts/apply_module_renames.sh $(git diff --name-only main...HEAD)
# Pairs in scripts/module_renames.txt, most specific first; a dotted path is replaced
# only where it is not part of a longer name (so `xportal.tasks` stays as it is).
set -eu
MAP="$(dirname "$0")/module_renames.txt"
script=""
while read -r old new; do
    [ -z "$old" ] && continue
    case "$old" in \#*) continue ;; esac
    o=$(printf '%s' "$old" | sed 's/[.[\*^$/]/\\&/g')
    n=$(printf '%s' "$new" | sed 's/[&/\]/\\&/g')
    script="$script
s/\\(^\\|[^A-Za-z0-9_./]\\)$o/\\1$n/g"
done <"$MAP"
for file in "$@"; do
    [ -f "$file" ] && sed -i "$script" "$file"
done
