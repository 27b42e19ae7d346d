# The report's two commands:  `make build` (HTML and PDF)  and  `make test`;  `make check` is the fast tier of the tests.
# Both set up everything first: Debian packages where missing, then a virtual environment in .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
JB := $(VENV)/bin/jupyter-book
JB_FLAGS := -n -W --keep-going
# What the build needs from the system (Debian/Ubuntu names): XeLaTeX with Chinese support, CJK fonts,
# the PDF's Latin fonts (TeX Gyre, DejaVu), fontconfig's fc-match (szhk_sphinx.pdf finds the CJK faces with it), PDF
# tools, and Chromium for the browser tests.
# texlive-plain-generic, texlive-fonts-recommended and latex-cjk-common hold files the LaTeX run reads (its .fls)
# that the packages above only recommend.
APT_PACKAGES := python3-venv texlive-xetex texlive-lang-chinese texlive-latex-extra texlive-bibtex-extra \
                texlive-plain-generic texlive-fonts-recommended latex-cjk-common \
                latexmk fontconfig fonts-noto-cjk fonts-texgyre fonts-dejavu-core poppler-utils chromium
.PHONY: build test check bench setup system-deps clean clean-cache

# tools/build.py: jupyter-book build (HTML, then PDF) in _build/.work/, then one atomic publish of both
# (_build/html and _build/pdf); a failed build leaves the last published edition untouched.
build: setup
	$(PY) tools/build.py

# Seconds and notebooks executed for a cold, a no-op, a one-CSV and a new-edition build, on a temporary copy; the
# no-op's share of a cold build and the notebooks one new GII edition re-executes.
bench: setup
	$(PY) tools/bench.py

# axe-core, which tests/test_browser.py runs in Chromium on every page (pinned in tests/package-lock.json).
AXE := tests/node_modules/axe-core/axe.min.js

# Every test: the fast tier and those that read the built book or build copies of it (marked needs_build).
test: build $(AXE)
	$(PY) -m pytest tests

# The fast tier: the tests that need no book build (under a minute after set-up on two cores; creates no _build),
# spread over the machine's cores by pytest-xdist.
check: setup
	$(PY) -m pytest tests -m "not needs_build" -n auto

# Needs Node.js and npm: installed from Debian where missing.
$(AXE): tests/package.json tests/package-lock.json
	@command -v npm >/dev/null || { \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; echo "Installing Debian packages: nodejs npm"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
	npm ci --prefix tests --no-audit --no-fund
	touch $@

setup: system-deps $(VENV)/.installed

# Installs the Debian packages that are missing (with what they recommend, as TeX Live expects); elsewhere
# stops and names them.
system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done | xargs); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null; then \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  echo "Installing Debian packages: $$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "缺少系统软件包 / missing system packages (Debian/Ubuntu names): $$missing" >&2; \
	  echo "请先安装它们，再运行 make。 Install them, then run make again." >&2; exit 1; \
	fi

$(VENV)/.installed: requirements.txt pyproject.toml book/gbt7714/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.txt -e book/gbt7714 -e '.[test]'
	@# matplotlib caches the font list: rebuild it so the CJK fonts installed above are found.
	$(PY) -c "import matplotlib.font_manager as fm; fm._load_fontmanager(try_read_cache=False)"
	touch $@

# The published edition (_build/site and the folder it points to, _build/html, _build/pdf, and the previous
# edition the change report compares with) is never removed by these: only what the next build can make again.
# clean-cache: the build's caches (_build/.work: executed notebooks, Sphinx's environment, LaTeX files, validated
# data, cut fonts); the next build is a cold one.
clean-cache:
	rm -rf _build/.work

# clean: the caches, and anything a stopped build left beside the published edition (a half-made .site-staging,
# editions no longer published), pruned as a publish prunes them (tools/build.py --clean).
clean: clean-cache
	@if [ -x $(PY) ]; then $(PY) tools/build.py --clean; \
	else echo "$(PY) is missing: run make setup, then make clean again, to remove old editions" >&2; fi
