"""Packaging metadata: what `pip install` reads, without the warnings setuptools gives."""

from __future__ import annotations

import tomllib
import warnings

from tests.conftest import ROOT


def test_the_licence_is_an_spdx_string_with_its_file_as_pep_639_asks():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert all((ROOT / name).is_file() for name in project["license-files"])


def test_setuptools_reads_the_project_without_a_deprecation_warning():
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the old table form warned three times per install
        dist = apply_configuration(Distribution(), ROOT / "pyproject.toml")
    assert dist.metadata.license_expression == "MIT"


def test_the_image_gets_the_licence_file_its_install_needs():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    copied = [line for line in lines if line.startswith("COPY pyproject.toml")]
    assert copied and "LICENSE" in copied[0].split()
