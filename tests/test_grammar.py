"""The command grammar: verbs, aliases, flags, help and errors (pure logic, no engine)."""

from __future__ import annotations

import pytest

from docker_magics import grammar
from docker_magics.errors import UsageError
from docker_magics.expand import expand
from docker_magics.magics import script_lines


@pytest.mark.parametrize(("line", "verb"), [
    ("images", "images"), ("image ls", "images"), ("image list", "images"),
    ("pull x", "pull"), ("image pull x", "pull"), ("push x", "push"), ("image push x", "push"),
    ("inspect x", "inspect"), ("image inspect x", "inspect"), ("history x", "history"),
    ("image history x", "history"), ("tag a b", "tag"), ("image tag a b", "tag"),
    ("save x", "save"), ("image save x", "save"), ("load", "load"), ("image load", "load"),
    ("rmi x", "rmi"), ("image rm x", "rmi"), ("image remove x", "rmi"), ("image prune", "prune"),
    ("import f", "import"), ("image import f", "import"), ("search t", "search"),
    ("build .", "build"), ("image build .", "build"), ("builder build .", "build"),
    ("login", "login"), ("logout", "logout"),
])
def test_every_form_reaches_its_verb(line, verb):
    assert grammar.parse(line).verb == verb


def test_template_arrives_intact():
    cmd = grammar.parse('image inspect --format="{{ .RepoTags}}" httpd')
    assert cmd.format == "{{ .RepoTags}}"
    assert cmd.images == ["httpd"]
    assert grammar.parse("inspect -f '{{json .RepoTags}}' a b").format == "{{json .RepoTags}}"


@pytest.mark.parametrize("line", ["images -aq", "images -a -q", "images --all --quiet", "images -qa"])
def test_combined_short_booleans(line):
    cmd = grammar.parse(line)
    assert cmd.all and cmd.quiet


@pytest.mark.parametrize("line", ["images -f dangling=true", "images -fdangling=true", "images -f=dangling=true",
                                  "images --filter=dangling=true", "images --filter dangling=true"])
def test_pflag_value_spellings(line):
    assert grammar.parse(line).filter == ["dangling=true"]


def test_flags_after_positionals_and_repeatable():
    cmd = grammar.parse("images dmtest/app --digests -f a=1 -f b=2")
    assert cmd.reference == "dmtest/app" and cmd.digests and cmd.filter == ["a=1", "b=2"]


def test_boolean_with_value():
    assert grammar.parse("history --human=false x").human is False
    assert grammar.parse("history x").human is True
    assert grammar.parse("images --no-trunc=true").no_trunc is True
    with pytest.raises(UsageError, match='invalid argument "maybe"'):
        grammar.parse("images --no-trunc=maybe")


@pytest.mark.parametrize("word, value", [("1", True), ("t", True), ("T", True), ("TRUE", True), ("True", True),
                                         ("0", False), ("F", False), ("FALSE", False), ("False", False)])
def test_boolean_values_are_go_booleans(word, value):
    # pflag reads --flag=VALUE with strconv.ParseBool: these words, in these cases only.
    assert grammar.parse(f"images --no-trunc={word}").no_trunc is value


@pytest.mark.parametrize("word", ["TrUe", "yes", "fALSE", ""])
def test_other_boolean_words_are_refused_as_pflag_refuses_them(word):
    with pytest.raises(UsageError, match=f'invalid argument "{word}"'):
        grammar.parse(f"images --no-trunc={word}")


def test_global_options():
    cmd = grammar.parse("-H unix:///a -H tcp://b:2375 --context ctx images")
    assert cmd.hosts == ("unix:///a", "tcp://b:2375") and cmd.context == "ctx" and cmd.verb == "images"
    assert grammar.parse("--host=unix:///a images").hosts == ("unix:///a",)
    assert grammar.parse("-Hunix:///a images").hosts == ("unix:///a",)


def test_unknown_verb_has_did_you_mean():
    with pytest.raises(UsageError) as info:
        grammar.parse("imags")
    assert info.value.line() == "'imags' is not a docker command. Did you mean 'images'? See '%docker --help'."


