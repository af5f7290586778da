"""Names in the side-panel trees (documents, codes) and the codebook editor's tree are never
cut at the panel's edge without a mark: a line that does not fit drops its details, then
shortens the name with "…" (at the end for a code name, in the middle for a document title);
the whole name is in the detail box and the tooltip. Checked on every line of the sample
study's trees at 120×40 and 80×24, and as a property of the shortening itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from qualcode.study.study import Study
from qualcode.tui.widgets.named_tree import ELLIPSIS, NamedTree, NameLabel, shorten
from tui_helpers import app_for, main_screen

BIG, SMALL = (120, 40), (80, 24)
SIZES = pytest.mark.parametrize("size", [BIG, SMALL], ids=["120x40", "80x24"])

names = st.text(alphabet="abcdeéfghijklmnopqrstuvwxyz -_0123456789", min_size=1, max_size=60)


def _shown_as(visible: str, name: str) -> bool:
    """``visible`` is the whole name, or a start of it and an end of it around one "…"."""
    if visible == name:
        return True
    if visible.count(ELLIPSIS) != 1 or ELLIPSIS in name:
        return False
    head, tail = visible.split(ELLIPSIS)
    return name.startswith(head) and name.endswith(tail) and len(head) + len(tail) < len(name)


@given(name=names, width=st.integers(min_value=1, max_value=70), middle=st.booleans())
def test_a_shortened_name_fits_and_keeps_its_start_and_end(name: str, width: int, middle: bool) -> None:
    short = shorten(Text(name), width, "middle" if middle else "end").plain
    assert len(short) <= width
    if len(name) <= width:
        assert short == name
    else:
        assert short.endswith(ELLIPSIS) or middle
        assert _shown_as(short, name) or short == ELLIPSIS[:width]


@given(name=names, details=st.text(alphabet="abc ·0123456789", max_size=30), width=st.integers(1, 70))
def test_a_label_gives_up_its_details_before_its_name(name: str, details: str, width: int) -> None:
    label = NameLabel("7▌ 2/56 ", name, "  " + details)
    fitted = label.fitted(width).plain
    assert len(fitted) <= max(width, 0)
    if len(label.plain) <= width:
        assert fitted == label.plain
    elif len("7▌ 2/56 " + name) <= width:  # the name whole; the details cut with a mark, or gone
        assert fitted.startswith("7▌ 2/56 " + name)
        rest = fitted.removeprefix("7▌ 2/56 " + name)
        assert rest == "" or rest.endswith(ELLIPSIS)
    elif width >= len("7▌ 2/56 ") + 2:  # the marks, then the name shortened with "…"
        assert fitted.startswith("7▌ 2/56 ")
        assert _shown_as(fitted.removeprefix("7▌ 2/56 "), name)


def _lines(tree: NamedTree) -> list[tuple[str, str, str]]:
    """(the line as painted, the node's whole name, the part the tree may shorten) for every
    line of the tree, scrolled into view or not."""
    room = tree.scrollable_content_region.width
    found = []
    for y, line in enumerate(tree._tree_lines):
        painted = tree._render_line(y, 0, room, tree.rich_style).text
        label = line.node.label
        assert isinstance(label, NameLabel), label
        # Nothing is painted beyond the panel: the tree is never wider than its room.
        assert tree.get_label_width(line.node) + line._get_guide_width(tree.guide_depth, tree.show_root) <= room
        found.append((painted.rstrip(), label.plain, label.name.plain))
    return found


def _check(tree: NamedTree) -> int:
    """Each line shows its name whole or shortened with a mark; returns how many are shortened."""
    shortened = 0
    for painted, whole, name in _lines(tree):
        if name in painted:
            continue
        shortened += 1
        assert ELLIPSIS in painted, f"{whole!r} is cut without a mark: {painted!r}"
        visible = painted[painted.index(ELLIPSIS) :]
        start = painted[: painted.index(ELLIPSIS)]
        # The visible start of the name (after the guides and marks) and its visible end.
        assert any(name.startswith(start[i:]) for i in range(len(start))), (painted, name)
        assert name.endswith(visible[1:]), (painted, name)
    return shortened


@SIZES
async def test_every_line_of_the_side_panels_shows_its_name_whole_or_marked(sample_study_path: Path, size) -> None:
    app = app_for(sample_study_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        main = main_screen(app)
        for panel, key in (("browser", "b"), ("codebook", "o")):
            if not main.query_one(f"#{panel}").display:  # 80×24: one panel at a time
                await pilot.press(key)
                await pilot.pause()
            await pilot.pause()
            tree = main.browser.doc_tree if panel == "browser" else main.codebook.code_tree
            assert isinstance(tree, NamedTree)
            # The sample's titles and code names do not all fit these panels: the check bites.
            assert _check(tree) > 0


@SIZES
async def test_the_codebook_editor_shows_every_name_whole_or_marked(sample_study_path: Path, size) -> None:
    with Study.open(sample_study_path, coder="tester") as study:
        study.add_code("Een heel lange codenaam die in geen enkele boom van het scherm helemaal past, hoe breed ook")
    app = app_for(sample_study_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("E")
        await pilot.pause()
        tree = app.screen.query_one("#code-tree", NamedTree)
        assert _check(tree) >= 1


@SIZES
async def test_the_whole_name_is_in_the_detail_box_and_tooltip(sample_study_path: Path, size) -> None:
    """Highlighting a document, an organisation or a code shows its whole name below the tree;
    hovering shows it as a tooltip."""
    app = app_for(sample_study_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        main = main_screen(app)
        if not main.query_one("#browser").display:
            await pilot.press("b")
            await pilot.pause()
        tree = main.browser.doc_tree
        tree.focus()
        await pilot.pause()
        shortened = [(whole, name) for painted, whole, name in _lines(tree) if name not in painted]
        assert shortened, "every document line fits: nothing to check"
        whole, name = shortened[0]
        node = next(line.node for line in tree._tree_lines if line.node.label.plain == whole)
        tree.move_cursor(node)
        await pilot.pause()
        assert name in str(main.query_one("#doc-detail").render()).replace("\n", "")
        tree.hover_line = node.line
        assert name in str(tree.tooltip)
