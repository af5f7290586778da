"""The sample study built for a first look has its analysis tables derived at the build
(``qualcode demo``), so Analyse's first open does not derive them."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.prepared import prepare
from qualcode.store import analysis as anasql
from qualcode.study import sample
from qualcode.study.study import Study
from test_demo import _small_sample


def derived_state(path: Path) -> tuple[list[int], bool, dict[int, int]]:
    with Study.open(path, coder="onderzoeker-a") as study:
        ids = [d.id for d in study.documents()]
        return (
            anasql.dirty_documents(study.store),
            anasql.coding_arrays_complete(study.store),
            anasql.stored_respondent_words(study.store, ids),
        )


def frequencies(path: Path) -> list[dict]:
    with Study.open(path, coder="onderzoeker-a") as study:
        return [asdict(r) for r in code_frequencies(study)]


def test_a_prepared_build_has_nothing_left_to_derive_and_the_same_figures(tmp_path: Path) -> None:
    root = _small_sample(tmp_path / "sample")
    sample.build_demo(tmp_path / "plain.qualcode", root=root, cache=False)
    dirty, complete, said = derived_state(tmp_path / "plain.qualcode")
    assert dirty and not said  # a plain build leaves it to the first figure

    sample.build_demo(tmp_path / "prepared.qualcode", root=root, cache=False, prepare=prepare)
    dirty, complete, said = derived_state(tmp_path / "prepared.qualcode")
    assert dirty == [] and complete and list(said) == [1] and said[1] > 0
    assert frequencies(tmp_path / "prepared.qualcode") == frequencies(tmp_path / "plain.qualcode")


def test_a_copy_kept_by_a_build_without_it_is_prepared_when_copied(tmp_path: Path) -> None:
    root = _small_sample(tmp_path / "sample")
    sample.build_demo(tmp_path / "first.qualcode", root=root)  # kept in the cache, not prepared
    cached = sample.cache_path(sample.sample_fingerprint(root))
    assert derived_state(cached)[0]
    calls: list[str] = []

    def counting(study: Study) -> None:
        calls.append(study.name)
        prepare(study)

    sample.build_demo(tmp_path / "second.qualcode", root=root, prepare=counting)
    assert len(calls) == 1
    dirty, complete, said = derived_state(tmp_path / "second.qualcode")
    assert dirty == [] and complete and said
