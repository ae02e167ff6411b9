# Xingfeng: `make run` starts a demo city on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO_PASSWORD ?= xingfeng2026
export FLASK_APP := core.app:create_app
export XINGFENG_DEV := 1

.PHONY: run test venv migrate demo lint test-pg clean translations

$(BIN)/xingfeng: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

venv: $(BIN)/xingfeng translations

# The pages' English catalog, compiled from the .po kept in git.
translations: $(BIN)/xingfeng
	@$(BIN)/pybabel compile -d core/web/translations > /dev/null

migrate: venv
	$(BIN)/xingfeng db upgrade

demo: migrate
	$(BIN)/xingfeng tenants sync tenants/specs --default-password '$(DEMO_PASSWORD)'
	$(BIN)/xingfeng public demo-channels
	$(BIN)/xingfeng demo-data

run: demo
	@echo
	@echo "行风建设 Xingfeng is starting at http://$(HOST):$(PORT)/  (log in on the page with a user below)"
	@echo "  API docs (Swagger UI): http://$(HOST):$(PORT)/api/docs"
	@echo "  Log in: POST http://$(HOST):$(PORT)/api/v1/auth/login  {\"username\": ..., \"password\": \"$(DEMO_PASSWORD)\"}"
	@echo "  Demo users (every one's password is $(DEMO_PASSWORD)):"
	@$(BIN)/xingfeng users list | sed 's/^/    /'
	@echo
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - 'core.app:create_app()'

test: venv
	$(BIN)/pytest -q

# Style (ruff) and the architecture's boundaries (import-linter contracts in pyproject.toml).
lint: venv
	$(BIN)/ruff check core plugins tenants tests migrations
	$(BIN)/lint-imports --no-cache

# The suite on the local PostgreSQL, with the roles .ci/run makes (see docs/operations.md).
test-pg: venv
	bash .ci/pg-setup xingfeng_test > .pg-env
	set -a; . ./.pg-env; set +a; $(BIN)/pytest -q

clean:
	rm -rf $(VENV) instance .pytest_cache