def test_unknown_image_subcommand():
    with pytest.raises(UsageError) as info:
        grammar.parse("image lss")
    assert info.value.line() == ("'lss' is not a docker image command. Did you mean 'ls'? "
                                 "See '%docker --help'.")


def test_unknown_flag_has_did_you_mean():
    with pytest.raises(UsageError) as info:
        grammar.parse("images --digest")
    assert info.value.line() == ("unknown flag: --digest. Did you mean '--digests'? "
                                 "See '%docker images --help'.")


def test_unknown_global_flag():
    with pytest.raises(UsageError) as info:
        grammar.parse("--hots x images")
    assert info.value.line() == "unknown flag: --hots. Did you mean '--host'? See '%docker --help'."


def test_missing_value():
    with pytest.raises(UsageError, match="expected one argument"):
        grammar.parse("images --format")


def test_unclosed_quote():
    with pytest.raises(UsageError, match="Check that every quote is closed"):
        grammar.parse("inspect -f '{{.Id}}")


@pytest.mark.parametrize("verb", grammar.VERBS, ids=lambda v: v.name)
def test_every_verb_answers_help(verb):
    for form in verb.forms:
        cmd = grammar.parse(f"{form} --help")
        assert cmd.help.startswith(f"Usage:  %docker {verb.usage}")
        for flag in verb.flags:
            assert flag.long in cmd.help
            if flag.short:
                assert f"{flag.short}, {flag.long}" in cmd.help


def test_top_level_help_lists_every_verb():
    text = grammar.parse("--help").help
    for verb in grammar.VERBS:
        assert verb.forms[0] in text
    assert grammar.parse("").verb == "help"
    assert grammar.parse("image --help").verb == "help"


def test_script_lines():
    cell = "# pull and tag\npull a\n\ntag a \\\n  b\n  push b\n"
    assert script_lines(cell) == [(2, "pull a"), (4, "tag a b"), (6, "push b")]


# ---- Python values in a command line -------------------------------------------------------------


def test_expand_names_and_expressions():
    ns = {"src": "dmtest/app:1.0", "repo": "reg:5000/team/app", "n": 2}
    assert expand("tag $src {repo}:v{n + 1}", ns) == "tag dmtest/app:1.0 reg:5000/team/app:v3"


def test_expand_nested_braces_and_quotes():
    ns = {"registry": "r:5000", "digest": "sha256:ab"}
    assert expand('rmi {f"{registry}/app@{digest}"} {"}"}', ns) == "rmi r:5000/app@sha256:ab '}'"


def test_expand_leaves_templates_and_single_quotes():
    ns = {"x": "X"}
    line = "inspect --format '{{ .RepoTags }}' -f \"{{json .}}\" '$x {x}' {{$v := .}}"
    assert expand(line, ns) == line


def test_expand_values_stay_one_argument():
    ns = {"label": "team=data science", "ids": ["a", "b c"]}
    line = expand("images -f label={label} rmi {ids}", ns)
    assert grammar.split(line) == ["images", "-f", "label=team=data science", "rmi", "a", "b c"]
    assert grammar.split(expand('images -f "label={label}"', ns)) == ["images", "-f", "label=team=data science"]


def test_expand_dollar_escapes_and_errors():
    assert grammar.split(expand("a $$HOME", {})) == ["a", "$HOME"]
    with pytest.raises(UsageError, match=r"\$nope is not defined in the notebook"):
        expand("tag $nope x", {})
    with pytest.raises(UsageError, match=r"cannot expand \{1/0\}"):
        expand("tag {1/0}", {})


def test_every_verb_says_what_it_returns_in_its_help_and_the_readme():
    import subprocess
    import sys
    from pathlib import Path

    for verb in grammar.VERBS:
        assert verb.returns is not None, verb.name
        assert "\nReturns:\n" in grammar.help_text(verb), verb.name
    root = Path(__file__).resolve().parent.parent
    check = subprocess.run([sys.executable, str(root / "scripts" / "readme_returns.py"), "--check"])
    assert check.returncode == 0, "README.md's 'What comes back' drifted: run python scripts/readme_returns.py"
