"""Settings: defaults, FOOTNOTE_* variables, and clear refusals of values that make no sense."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from tests.imports import heavy_loaded_by


def test_environment_variables_override_the_defaults():
    settings = Settings.from_env(
        {
            "FOOTNOTE_INDEX_DIR": "/srv/idx",
            "FOOTNOTE_K": "7",
            "FOOTNOTE_DENSE_WEIGHT": "0.25",
            "FOOTNOTE_CORPUS": "a:b",
            "FOOTNOTE_DISCORD_CHANNELS": "1, 2",
            "FOOTNOTE_EMBEDDER": "",  # empty means unset
        }
    )
    assert settings.index_dir == Path("/srv/idx") and settings.k == 7
    assert settings.dense_weight == 0.25 and settings.corpus == (Path("a"), Path("b"))
    assert settings.discord_channels == (1, 2) and settings.embedder == Settings().embedder


def test_the_embedder_is_still_read_from_its_earlier_name():
    assert Settings.from_env({"FOOTNOTE_MODEL": "/models/mine"}).embedder == "/models/mine"
    both = {"FOOTNOTE_MODEL": "/models/old", "FOOTNOTE_EMBEDDER": "/models/new"}
    assert Settings.from_env(both).embedder == "/models/new"


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"FOOTNOTE_K": "many"}, "FOOTNOTE_K='many' is not a valid k"),
        ({"FOOTNOTE_DENSE_WEIGHT": "2"}, "dense weight must be between 0.0 and 1.0"),
        ({"FOOTNOTE_K": "0"}, "k must be between 1 and 100"),
        ({"FOOTNOTE_FUSION": "magic"}, "fusion must be one of weighted, rrf"),
        ({"FOOTNOTE_ENGINE_PRECISION": "fp16"}, "engine precision must be one of fp32, int8"),
        ({"FOOTNOTE_ENGINE_THREADS": "-1"}, "engine threads must be between 0 and 256"),
    ],
)
def test_nonsense_values_are_refused_with_the_variable_named(env, words):
    with pytest.raises(SettingsError, match=words.replace("(", r"\(")):
        Settings.from_env(env)


def test_the_engine_settings_reach_the_models_as_their_inference_config():
    settings = Settings.from_env(
        {"FOOTNOTE_ENGINE_PRECISION": "int8", "FOOTNOTE_ENGINE_THREADS": "3"}
    )
    assert (settings.inference.precision, settings.inference.threads) == ("int8", 3)
    assert Settings().inference.precision == "fp32"  # until held-out answers say otherwise


def test_flags_override_like_replace_and_ignore_unset_ones():
    settings = Settings().replace(k=3, dense_weight=None)
    assert settings.k == 3 and settings.dense_weight == Settings().dense_weight
    with pytest.raises(SettingsError):
        settings.replace(abstain_threshold=1.5)


def test_reading_the_settings_loads_no_model_runtime():
    assert heavy_loaded_by("bot.settings", ("onnxruntime", "onnx", "torch")) == []
