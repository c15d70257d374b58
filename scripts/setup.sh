#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine for the project, idempotently.
#
#   scripts/setup.sh          Python packages to build and serve the site,
#                             plus Debian's Fashion-MNIST and CJK fonts
#   scripts/setup.sh --test   also the test tools, Debian's Chromium, a
#                             reader's environment (.reader-venv: only mxnet,
#                             numpy<1.24, matplotlib, ipykernel and nbclient)
#                             and execnotes without MXNet (.bare-venv)
#   scripts/setup.sh --bare   the first line's, plus .bare-venv: execnotes
#                             (this project, without its dependencies), the
#                             plugin's own (mkdocs, pymdown-extensions) and
#                             numpy; no mxnet, no matplotlib (tests/runner/
#                             test_without_mxnet.py builds a site there)
#
# Debian packages are installed only when apt-get is there and we are root
# (or have sudo); without them the notes read Fashion-MNIST from a folder you
# name (FASHION_MNIST_ROOT) or let Gluon download it on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
want_bare=0
[ "${1:-}" = "--test" ] && want_tests=1 && want_bare=1
[ "${1:-}" = "--bare" ] && want_bare=1

apt_packages=(dataset-fashion-mnist fonts-noto-cjk)
[ "$want_tests" = 1 ] && apt_packages+=(chromium)

missing=()
for package in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
        || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if command -v apt-get >/dev/null; then
        sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        echo "setup: installing Debian packages: ${missing[*]}"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
            --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "setup: no apt-get; skipping ${missing[*]} (see README)" >&2
    fi
fi

python=${PYTHON:-}
if [ -z "$python" ]; then
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
            python=$candidate
            break
        fi
    done
fi
if [ -z "$python" ]; then
    echo "setup: Python 3.11 is needed (mxnet 1.9.1 has no wheels for newer" \
        "Pythons); set PYTHON=/path/to/python3.11" >&2
    exit 1
fi

# The project's venv and the reader's are independent: with --test they
# install side by side (pip spends much of its time waiting on downloads
# and unpacking, so two installs take little more than the larger one).
install_project() {
    [ -x .venv/bin/python ] || "$python" -m venv .venv
    local extra=""
    [ "$want_tests" = 1 ] && extra="[test]"
    .venv/bin/python -m pip install -q --disable-pip-version-check \
        -c constraints.txt -e ".${extra}"
}
# What a reader has: the notebooks and the "copy runnable" code must run
# there, where neither this project nor snippets is installed (tests/reader).
install_reader() {
    [ -x .reader-venv/bin/python ] || "$python" -m venv .reader-venv
    .reader-venv/bin/python -m pip install -q --disable-pip-version-check \
        "mxnet==1.9.1" "numpy<1.24" matplotlib ipykernel nbclient
}
# A site without MXNet: mkdocs, pymdown-extensions and numpy, and this
# checkout's execnotes, editable so that it runs this checkout; --no-deps
# keeps the notes' mxnet and matplotlib out (tests/runner/test_without_mxnet).
# Its libraries install beside the others; the checkout itself after the
# project's own editable install (both would write its egg-info at once).
install_bare_libraries() {
    rm -rf .bare-venv
    "$python" -m venv .bare-venv
    .bare-venv/bin/python -m pip install -q --disable-pip-version-check \
        -c constraints.txt mkdocs pymdown-extensions "numpy<1.24"
}
bare=0
[ "$want_bare" = 1 ] && [ ! -e .bare-venv/ready ] && bare=1
helpers=()
if [ "$want_tests" = 1 ]; then
    install_reader &
    helpers+=($!)
fi
if [ "$bare" = 1 ]; then
    install_bare_libraries &
    helpers+=($!)
fi
install_project
for helper in "${helpers[@]}"; do
    wait "$helper" || { echo "setup: the reader's or the bare environment failed" >&2; exit 1; }
done
if [ "$bare" = 1 ]; then
    .bare-venv/bin/python -m pip install -q --disable-pip-version-check \
        --no-deps -e .
    touch .bare-venv/ready
fi
# Matplotlib finds a newly installed CJK font only after its cache is rebuilt.
.venv/bin/python -c "import matplotlib.font_manager as f; f._load_fontmanager(try_read_cache=False)"
echo "setup: ready (.venv$([ "$want_tests" = 1 ] && echo ", .reader-venv")$([ "$want_bare" = 1 ] && echo ", .bare-venv"))"
