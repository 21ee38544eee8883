"""Hypothesis strategies over the whole grammar, shared by the parse test and the run-on-the-engine test."""

from __future__ import annotations

from hypothesis import strategies as st

from docker_magics import grammar

NAMESPACE = {"x": "dmtest/app:1.0", "ids": ["dmtest/tiny:1.0", "dmtest/app:2.0"], "n": 3, "s": "a b 'c'"}

# Read-only verbs: safe to run for real, fast, no network beyond the local engine.
READ_ONLY = {"images", "image ls", "image list", "inspect", "image inspect", "history", "image history",
             "layers", "image layers", "image diff", "diff", "df", "system df", "context ls"}
RUN_FORMS = sorted(form for form in grammar.FORMS if form in READ_ONLY)
# Global options that point the command elsewhere (another engine, TLS files, a config folder).
ELSEWHERE = {"--host", "--context", "--config", "--tls", "--tlscacert", "--tlscert", "--tlskey", "--tlsverify"}

_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="*\x00"), max_size=12)
_TEMPLATES = st.sampled_from([
    "{{.ID}}", "{{json .}}", "'{{.RepoTags}}'", "\"{{ .Size }}\"", "table {{.Repository}}\\t{{.Tag}}", "json",
    "{{", "}}", "{{.}", "{{range .RepoTags}}{{.}}{{end}}", "{{if}}", "{{.Nope.Deeper}}", "{{index .RepoTags 9}}",
    "{{printf \"%d\" .Size}}", "{{len .}}", "{{template \"x\"}}", "{{end}}", "{{.Config.Labels.x | upper}}",
    "{{(}}", "{{$x := 1}}{{$x}}", "{{$y}}", "{{json}}", "table", "{{.Size | printf \"%x\" 1}}",
])
_VALUES = st.one_of(
    _TEXT, _TEMPLATES,
    st.sampled_from(["dmtest/app:1.0", "dmtest/tiny:1.0", "DMTEST/App", "sha256:zz", "a" * 300, "x@sha256:12",
                     "dangling=true", "label=a=b", "before=dmtest/app:1.0", "since=nope", "reference=dm*",
                     "bogus=1", "$x", "{ids}", "$$", "{n+1}", "$nope", "{nope}", "{1/0}", "'single", "\"double",
                     "\\", "é", "日本", "{{.ID}} {x}", "-", "--", "=", "true", "false", "0", "-1"]),
)


def _flags(forms: list[str]) -> st.SearchStrategy[str]:
    def for_form(form: str) -> st.SearchStrategy[list[str]]:
        names = [n for flag in grammar.FORMS[form].flags for n in flag.names]
        names += ["--bogus", "-Z", "--formatt", "-aq", "--no-trunc=false", "--help", "-h"]
        token = st.tuples(st.sampled_from(names), st.sampled_from([" ", "=", ""]), _VALUES).map("".join)
        return st.lists(st.one_of(token, _VALUES), max_size=5)

    return st.sampled_from(forms).flatmap(lambda f: for_form(f).map(lambda rest: " ".join([f, *rest])))


def _globals(include_elsewhere: bool) -> st.SearchStrategy[str]:
    names = [n for flag in grammar.GLOBAL_FLAGS if include_elsewhere or flag.long not in ELSEWHERE
             for n in flag.names]
    return st.lists(st.tuples(st.sampled_from(names), st.sampled_from([" ", "="]), _VALUES).map("".join),
                    max_size=2).map(" ".join)


def lines(forms: list[str], *, include_elsewhere: bool) -> st.SearchStrategy[str]:
    """Whole lines: global options, a verb form (or a wrong one), flags and values."""
    verb_line = st.one_of(_flags(forms), st.lists(_VALUES, max_size=4).map(" ".join))
    return st.tuples(_globals(include_elsewhere), verb_line).map(" ".join)
