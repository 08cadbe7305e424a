#!/usr/bin/env bash
# build.sh: compiles every bpf/*.c into bpf/*.o next to it (npm run build:bpf).
# Skips with a message when clang is absent. Reproducible: no absolute paths
# are embedded (debug prefix map) and objects are built from the bpf/ dir.
set -euo pipefail
here="${BASH_SOURCE[0]%/*}"
[ "$here" = "${BASH_SOURCE[0]}" ] && here=.
cd "$here"
CLANG="${CLANG:-clang}"
if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "build:bpf: $CLANG not found; skipping (committed .o files are used as is)"
	exit 0
fi
ARCH_INC="/usr/include/$(uname -m)-linux-gnu"
CFLAGS=(-O2 -g -target bpf -Wall -Wno-unused-function
	-I"$ARCH_INC" -I.
	-fdebug-prefix-map="$PWD"=. -fno-ident)
status=0
for src in *.c; do
	obj="${src%.c}.o"
	if "$CLANG" "${CFLAGS[@]}" -c "$src" -o "$obj"; then
		echo "build:bpf: $obj"
	else
		echo "build:bpf: FAILED $src" >&2
		status=1
	fi
done
exit $status
