# The two commands a newcomer needs:
#   make run    set up and start Thaw on SQLite at http://127.0.0.1:8000 (another port: make run PORT=8080)
#   make test   set up and run every test (SQLite; CI also runs them on PostgreSQL)
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
BIN    := $(VENV)/bin

.PHONY: run test setup setup-dev setup-wordfinding test-wordfinding lint bench bench-insights bench-reminders bench-wordfinding bench-pages bench-learn clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"

$(VENV)/.runtime: requirements.lock requirements-build.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements-build.lock
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev: requirements-dev.lock requirements-build.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements-build.lock
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@ $(VENV)/.runtime

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

# The optional word-finding model (docs/WORD_FINDING.md): ~100 MB, no deep-learning framework.
$(VENV)/.wordfinding: requirements-wordfinding.lock | $(VENV)/.runtime
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements-wordfinding.lock
	touch $@

setup-wordfinding: $(VENV)/.wordfinding

# The model's own checks: its floor on the held-out sentences, a cross-check of the encoder, and the
# crisis backstop it powers (its figures on blind batch B5).
test-wordfinding: $(VENV)/.dev $(VENV)/.wordfinding
	THAW_REQUIRE_WORDFINDING_MODEL=1 $(BIN)/python -m pytest tests/test_wordfinding_model.py tests/test_crisis_backstop.py -q -p no:cacheprovider

run: $(VENV)/.runtime
	$(BIN)/thaw serve --port $(PORT)

test: $(VENV)/.dev
	$(PYTHON) scripts/ensure_chromium.py
	$(BIN)/python scripts/vendor.py --check
	$(BIN)/python scripts/fetch_axe.py
	$(BIN)/thaw manage makemigrations --check --dry-run
	$(BIN)/ruff check thaw tests benchmarks scripts
	$(BIN)/mypy --ignore-missing-imports --follow-imports=silent $(PURE_CORES)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

PURE_CORES = thaw/checkins/rules.py thaw/checkins/vocabulary.py thaw/assessments/scoring.py \
	thaw/assessments/instruments.py thaw/assessments/charts.py thaw/insights/engine.py \
	thaw/insights/stats_core.py thaw/safety/language.py thaw/safety/backstop.py thaw/safety/ngram.py thaw/checkins/wordfinding.py thaw/checkins/wordmodel.py \
	thaw/reminders/moments.py thaw/clinic/cadence.py

lint: $(VENV)/.dev
	$(BIN)/ruff check thaw tests benchmarks scripts
	$(BIN)/mypy --ignore-missing-imports --follow-imports=silent $(PURE_CORES)

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/checkin_throughput.py

bench-insights: $(VENV)/.dev
	$(BIN)/python benchmarks/insights_bench.py

bench-reminders: $(VENV)/.dev
	$(BIN)/python benchmarks/reminders_bench.py

bench-pages: $(VENV)/.dev
	$(BIN)/python benchmarks/page_speed.py

bench-learn: $(VENV)/.dev
	$(BIN)/python benchmarks/learn_bench.py

bench-wordfinding: $(VENV)/.dev
	$(BIN)/python benchmarks/wordfinding_eval.py
	$(BIN)/python benchmarks/wordfinding_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
