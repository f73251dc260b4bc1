#!/usr/bin/env bash
# Regenerates the Python stubs of the creditregistry v1 API from proto/.
#
#   ./generate.sh           write the stubs into creditregistry/v1/
#   ./generate.sh --check   regenerate into a temporary directory and fail if
#                           the stubs in creditregistry/v1/ differ
#
# Needs grpcio-tools from requirements-dev.txt (PYTHON selects the
# interpreter; default: python3). google/type and google/rpc are NOT
# generated: the stubs import them from googleapis-common-protos.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

PYTHON="${PYTHON:-python3}"
PROTO_ROOT=../../proto
PACKAGE_DIR=creditregistry/v1
OUT_DIR=creditregistry/v1

usage() {
    echo "usage: $0 [--check]" >&2
    exit 2
}

check=false
case "${1:-}" in
    "") ;;
    --check) check=true ;;
    *) usage ;;
esac
[ $# -le 1 ] || usage

shopt -s nullglob
protos=("$PROTO_ROOT/$PACKAGE_DIR"/*.proto)
shopt -u nullglob
if [ ${#protos[@]} -eq 0 ]; then
    echo "generate.sh: no .proto files in $PROTO_ROOT/$PACKAGE_DIR" >&2
    exit 1
fi

if ! "$PYTHON" -c 'import grpc_tools.protoc' 2>/dev/null; then
    echo "generate.sh: grpcio-tools is not installed for $PYTHON;" \
        "run: $PYTHON -m pip install -r clients/python/requirements-dev.txt" >&2
    exit 1
fi

# generate DIR: writes DIR/creditregistry/v1/*_pb2.py, *_pb2.pyi, *_pb2_grpc.py.
generate() {
    "$PYTHON" -m grpc_tools.protoc \
        -I "$PROTO_ROOT" \
        --python_out="$1" \
        --pyi_out="$1" \
        --grpc_python_out="$1" \
        "${protos[@]}"
}

# The generated files in DIR/creditregistry/v1, by name, sorted.
generated_files() {
    (cd "$1/$OUT_DIR" && ls -1 | grep -E '_pb2(_grpc)?\.pyi?$' | LC_ALL=C sort) || true
}

if ! $check; then
    # Drop stale stubs (e.g. of a removed .proto) before writing fresh ones.
    rm -f "$OUT_DIR"/*_pb2.py "$OUT_DIR"/*_pb2.pyi "$OUT_DIR"/*_pb2_grpc.py
    generate .
    echo "generated $(generated_files . | wc -l | tr -d ' ') files in clients/python/$OUT_DIR"
    exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/$OUT_DIR"
generate "$tmp"

stale=false
if ! diff <(generated_files .) <(generated_files "$tmp") >/dev/null; then
    stale=true
    echo "generate.sh --check: the set of generated files differs (< committed, > fresh):" >&2
    diff <(generated_files .) <(generated_files "$tmp") | grep '^[<>]' >&2 || true
fi
shown_diff=false
for f in $(generated_files "$tmp"); do
    if [ -f "$OUT_DIR/$f" ] && ! cmp -s "$OUT_DIR/$f" "$tmp/$OUT_DIR/$f"; then
        stale=true
        echo "generate.sh --check: $OUT_DIR/$f differs from what the protos generate" >&2
        if ! $shown_diff; then
            shown_diff=true
            diff -u "$OUT_DIR/$f" "$tmp/$OUT_DIR/$f" | head -n 20 >&2 || true
        fi
    fi
done

if $stale; then
    tools_version="$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("grpcio-tools"))' 2>/dev/null || echo unknown)"
    pinned="$(sed -n 's/^grpcio-tools==//p' requirements-dev.txt)"
    echo >&2
    if [ -n "$pinned" ] && [ "$tools_version" != "$pinned" ]; then
        echo "grpcio-tools $tools_version is installed, but the stubs are made with the version" \
            "requirements-dev.txt pins ($pinned), and different versions generate different files." >&2
        echo "Install it (pip install -r clients/python/requirements-dev.txt) and re-run." >&2
    else
        echo "The Python stubs in clients/python/$OUT_DIR are out of date with proto/." >&2
        echo "Run clients/python/generate.sh and commit the result." >&2
    fi
    exit 1
fi
echo "generate.sh --check: stubs in clients/python/$OUT_DIR are up to date"
