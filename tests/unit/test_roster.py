"""Parsing a roster: every bad row is named by its line, good rows go through."""

from __future__ import annotations

from coursehub.roster import parse_roster

ROSTER = """name,group,email
mei,study-a,mei@example.org
li lei,study-a
,study-b
han,Study B
zhao,study-b,not-an-email
qian,study-b,,extra
mei,study-a
sun,,

# a comment
"""


def test_bad_rows_are_reported_by_line_and_good_rows_kept():
    rows, problems = parse_roster(ROSTER)
    assert [(r.line, r.name, r.group, r.email) for r in rows] == [
        (2, "mei", "study-a", "mei@example.org"),
        (9, "sun", None, None),
    ]
    messages = {p.line: p.message for p in problems}
    assert sorted(messages) == [3, 4, 5, 6, 7, 8]
    assert "invalid name 'li lei'" in messages[3]
    assert "invalid name ''" in messages[4]
    assert "invalid name 'Study B'" in messages[5]
    assert "invalid email 'not-an-email'" in messages[6]
    assert "4 columns" in messages[7]
    assert "appears twice" in messages[8]


def test_a_file_without_header_starts_at_line_one():
    rows, problems = parse_roster("ann,g1\n")
    assert [(r.line, r.name) for r in rows] == [(1, "ann")] and not problems
