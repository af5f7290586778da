"""compare with an explicit unit (document, participant, case), intervals, too-small groups,
and --stratify, recomputed by hand and against statsmodels."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.analysis import Scope
from qualcode.analysis.compare import compare_groups
from qualcode.analysis.units import default_unit
from qualcode.core.errors import QualcodeError
from qualcode.study.study import Study

# (organisation, role, participant, case, has the code)
PLAN = [
    *[("A", "ouder", f"pa{i}", f"GA{i}", i < 5) for i in range(7)],
    *[("A", "coach", f"ca{i}", f"GA{i}", i < 4) for i in range(6)],
    *[("B", "ouder", f"pb{i}", f"GB{i}", i < 2) for i in range(6)],
    *[("B", "coach", f"cb{i}", f"GB{i}", i < 1) for i in range(7)],
]


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("plan") / "plan.qualcode"
    study = Study.create(path, "plan", coder="a")
    study.add_code("Thema")
    study.add_code("Anders")
    cases: dict[str, int] = {}
    for n, (org, role, who, case, has) in enumerate(PLAN):
        doc = study.add_document(
            f"Ouder: Zin nummer {n} over het gezin.\n",
            title=f"d{n}",
            metadata={"organisation": org, "role": role, "participant": who},
        )
        # cases are filled by the cases work; the columns are in the schema already
        if case not in cases:
            cases[case] = study.store.conn.execute("INSERT INTO cases (name) VALUES (?)", (case,)).lastrowid
        study.store.conn.execute("UPDATE documents SET case_id = ? WHERE id = ?", (cases[case], doc))
        study.add_coding(doc, "Thema" if has else "Anders", 7, 12)
    uncoded = study.add_document(
        "Ouder: Niet gecodeerd.\n", title="leeg", metadata={"organisation": "B", "role": "ouder"}
    )
    assert uncoded
    study.store.conn.commit()
    yield study
    study.close()


def test_document_unit_with_wilson_newcombe_and_odds_ratio(planned: Study) -> None:
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

    result = compare_groups(planned, "organisation", unit="document")
    thema = next(c for c in result.codes if c.code == "Thema")
    a, b = thema.groups
    assert (a.with_code, a.units, b.with_code, b.units) == (9, 13, 3, 13)  # "leeg" left out
    assert a.interval == pytest.approx(proportion_confint(9, 13, method="wilson"))
    assert (thema.difference_low, thema.difference_high) == pytest.approx(
        confint_proportions_2indep(9, 13, 3, 13, method="newcomb", compare="diff")
    )
    assert thema.odds_ratio == pytest.approx((9 / 4) / (3 / 10)) and thema.contrast == "A against B"
    assert any("1 document not coded by anyone: left out (leeg)" in w for w in result.warnings)
    assert "Benjamini–Hochberg over the 2 codes" in result.family


def test_case_unit_is_the_default_when_there_are_cases(planned: Study) -> None:
    assert default_unit(planned) == "case"
    result = compare_groups(planned, "organisation")
    assert result.unit == "case"
    thema = next(c for c in result.codes if c.code == "Thema")
    # a case has the code when one of its documents has it: A: GA0-GA4, B: GB0, GB1
    assert [(g.with_code, g.units) for g in thema.groups] == [(5, 7), (2, 7)]
    assert "of the cases" in thema.sentence()


def test_participant_unit(planned: Study) -> None:
    result = compare_groups(planned, "organisation", unit="participant")
    assert [n for _, n in result.groups] == [13, 13]


def test_too_few_units_are_not_tested(planned: Study) -> None:
    result = compare_groups(planned, "role", Scope(attributes={}), unit="document")
    assert all(c.test != "too few to test" for c in result.codes)
    small = compare_groups(planned, "participant", Scope(organisation="A"), unit="document")
    assert all(c.test == "too few to test" and c.p is None and c.cramers_v is None for c in small.codes)
    assert all("too few to test" in c.sentence() for c in small.codes)


def test_stratified_by_role_matches_statsmodels(planned: Study) -> None:
    from statsmodels.stats.contingency_tables import StratifiedTable

    result = compare_groups(planned, "organisation", unit="document", stratify="role")
    thema = next(c for c in result.codes if c.code == "Thema")
    # strata coach and ouder (alphabetical); rows A, B; columns with, without
    tables = [np.array([[4, 2], [1, 6]], dtype=float), np.array([[5, 2], [2, 4]], dtype=float)]
    expected = StratifiedTable(tables)
    assert thema.test == "Cochran–Mantel–Haenszel"
    assert thema.p == pytest.approx(expected.test_null_odds(correction=True).pvalue)
    assert thema.odds_ratio == pytest.approx(expected.oddsratio_pooled)
    assert thema.breslow_day_p == pytest.approx(expected.test_equal_odds(adjust=False).pvalue)
    assert "Breslow–Day" in thema.sentence()
    with pytest.raises(QualcodeError, match="stratify"):
        compare_groups(planned, "role", stratify="role")
