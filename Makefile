# Palabre: every command a reader, a moderator or CI needs. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# lunr.js and lunr-languages for search, pinned in package-lock.json.
NODE_STAMP := node_modules/.installed
PORT   ?= 8000
OUTPUT ?= output
PELICAN_FLAGS := --fatal errors

.PHONY: help install html serve publish test lint format bench clean messages

help:
	@echo "make serve    build the sample site and serve it on http://localhost:$(PORT)"
	@echo "make html     build the site into $(OUTPUT)/"
	@echo "make publish  build for GitHub Pages (SITEURL from PALABRE_SITEURL)"
	@echo "make test     lint and run the tests"
	@echo "make bench    print build-time and size figures"

# The virtual environment is (re)made whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Search's browser libraries, (re)installed whenever package-lock.json changes.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

html: $(STAMP) $(NODE_STAMP)
	$(BIN)/palabre build content -s pelicanconf.py -o $(OUTPUT) $(PELICAN_FLAGS)

serve: html
	$(BIN)/pelican --listen -s pelicanconf.py -o $(OUTPUT) -p $(PORT) -b 127.0.0.1

publish: $(STAMP) $(NODE_STAMP)
	$(BIN)/palabre build content -s publishconf.py -o $(OUTPUT) $(PELICAN_FLAGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint $(NODE_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Refresh the message template from the templates, then merge it into each catalogue.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o theme/translations/messages.pot .
	$(BIN)/pybabel update -i theme/translations/messages.pot -d theme/translations

bench: $(STAMP) $(NODE_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(OUTPUT) cache .pytest_cache .ruff_cache
