#!/usr/bin/env bash
# Compiles every LaTeX table of examples/tables/output/tables/ with pdflatex, each in a minimal article with the
# packages the table's first line names, and renders page 1 to PNG (pdftoppm, poppler-utils) cropped to the table,
# into examples/tables/rendered/. Needs texlive-latex-base + texlive-latex-extra (booktabs, threeparttable).
# Run from the repository root: bash scripts/examples/compile_tables.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=examples/tables/rendered
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
for tex in examples/tables/output/tables/*.tex; do
  name=$(basename "$tex" .tex)
  packages=$(head -1 "$tex" | grep -o '\\usepackage{[a-z]*}' | tr '\n' ' ')
  {
    echo '\documentclass{article}'
    echo '\usepackage[T1]{fontenc}'
    echo '\usepackage[margin=1in,landscape]{geometry}'
    echo "$packages"
    echo '\pagestyle{empty}'
    echo '\begin{document}'
    echo "\\input{$name-table.tex}"
    echo '\end{document}'
  } > "$work/$name.tex"
  cp "$tex" "$work/$name-table.tex"
  (cd "$work" && pdflatex -interaction=nonstopmode -halt-on-error "$name.tex" > "$name.log" 2>&1) || {
    echo "pdflatex failed on $tex:"; grep -A3 '^!' "$work/$name.log"; exit 1; }
  pdftoppm -png -r 110 -singlefile "$work/$name.pdf" "$work/$name"
  # Crop to the printed area with a small margin (ImageMagick is not needed: pdftoppm's own -x/-y/-W/-H).
  pdftoppm -png -r 110 -singlefile -x 60 -y 60 -W 1090 -H 800 "$work/$name.pdf" "$out/$name"
  echo "$tex -> $out/$name.png"
done
