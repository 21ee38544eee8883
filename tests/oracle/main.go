// Command oracle renders Go templates the way the Docker CLI does, for docker_magics' differential test.
//
// It reads JSON lines {"template": T, "data": D} on stdin and writes one JSON line per case on stdout, flushed
// as soon as it is written (one process serves a whole test session):
// {"out": base64 of the output bytes} or {"err": "the error message"}. Output is base64 because a template
// can print invalid UTF-8, which JSON strings cannot carry unchanged.
//
// Data gets the typing docker_magics.gotemplate.template.go_value gives JSON-like data: integers are
// int64, numbers with a fraction or an exponent float64, lists of strings []string, objects whose values
// are all strings map[string]string, other lists and objects []interface{} and map[string]interface{}.
//
// The function map is the Docker CLI's (docker/cli templates.basicFunctions), written here from its
// documented behaviour: json (encoding/json, no HTML escaping, trailing newline dropped, Encode's error a
// panic, as in CLI 28), split, join,
// title, lower, upper (package strings), pad (spaces around a non-empty string) and truncate (the first n
// bytes, when the string is at least n bytes long).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
)

var dockerFuncs = template.FuncMap{
	"json": func(v any) string {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			panic(err) // as the Docker CLI 28 does: text/template reports "error calling json: ..."
		}
		return strings.TrimSpace(buf.String())
	},
	"split": strings.Split,
	"join":  strings.Join,
	"title": strings.Title, //nolint:staticcheck // the CLI uses the deprecated strings.Title
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"pad": func(s string, prefix, suffix int) string {
		if s == "" {
			return s
		}
		return strings.Repeat(" ", prefix) + s + strings.Repeat(" ", suffix)
	},
	"truncate": func(s string, n int) string {
		if len(s) < n {
			return s
		}
		return s[:n]
	},
}

type request struct {
	Template string          `json:"template"`
	Data     json.RawMessage `json:"data"`
}

type result struct {
	Out []byte  `json:"out,omitempty"`
	Err *string `json:"err,omitempty"`
}

// typed turns decoded JSON into the Go values docker_magics models the data as.
func typed(v any) any {
	switch v := v.(type) {
	case json.Number:
		if strings.ContainsAny(string(v), ".eE") {
			f, _ := v.Float64()
			return f
		}
		i, _ := v.Int64()
		return i
	case []any:
		strs := make([]string, 0, len(v))
		for i, e := range v {
			v[i] = typed(e)
			if s, ok := v[i].(string); ok {
				strs = append(strs, s)
			}
		}
		if len(strs) == len(v) {
			return strs
		}
		return v
	case map[string]any:
		strs := make(map[string]string, len(v))
		for k, e := range v {
			v[k] = typed(e)
			if s, ok := v[k].(string); ok {
				strs[k] = s
			}
		}
		if len(strs) == len(v) {
			return strs
		}
		return v
	}
	return v
}

func render(req request) (out []byte, err error) {
	var data any
	if len(req.Data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(req.Data))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil {
			return nil, fmt.Errorf("oracle: bad data: %w", err)
		}
	}
	tmpl, err := template.New("").Funcs(dockerFuncs).Parse(req.Template)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = tmpl.Execute(&buf, typed(data))
	return buf.Bytes(), err
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		var req request
		var res result
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			msg := "oracle: bad request: " + err.Error()
			res.Err = &msg
		} else if b, err := render(req); err != nil {
			msg := err.Error()
			res.Err = &msg
		} else {
			res.Out = b
			if res.Out == nil {
				res.Out = []byte{}
			}
		}
		err := enc.Encode(res)
		if err == nil {
			err = out.Flush() // the test keeps one process and waits for each batch's answers
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
