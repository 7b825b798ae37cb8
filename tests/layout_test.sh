#!/usr/bin/env bash
# Keeps src/ a map of the engine (see README "Development"): every file includes only its own
# folder and the folders its library links (CMakeLists.txt), and no file passes 600 lines.
#
#   tests/layout_test.sh SRC_DIR
set -uo pipefail
src=${1:?usage: layout_test.sh SRC_DIR}

declare -A allowed=(
  [base]="base"
  [config]="base config"
  [db]="base config db"
  [migrate]="base config db migrate"
  [seed]="base config db seed"
  [data]="base config db data"
  [lint]="base config db migrate lint"
  [testdb]="base config db data testdb"
  [fleet]="base config db fleet"
  [report]="base report"
  [cli]="base config db migrate lint seed data testdb fleet report cli"
)

failures=0
for dir in "$src"/*/; do
  folder=$(basename "$dir")
  if [[ -z ${allowed[$folder]+x} ]]; then
    echo "src/$folder: a folder the layout does not know; add it to tests/layout_test.sh and CMakeLists.txt"
    failures=$((failures + 1))
    continue
  fi
  for file in "$dir"*.cpp "$dir"*.hpp; do
    [[ -e $file ]] || continue
    while IFS=: read -r line target; do
      used=${target%%/*}
      if [[ $target != */* ]]; then
        [[ $folder == cli && $target == dbtool_version.hpp ]] && continue
        echo "src/$folder/$(basename "$file"):$line: includes \"$target\" without a folder"
        failures=$((failures + 1))
      elif [[ " ${allowed[$folder]} " != *" $used "* ]]; then
        echo "src/$folder/$(basename "$file"):$line: includes \"$target\", but $folder/ may use only: ${allowed[$folder]}"
        failures=$((failures + 1))
      fi
    done < <(grep -n '^#include "' "$file" | sed -E 's/^([0-9]+):#include "([^"]+)".*/\1:\2/')
    lines=$(wc -l <"$file")
    if ((lines > 600)); then
      echo "src/$folder/$(basename "$file"): $lines lines; split it (one idea per file, at most 600)"
      failures=$((failures + 1))
    fi
  done
done

if ((failures > 0)); then
  echo "layout: $failures problem(s)"
  exit 1
fi
echo "layout: every include follows base <- config <- db <- migrate|seed|data|fleet, migrate <- lint, data <- testdb, report <- base; cli on top"
