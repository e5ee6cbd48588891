PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint clean package test-ddblocal swagger-ui test-clients
.PHONY: deploy-local deploy-local-stop test-deployed

$(BIN)/python:
	@echo "Creating the virtualenv $(VENV) (first run only)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	@echo "Installing the Python packages into $(VENV) (first run: a minute or two)..."
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) swagger-ui

## swagger-ui: the assets of the GET /docs page (npm swagger-ui-dist, pinned) into chalicelib/health/static/.
swagger-ui:
	bash scripts/swagger_ui.sh

## make run: the API on http://127.0.0.1:$(PORT) over DynamoDB Local + MiniStack (S3), data kept in .local-data/.
##   FRESH=1 starts empty; DEMO=1 seeds the demo catalog; STANDIN=moto serves from moto (in memory, slow).
FRESH ?=
DEMO ?=
STANDIN ?=
run:
	@scripts/prerequisites.sh $(STANDIN)
	@$(MAKE) --no-print-directory install VENV=$(VENV)
	PORT=$(PORT) FRESH=$(FRESH) DEMO=$(DEMO) STANDIN=$(STANDIN) $(BIN)/python scripts/local_stack.py

## make test: install what the tests need and run the whole suite (unit, HTTP, smoke over real HTTP).
test: lint
	$(MAKE) --no-print-directory test-clients VENV=$(VENV)
	bash scripts/ensure_chromium.sh
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory test-ddblocal VENV=$(VENV)
	$(MAKE) --no-print-directory test-deployed VENV=$(VENV)

## make test-clients: clients generated from /openapi.json by openapi-python-client and openapi-typescript (pinned,
##   in a cache outside the repo) come out with no warning, and tests/clients/ programs type-check against them.
test-clients: install
	PYTHON=$(BIN)/python bash scripts/test_clients.sh

## make test-ddblocal: the HTTP/service suite again with DynamoDB on AWS's DynamoDB Local (java + npm).
DDBLOCAL_ARGS ?= --ignore=tests/deploy --ignore=tests/smoke --ignore=tests/fuzz --ignore=tests/browser
test-ddblocal: install
	scripts/dynamodb_local.sh run -- $(BIN)/python -m pytest -q -p no:cacheprovider $(DDBLOCAL_ARGS)

## make package: dist/template.json (one Lambda function per route) + dist/deployment.zip; see docs/deployment.md.
package: install
	$(BIN)/python scripts/package.py --stage prod --out dist $(if $(MERGE),--merge-template $(MERGE))

## make deploy-local: dist/ deployed into MiniStack (local AWS emulator) as docs/deployment.md deploys to AWS,
## seeded through its Seed function; prints the API's URL. Ctrl-C or `make deploy-local-stop` removes it all.
deploy-local: package
	$(BIN)/python scripts/deploy_local.py $(if $(DEPLOY_LOCAL_PORT),--port $(DEPLOY_LOCAL_PORT))

deploy-local-stop: install
	$(BIN)/python scripts/deploy_local.py stop

## make test-deployed: the smoke suite (tests/smoke) against the per-route stack deployed into MiniStack.
test-deployed: package
	SMOKE_STACKS=deployed DEPLOY_DIST=dist $(BIN)/python -m pytest -q -p no:cacheprovider tests/smoke

## make lint: ruff (ruff.toml) and the import contract (.importlinter: core ← identity ← domains ← catalog ← stores).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache dist chalicelib/health/static/swagger-ui  # .local-data/ (make run's data) stays: FRESH=1 forgets it
