"""Unit tests of docker_magics.gotemplate beyond the recorded vectors.

Expected strings for the Go engine were checked against docker CLI 28.2.2 (Go 1.24) running the
same templates; the context builders follow docker/cli and docker/go-units.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docker_magics.errors import TemplateError
from docker_magics.gotemplate import (
    GoTemplateError,
    ellipsis,
    familiar_reference,
    format_inspect,
    format_list,
    history_rows,
    human_duration,
    human_size,
    image_ls_rows,
    parse,
    render,
    search_rows,
    truncate_id,
)
from docker_magics.gotemplate.tabwriter import tabwrite

VECTORS = json.loads((Path(__file__).parent / "data" / "format-vectors.json").read_text(encoding="utf-8"))
INSPECT = next(v["data"] for v in VECTORS if v["command"] == "image inspect")
NOW = datetime(2026, 11, 27, 21, 0, 0, tzinfo=UTC)


def engine(template: str, data: object = None) -> str:
    return render(template, {} if data is None else data)


def engine_error(template: str, data: object = None) -> str:
    with pytest.raises(TemplateError) as info:
        engine(template, data)
    return info.value.message


# -- parsing ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("template", "message"), [
    ("{{.Foo", "template: :1: unclosed action"),
    ("{{if}}", "template: :1: missing value for if"),
    ("{{end}}", "template: :1: unexpected {{end}}"),
    ("{{range .}}{{else}}{{else}}{{end}}", "template: :1: expected end; found {{else}}"),
    ("a\n{{.x | }}\n{{nofunc}}", 'template: :3: function "nofunc" not defined'),
    ("{{with $x := 1}}{{$x}}{{end}}{{$x}}", 'template: :1: undefined variable "$x"'),
    ("{{break}}", "template: :1: {{break}} outside {{range}}"),
    ('{{define "T"}}A{{end}}{{block "T" .}}B{{end}}',
     'template: :1: template: multiple definition of template "T"'),
    ("{{.x)}}", "template: :1: unexpected right paren"),
    ("{{.Foo-}}", "template: :1: bad character U+002D '-'"),
    ("{{1 | 2}}", "template: :1: non executable command in pipeline stage 2"),
    ('{{"a\\qb"}}', "template: :1: invalid syntax"),
    ("{{99999999999999999999}}", 'template: :1: integer overflow: "99999999999999999999"'),
])
def test_parse_errors(template: str, message: str) -> None:
    with pytest.raises(GoTemplateError) as info:
        parse(template)
    assert info.value.message == message
    assert info.value.kind == "parse"


def test_parse_returns_a_reusable_template() -> None:
    tmpl = parse("{{.a}}-{{len .b}}")
    assert tmpl.execute({"a": "x", "b": [1, 2]}) == "x-2"
    assert tmpl.execute({"a": "y", "b": []}) == "y-0"


# -- execution errors: position in bytes, the node, Go's reason ----------------------------------
@pytest.mark.parametrize(("template", "message"), [
    ('é{{index "a" 5}}',
     'template: :1:4: executing "" at <index "a" 5>: error calling index: index out of range: 5'),
    ('x\n é {{index "a" 5}}',
     'template: :2:6: executing "" at <index "a" 5>: error calling index: index out of range: 5'),
    ("{{.x.y}}", 'template: :1:4: executing "" at <.x.y>: nil pointer evaluating interface {}.y'),
    ("{{upper .n}}", 'template: :1:8: executing "" at <.n>: wrong type for value; expected string; got int64'),
    ("{{upper .missing}}", 'template: :1:8: executing "" at <.missing>: invalid value; expected string'),
    ('{{define "t"}}{{len 3}}{{end}}{{template "t"}}',
     'template: :1:16: executing "t" at <len 3>: error calling len: len of type int'),
    ('{{template "nope"}}', 'template: :1:11: executing "" at <{{template "nope"}}>: template "nope" not defined'),
    ("{{lt 1 2.0}}", 'template: :1:2: executing "" at <lt 1 2.0>: error calling lt: incompatible types for comparison'),
    ("{{range .s}}{{end}}", 'template: :1:8: executing "" at <.s>: range can\'t iterate over abc'),
])
def test_exec_errors(template: str, message: str) -> None:
    assert engine_error(template, {"x": None, "n": 3, "s": "abc"}) == message


def test_missingkey_error_in_inspect_raw_pass() -> None:
    with pytest.raises(GoTemplateError) as info:
        format_inspect("{{.Foo}}", [INSPECT])
    assert info.value.message.endswith('executing "" at <.Foo>: map has no entry for key "Foo"')
    assert info.value.partial_output == "\n"


# -- printing and printf -------------------------------------------------------------------------
@pytest.mark.parametrize(("template", "expected"), [
    ('{{printf "%v %v" 1e6 1e5}} {{printf "%g %G" 1e-5 1e21}} {{printf "%.3g|%.10g|%.1g" 1234.5678 1e9 0.5}}',
     "1e+06 100000 1e-05 1E+21 1.23e+03|1000000000|0.5"),
    ('{{printf "%3c|%-3c|%q|%#q|%+q" 65 66 "a\\"b" "c`d" "é"}}', '  A|B  |"a\\"b"|"c`d"|"\\u00e9"'),
    ('{{printf "%T %T %T" (split "a" ",") (len "a") (index "a" 0)}}', "[]string int uint8"),
    ('{{printf "%.2f %e %g %8.3f %+d % d %x %X %o %#x %b %c %U %#U" 3.14159 1234.5 0.00001234 -2.5 5 5 '
     '255 255 8 255 5 97 97 97}}',
     "3.14 1.234500e+03 1.234e-05   -2.500 +5  5 ff FF 10 0xff 101 a U+0061 U+0061 'a'"),
    ('{{printf "%*d|%-*d|" 5 42 4 7}}', "   42|7   |"),
    ('{{printf "%5s" 1}}', "%!s(int=    1)"),
    ('{{printf "%05s|%-05d|%+.3e|%x|%X" "ab" 3 12345.678 3.5 -1}}', "000ab|3    |+1.235e+04|0x1.cp+01|-1"),
    ('{{printf "%6.2v|%.0d|%.3s|%10.4q" 3.14159 0 "abcdef" "abcdef"}}', '   3.1||abc|    "abcd"'),
    ('{{printf "%[2]s %[1]s %s" "a" "b"}}', "b a b"),
    ('{{printf "%!"}}|{{printf "abc%"}}|{{printf "%d %d" 1}}', "%!!(MISSING)|abc%!(NOVERB)|1 %!d(MISSING)"),
    ('{{printf "%#v" (split "a,b" ",")}}', '[]string{"a", "b"}'),
    ("{{'a'}} {{0x10}} {{1e3}} {{1_000}} {{0o17}} {{0b101}} {{1+2i}}", "97 16 1000 1000 15 5 (1+2i)"),
    ('{{json 1e21}} {{json 1e20}} {{json 1e-7}} {{json "<\\u2028>"}}', '1e+21 100000000000000000000 1e-7 "<\\u2028>"'),
    ('{{print 1.0 2.5 -0.0 1e100}}', "1 2.5 -0 1e+100"),
    ('{{js "a\\tb<>=\'\\""}}', "a\\u0009b\\u003C\\u003E\\u003D\\'\\\""),
    ('{{html 1 2 "x"}} {{html .nope}}', "1 2x &lt;no value&gt;"),
])
def test_printing(template: str, expected: str) -> None:
    assert engine(template) == expected


def test_go_value_printing_of_data() -> None:
    data = {"m": {"b": 1, "a": [1, "x", None]}, "f": 1234567.0, "t": True}
    assert engine("{{.m}} {{.f}} {{.t}} {{len .m.a}}", data) == "map[a:[1 x <nil>] b:1] 1.234567e+06 true 3"


# -- control flow --------------------------------------------------------------------------------
@pytest.mark.parametrize(("template", "expected"), [
    ('{{range $i, $e := split "a,b,c" ","}}{{range split "x,y" ","}}{{if eq . "y"}}{{break}}{{end}}'
     '{{$e}}{{.}} {{end}}{{if eq $i 1}}{{continue}}{{end}}|{{end}}', "ax |bx cx |"),
    ('{{$i := 0}}{{range $i = split "a,b" ","}}{{$i}}{{end}}{{$i}}', "abb"),
    ("{{range 3}}{{.}}{{end}}|{{range 0}}x{{else}}empty{{end}}", "012|empty"),
    ('{{define "a"}}[{{template "b" .}}]{{end}}{{define "b"}}<{{.}}>{{end}}{{template "a" "x"}}', "[<x>]"),
    ('{{define "a"}}{{$}}{{end}}{{$x := 5}}{{template "a" $x}}', "5"),
    ('{{block "b" "in"}}<{{.}}>{{end}}', "<in>"),
    ('{{with ""}}x{{else with "b"}}{{.}}{{end}}', "b"),
    ("{{if 0}}{{else if 0}}b{{else if 1}}c{{end}}", "c"),
    ("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"),
    ('{{and 1 0 (index nil 1)}}|{{or 0 "" "x"}}', "0|x"),
    ("a  {{- 1 -}}  b {{- /* gone */ -}} c", "a1bc"),
])
def test_control_flow(template: str, expected: str) -> None:
    assert engine(template) == expected


def test_map_range_is_sorted_bytewise() -> None:
    assert engine("{{range $k, $v := .}}{{$k}}{{end}}", {"b": 1, "a": 2, "B": 3, "é": 4}) == "Bab\u00e9"


def test_recursive_template_stops_with_an_error() -> None:
    message = engine_error('{{define "r"}}{{template "r"}}{{end}}{{template "r"}}')
    assert "exceeded maximum template depth (100000)" in message  # Go's words, though we stop earlier


# -- typed inspect values ------------------------------------------------------------------------
def test_inspect_typed_values() -> None:
    assert format_inspect("{{.Config}}", [INSPECT]) == (
        "{{www map[443/tcp:{} 80/tcp:{}] [PATH=/usr/bin:/bin GREETING=hello world] [/entry.sh] "
        "[httpd-foreground -X] map[/data:{}] /srv map[Upper:X a.b:c empty: "
        "org.opencontainers.image.title:Probe <&> image]  false} {<nil> [] []}}\n")
    assert format_inspect('{{.Metadata.LastTagTime.Format "Mon Jan _2 15:04:05.000 MST 2006"}}', [INSPECT]) \
        == "Fri Nov 27 20:27:31.326 UTC 2026\n"
    assert format_inspect("{{.Size.Int64}}|{{printf \"%#v\" .RootFS.Type}}", [INSPECT]) == '3|"layers"\n'
    typed = json.loads(format_inspect("{{json .}}", [INSPECT]))
    assert "Container" not in typed and "Hostname" not in typed["Config"] and typed["VirtualSize"] == 3


def test_inspect_several_objects_with_one_failing() -> None:
    other = copy.deepcopy(INSPECT)
    del other["Os"]
    # The typed pass fails on Hostname (not in the OCI config type), so the raw pass decides.
    with pytest.raises(GoTemplateError) as info:
        format_inspect("{{.Config.Hostname}}{{.Os}}", [INSPECT, other, INSPECT])
    assert info.value.partial_output == "linux\nlinux\n"
    assert info.value.exit_code == 1
    assert len(info.value.errors) == 1 and info.value.failed == [1]
    assert 'map has no entry for key "Os"' in info.value.message


def test_inspect_dumps() -> None:
    assert format_inspect("", []) == "[]\n"
    dump = format_inspect("", [INSPECT, INSPECT])
    assert dump.startswith('[\n    {\n        "Id": "sha256:5989d')
    assert '"RepoDigests": [],' in dump and '"Probe <&> image"' in dump
    assert json.loads(dump) == [INSPECT, INSPECT]
    compact = format_inspect("json", [INSPECT])
    assert compact.startswith('[{"Id":') and compact.endswith("}]\n")


def test_inspect_parse_error_is_exit_64() -> None:
    with pytest.raises(GoTemplateError) as info:
        format_inspect("{{.Os", [INSPECT])
    assert info.value.exit_code == 64 and info.value.partial_output == ""
    assert info.value.message == "template parsing error: template: :1: unclosed action"


# -- context builders ----------------------------------------------------------------------------
@pytest.mark.parametrize(("size", "text"), [
    (0, "0B"), (3, "3B"), (999, "999B"), (1000, "1kB"), (1234567, "1.23MB"), (999_999, "1e+03kB"),
    (1_982_256, "1.98MB"), (10**9, "1GB"), (12_345_678_901, "12.3GB")])
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_human_size_precision_4() -> None:
    assert human_size(1234567, 4) == "1.235MB"


@pytest.mark.parametrize(("seconds", "text"), [
    (0.5, "Less than a second"), (1, "1 second"), (59, "59 seconds"), (60, "About a minute"),
    (119, "About a minute"), (180, "3 minutes"), (3599, "59 minutes"), (3600, "About an hour"),
    (5400, "2 hours"), (5 * 3600, "5 hours"), (47 * 3600, "47 hours"), (2 * 86400, "2 days"),
    (13 * 86400, "13 days"), (21 * 86400, "3 weeks"), (120 * 86400, "4 months"),
    (2 * 365 * 86400, "2 years")])
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_truncate_id_and_ellipsis() -> None:
    assert truncate_id("sha256:5989d002257ea5afafe8662140ce7e9e") == "5989d002257e"
    assert truncate_id("sha256:5989d002257ea5af", no_trunc=True) == "sha256:5989d002257ea5af"
    assert truncate_id("<missing>") == "<missing>"
    assert ellipsis("abcdef", 4) == "abc…"
    assert ellipsis("abc", 3) == "abc"
    assert ellipsis("東京の画像", 6) == "東京…"
    assert ellipsis("東京", 4) == "東京"
    assert ellipsis("anything", 0) == ""


def test_familiar_reference() -> None:
    assert familiar_reference("docker.io/library/httpd:2.4") == ("httpd", "2.4", "")
    digest = "sha256:" + "a" * 64
    assert familiar_reference("localhost:5000/a/b@" + digest) == ("localhost:5000/a/b", "", digest)
    assert familiar_reference("<none>:<none>") is None
    assert familiar_reference("Upper:1") is None
    assert familiar_reference("UPPER/case:1") == ("UPPER/case", "1", "")  # an upper-case domain


IMAGES = [
    {"Id": "sha256:" + "1" * 64, "RepoTags": ["app:1.0", "app:latest", "docker.io/library/other:2"],
     "RepoDigests": ["app@sha256:" + "d" * 64], "Created": 1764270000, "Size": 1234567,
     "SharedSize": -1, "Containers": -1},
    {"Id": "sha256:" + "2" * 64, "RepoTags": None, "RepoDigests": None, "Created": 1764273600, "Size": 3,
     "SharedSize": 1, "Containers": 2},
    {"Id": "sha256:" + "3" * 64, "RepoTags": [], "RepoDigests": ["pulled@sha256:" + "e" * 64],
     "Created": 1764273600, "Size": 3, "SharedSize": -1, "Containers": -1},
]


def test_image_ls_rows() -> None:
    rows = image_ls_rows(IMAGES, now=NOW)
    assert [(r["Repository"], r["Tag"], r["Digest"]) for r in rows] == [
        ("app", "1.0", "<none>"), ("app", "latest", "<none>"), ("other", "2", "<none>"),
        ("<none>", "<none>", "<none>"), ("pulled", "<none>", "")]
    first = rows[0]
    assert first["ID"] == "111111111111" and first["Size"] == "1.23MB" and first["VirtualSize"] == "1.235MB"
    assert first["CreatedAt"] == "2025-11-27 19:00:00 +0000 UTC"
    assert first["CreatedSince"] == "12 months ago"
    assert (first["SharedSize"], first["UniqueSize"], first["Containers"]) == ("N/A", "N/A", "N/A")
    assert (rows[3]["SharedSize"], rows[3]["UniqueSize"], rows[3]["Containers"]) == ("1B", "2B", "2")


def test_image_ls_rows_with_digests() -> None:
    rows = image_ls_rows(IMAGES, now=NOW, digests=True, no_trunc=True)
    assert [(r["Repository"], r["Tag"], r["Digest"]) for r in rows][:2] == [
        ("app", "1.0", "sha256:" + "d" * 64), ("app", "latest", "sha256:" + "d" * 64)]
    assert rows[-1]["Digest"] == "sha256:" + "e" * 64
    assert rows[0]["ID"] == "sha256:" + "1" * 64
    table = format_list("", rows, command="image ls", digests=True)
    assert table.splitlines()[0].split() == ["REPOSITORY", "TAG", "DIGEST", "IMAGE", "ID", "CREATED", "SIZE"]
    # A format that mentions {{.Digest}} fills it even without --digests.
    digest_rows = image_ls_rows(IMAGES[:1], now=NOW, format="{{.Digest}}")
    assert digest_rows[0]["Digest"].startswith("sha256:d")


def test_history_rows() -> None:
    history = [
        {"Id": "sha256:" + "a" * 64, "Created": 1795813130, "CreatedBy": "/bin/sh -c\t#(nop)  " + "x" * 60,
         "Size": 0, "Comment": ""},
        {"Id": "<missing>", "Created": 0, "CreatedBy": "", "Size": 1982256, "Comment": "Imported from -"},
    ]
    rows = history_rows(history, now=NOW)
    assert rows[0]["ID"] == "aaaaaaaaaaaa" and rows[0]["CreatedSince"] == "About a minute ago"
    assert rows[0]["CreatedBy"] == ("/bin/sh -c #(nop)  " + "x" * 60)[:44] + "…"
    assert rows[0]["CreatedAt"] == "2026-11-27T20:58:50Z"
    assert (rows[1]["ID"], rows[1]["CreatedSince"], rows[1]["Size"]) == ("<missing>", "N/A", "1.98MB")
    raw = history_rows(history, human=False, no_trunc=True, now=NOW)
    assert raw[1]["Size"] == "1982256" and raw[0]["CreatedSince"] == raw[0]["CreatedAt"]
    assert format_list("", raw, command="history", human=False).startswith("IMAGE")


def test_search_rows_and_json_view() -> None:
    results = [{"name": "httpd", "description": "line\nbreak", "star_count": 5, "is_official": True}]
    rows = search_rows(results)
    assert rows == [{"Name": "httpd", "Description": "line break", "StarCount": "5", "IsOfficial": "[OK]"}]
    # After {{json .}} the CLI's search context keeps answering in its JSON form.
    assert format_list("{{.IsOfficial}} {{json .}} {{.IsOfficial}}", rows, command="search") == (
        '[OK] {"Description":"line break","IsOfficial":"true","Name":"httpd","StarCount":"5"} true\n')
    assert render("", results, command="search", flags={"limit": 1}).startswith("NAME      DESCRIPTION")


# -- list formatting -----------------------------------------------------------------------------
ROWS = [r for v in VECTORS if v["id"] == "image-ls-01" for r in v["data"]]


def test_format_list_quiet_raw_and_errors() -> None:
    assert format_list("", ROWS, command="image ls", quiet=True) == "591bea1457a5\n5989d002257e\n"
    assert format_list("{{.Tag}}", ROWS, command="image ls", quiet=True) == "1.0\nlatest\n"
    raw = format_list("raw", ROWS, command="image ls", digests=True)
    assert raw.startswith("repository: fmtprobe/app\ntag: 1.0\ndigest: <none>\n")
    with pytest.raises(GoTemplateError) as info:
        format_list("{{.Nope}}", ROWS, command="image ls")
    assert info.value.message.startswith("template parsing error: template: :1:2:")
    with pytest.raises(GoTemplateError):
        format_list("{{.", ROWS, command="image ls")


def test_table_alignment_with_wide_characters_and_empty_cells() -> None:
    rows = [{"Name": "a", "Description": "東京", "StarCount": "1", "IsOfficial": ""},
            {"Name": "bbbbbbbbbbbb", "Description": "x", "StarCount": "22", "IsOfficial": "[OK]"}]
    assert format_list("table {{.Name}}\t{{.Description}}\t{{.IsOfficial}}\t", rows, command="search") == (
        "NAME           DESCRIPTION   OFFICIAL   \n"
        "a              東京                     \n"
        "bbbbbbbbbbbb   x             [OK]       \n")


def test_tabwriter_column_blocks() -> None:
    # A column is a run of lines that all have a tab-terminated cell there; the last cell of a
    # line is never padded.
    text = "a\tb\tc\nxx\ty\nlonger line\n"
    assert tabwrite(text) == "a" + " " * 9 + "b" + " " * 9 + "c\nxx" + " " * 8 + "y\nlonger line\n"
    assert tabwrite("x\t\ny\t\n") == "x" + " " * 9 + "\ny" + " " * 9 + "\n"


# -- robustness ----------------------------------------------------------------------------------
_PIECES = st.sampled_from([
    "{{", "}}", "{{-", "-}}", " ", "|", ".", ".Foo", ".x.y", "$", "$x", ":=", "=", '"', "'", "`", "(", ")",
    "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", "nil",
    "true", "1", "-2.5e3", "0x1f", "'a'", "len", "index", "slice", "printf", '"%v%d%s%"', "json", "split",
    "join", "eq", "lt", "and", "not", "upper", "truncate", "pad", "/*", "*/", "\n", "\t", "é", "東", ","])


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=24), data=st.sampled_from([{}, {"x": [1, "a", None]}, INSPECT]))
def test_random_templates_render_or_raise_template_error(pieces: list[str], data: object) -> None:
    template = "".join(pieces)
    for command, payload in (("engine", data), ("image ls", ROWS), ("image inspect", INSPECT)):
        try:
            out = render(template, payload, command=command)
        except TemplateError as e:
            assert "internal error" not in e.message  # a bug would surface as one
            continue
        assert isinstance(out, str)
