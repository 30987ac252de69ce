package plugindoc

import (
	"bytes"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/plugin"
)

type fake struct{ info plugin.Info }

func (f fake) Info() plugin.Info { return f.info }

var demo = plugin.Info{
	Kind: plugin.KindMetric, Name: "demo", Version: "1.2.3", APIVersion: plugin.APIVersion,
	Summary: "A demo metric.", Doc: "Long **doc**.",
	Params: plugin.Spec{
		{Name: "beta", Type: plugin.TypeFloat, Default: 1.0, Min: plugin.Bound(0), Doc: "angular exponent"},
		{Name: "mode", Type: plugin.TypeString, Default: "a", Enum: []string{"b", "a"}, Doc: "a mode"},
		{Name: "path", Type: plugin.TypePath, Required: true, Doc: "input file"},
	},
	Capabilities: []string{plugin.CapExact},
}

func TestMarkdown(t *testing.T) {
	var b bytes.Buffer
	Markdown(&b, demo, "builtin")
	out := b.String()
	for _, want := range []string{
		"# Metric `demo`", "| version | 1.2.3 |", "| `beta` | float | `1` | — | ≥ 0 | angular exponent |",
		"one of a, b", "**required**", "## Host parameters", "`matrix`", "metric: demo", "input: jets",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
}

func TestIndexAndText(t *testing.T) {
	reg, err := plugin.NewRegistry(fake{demo})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	Index(&b, reg, func(i plugin.Info) string { return string(i.Kind) + "-" + i.Name + ".md" })
	if !strings.Contains(b.String(), "| [`demo`](metric-demo.md) | 1.2.3 | A demo metric. |") {
		t.Errorf("index:\n%s", b.String())
	}
	b.Reset()
	Text(&b, demo, "builtin")
	if !strings.Contains(b.String(), "metric demo 1.2.3 (plugin API 1, from builtin)") || !strings.Contains(b.String(), "default 1") {
		t.Errorf("text:\n%s", b.String())
	}
}
