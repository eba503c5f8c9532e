# The two commands a newcomer needs: `make demo` (install, index seeds/, answer the example) and
# `make test` (install, lint, run the test suite). .ci/run calls `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The CPU build, installed before anything can pull in the multi-gigabyte CUDA one.
TORCH ?= torch==2.13.0
QUESTION ?= When is the TUC day of protest?

export HF_HUB_OFFLINE := 1

.PHONY: install demo test lint soak bench bench-engine engine-agreement bench-serve bench-scale bench-ray bench-incremental bench-jsonl serve eval calibrate train-reader learning-curve clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

demo: install
	$(BIN)/footnote index seeds
	$(BIN)/footnote ask "$(QUESTION)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest -q

# The Discord soak test at full size: 50 members, 1,000 questions (`make test` runs 60).
soak: install
	FOOTNOTE_SOAK_QUESTIONS=1000 $(BIN)/pytest -q -s -m soak

bench: install
	$(BIN)/python scripts/benchmark.py

# Today's engine (the numpy BERT, before issue 25) against ONNX Runtime at fp32 and int8: warm
# single question, then 1, 8 and 50 concurrent askers; writes docs/answer-time-vs-askers.png
# (about 6 minutes).
bench-engine: install
	$(BIN)/python scripts/engine_benchmark.py

# Whether int8 keeps the answers: footnote eval at fp32 and at int8 on the seeds and the SQuAD
# dev half, side by side (about 10 minutes; needs ../shared/data).
engine-agreement: install
	$(BIN)/python scripts/engine_agreement.py

# 500 questions from 25 concurrent clients against `footnote serve` on loopback.
bench-serve: install
	$(BIN)/python scripts/serve_benchmark.py

# BM25 and each dense index built and queried at 10k, 100k and 1M chunks (about 15 minutes).
bench-scale: install
	$(BIN)/python scripts/scale_benchmark.py

# The Ray build against the single-machine one: seeds/ and 200 articles, on a local cluster of
# 2 workers started for it (about a minute).
bench-ray: install
	$(BIN)/python scripts/ray_benchmark.py

# Adding 20 articles to / removing one from a 10,000-article index (about 3 minutes).
bench-incremental: install
	$(BIN)/python scripts/incremental_benchmark.py

# Reading a 2 GB JSONL export with a malformed line (about 2 GB of temporary disk).
bench-jsonl: install
	$(BIN)/python scripts/jsonl_benchmark.py

serve: install
	$(BIN)/footnote serve

eval: install
	$(BIN)/footnote eval --retriever all

calibrate: install
	$(BIN)/footnote eval --calibrate

# How the shipped reader in bot/models/reader is made, from the QA sets read in place in
# ../shared/data, in two stages (README, The reader): the first reads 74k questions (about 100
# minutes on 2 cores, bf16), the second goes on from it with a smaller mix, mined same-article
# negatives and near misses made by rule, at a lower learning rate (about 45 minutes); then the
# answering model is refitted to the new weights on the reader's held-out articles. A killed
# stage continues with `--resume` added to its line. `make learning-curve` draws the curve.
DATA ?= ../shared/data
train-reader: install
	$(BIN)/footnote train-reader --dataset $(DATA)/squad2-dev-half.json \
	  --dataset $(DATA)/squad11-train.json.gz:0.6 --dataset $(DATA)/tydiqa-goldp-en-train.json.gz \
	  --dataset $(DATA)/nq-qed-train.json.gz --dataset $(DATA)/squadshifts-new-wiki.json.gz \
	  --unanswerable-share 0.5 --same-article-negatives 0.1 --bf16 \
	  --curve-at 3000,10000,30000,60000 --out build/reader-stage1
	$(BIN)/footnote train-reader --dataset $(DATA)/squad2-dev-half.json \
	  --dataset $(DATA)/squad11-train.json.gz:0.1 --dataset $(DATA)/tydiqa-goldp-en-train.json.gz:0.5 \
	  --dataset $(DATA)/nq-qed-train.json.gz:0.3 --dataset $(DATA)/squadshifts-new-wiki.json.gz:0.5 \
	  --init-from build/reader-stage1 --near-misses 0.6 --same-article-negatives 0.5 \
	  --learning-rate 3e-5 --bf16 --out bot/models/reader
	$(BIN)/footnote eval --calibrate

learning-curve: install
	$(BIN)/python scripts/learning_curve.py

clean:
	rm -rf .footnote build *.egg-info
