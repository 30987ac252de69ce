package workflow_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/workflow"
)

// wantLines returns the "# want: " comments of a file: the exact errors
// expected, without the file name.
func wantLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	abs, _ := filepath.Abs("testdata")
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if w, ok := strings.CutPrefix(sc.Text(), "# want: "); ok {
			out = append(out, path+":"+strings.ReplaceAll(w, "TESTDATA", abs))
		}
	}
	return out
}

func errorLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

// TestBadWorkflows loads every file of testdata/bad and compares the
// errors, positions included, with the file's "# want:" lines: every
// problem must be reported, and nothing else.
func TestBadWorkflows(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) < 15 {
		t.Fatalf("test files: %v, %v", files, err)
	}
	reg := registry()
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want := wantLines(t, file)
			if len(want) == 0 {
				t.Fatal("no # want: lines")
			}
			plan, err := workflow.Load(file, reg, nil)
			if plan != nil {
				t.Errorf("got a plan despite errors")
			}
			var list workflow.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %v (%T) is not an ErrorList", err, err)
			}
			if got := errorLines(err); !slices.Equal(got, want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, e := range list {
				if e.Pos.Line <= 0 || e.Pos.File != file {
					t.Errorf("error without file position: %v", e)
				}
			}
		})
	}
}

// TestInlineErrors covers inputs that cannot be written as a testdata
// file with want comments.
func TestInlineErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"empty bytes", "", "w.yaml:1:1: empty workflow (want a mapping with name, seed, output and steps)"},
		{"scanner error keeps yaml's line", "steps:\n  jets:\n\treader: generator\n",
			"w.yaml:3: invalid YAML: found character that cannot start any token"},
		{"mapping value in wrong place", "name: a: b\n", "w.yaml:1: invalid YAML: mapping values are not allowed in this context"},
		{"unclosed list", "steps:\n  jets:\n    reader: generator\n    input: [a, b\n",
			"w.yaml:4: invalid YAML: did not find expected ',' or ']' (in the [list] that starts on this line)"},
		{"scalar document", "hello\n", "w.yaml:1:1: a workflow is a mapping (name, seed, output, steps), got \"hello\""},
		{"bad merge", "steps:\n  a:\n    <<: 3\n    reader: generator\n", "w.yaml:3:9: step \"a\": << merges mappings, got the number 3"},
		{"bad name", "name: a/b\nsteps: {j: {reader: generator}}\n", "w.yaml:1:7: name \"a/b\": use letters, digits, '_', '-' and '.' only (it names the output folder)"},
		{"steps list", "steps: [a]\n", "w.yaml:1:8: steps: want a mapping from step name to step, got a list"},
		{"null steps", "steps:\n", "w.yaml:1:1: steps: no steps"},
		{"step with @", "steps:\n  a@b: {reader: generator}\n", "w.yaml:2:3: step \"a@b\": a step name uses letters, digits, '_' and '-' only"},
		{"bad point syntax", "steps:\n  j: {reader: generator}\n  d: {metric: semd, input: j@k}\n",
			"w.yaml:3:28: step \"d\": input \"j@k\": want STEP or STEP@PARAM=VALUE[,PARAM=VALUE...]"},
		{"too many points", "steps:\n  j: {reader: generator, scan: {quarks: {linear: [1, 200, 200]}, gluons: {linear: [1, 100, 100]}}}\n",
			"w.yaml:2:3: step \"j\": the scans expand the workflow to more than 10000 steps"},
		{"unsafe scan value", "steps:\n  j: {reader: generator, scan: {tag: [ok, \"a/b\"]}}\n",
			"w.yaml:2:43: step \"j\": scan of \"tag\": value \"a/b\" cannot appear in a step name (it contains '/'); use separate steps"},
		{"unknown anchor", "steps:\n  j: {reader: generator}\n  d: {metric: semd, input: j, with: *nope}\n",
			"w.yaml:3:37: invalid YAML: unknown anchor 'nope' referenced"},
		{"missing path in scan", "steps:\n  j: {reader: npz, scan: {file: [\"a b.npz\"]}}\n",
			"w.yaml:2:34: step \"j\": scan of \"file\": no file matches \"" + filepath.Join(mustAbs(t, "."), "a b.npz") + "\""},
		{"scan list of lists", "steps:\n  j: {reader: generator}\n  d: {metric: semd, input: j, scan: {beta: [[1, 2]]}}\n",
			"w.yaml:3:45: step \"d\": scan of \"beta\": want a number, got a list"},
		{"grid with 0 points", "steps:\n  j: {reader: generator, scan: {pt: {log: [1, 10, 0]}}}\n",
			"w.yaml:2:37: step \"j\": scan of \"pt\": log: n = 0 must be between 1 and 100000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, "w.yaml", tc.src, nil)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n%v\nwant\n%s", err, tc.want)
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// load parses src as the file name and resolves it with the fake registry.
func load(t *testing.T, name, src string, overrides []string) (*workflow.Plan, error) {
	t.Helper()
	f, err := workflow.Parse(name, []byte(src))
	if f == nil {
		return nil, err
	}
	return f.Resolve(registry(), overrides)
}

func mustLoad(t *testing.T, name, src string, overrides ...string) *workflow.Plan {
	t.Helper()
	p, err := load(t, name, src, overrides)
	if err != nil {
		t.Fatalf("unexpected error:\n%v", err)
	}
	return p
}

func names(p *workflow.Plan) []string {
	var out []string
	for _, s := range p.Steps {
		out = append(out, s.Name)
	}
	return out
}

// deriveSeed recomputes the documented seed rule independently.
func deriveSeed(seed int64, name string) int64 {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(seed))
	sum := sha256.Sum256(append(b[:], name...))
	return int64(binary.BigEndian.Uint64(sum[:8]) >> 1)
}

func TestQuarkGluonPlan(t *testing.T) {
	path := "testdata/quark-gluon.yaml"
	plan, err := workflow.Load(path, registry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	sum := sha256.Sum256(data)
	abs := mustAbs(t, "testdata")
	if plan.Name != "quark-gluon-smearing" || plan.Seed != 1 || plan.Hash != hex.EncodeToString(sum[:]) ||
		plan.File != filepath.Join(abs, "quark-gluon.yaml") ||
		plan.Output != filepath.Join(abs, "results", "quark-gluon") ||
		!slices.Equal(plan.PluginDirs, []string{filepath.Join(abs, "plugins-bin")}) {
		t.Errorf("plan header: %+v", plan)
	}
	wantOrder := []string{"jets", "distances", "smeared", "knn@k=1", "knn@k=3", "knn@k=5", "nearest", "expert", "tagger"}
	if got := names(plan); !slices.Equal(got, wantOrder) {
		t.Fatalf("steps %v, want %v", got, wantOrder)
	}

	jets := plan.Step("jets")
	if jets.Kind != plugin.KindReader || jets.PluginName != "generator" || jets.Plugin.Info().Name != "generator" ||
		jets.Output != plugin.ArtifactJets || jets.Inputs != nil || jets.ScanPoint != nil || jets.Group != "jets" {
		t.Errorf("jets: %+v", jets)
	}
	if jets.Params.Int("quarks") != 5000 || jets.Params.Float("pt") != 500 || jets.Params.Float("radius") != 0.4 {
		t.Errorf("jets params %v", jets.Params)
	}
	if jets.Seed != deriveSeed(1, "jets") || jets.SeedSet || jets.Seed < 0 {
		t.Errorf("jets seed %d, want %d", jets.Seed, deriveSeed(1, "jets"))
	}
	if jets.Pos.Line != 7 || jets.Pos.Col != 3 {
		t.Errorf("jets position %v", jets.Pos)
	}

	dist := plan.Step("distances")
	// Plugin defaults and host parameters are filled.
	if !dist.Export || dist.Params.Float("beta") != 1 || !dist.Params.Bool("normalize") ||
		dist.HostParams.String("matrix") != "auto" || dist.HostParams.Int("matrix_max_mb") != 512 || dist.Params.Has("matrix") ||
		!slices.Equal(dist.Inputs, []string{"jets"}) {
		t.Errorf("distances: %+v params %v", dist, dist.Params)
	}

	sm := plan.Step("smeared")
	eps := sm.Params.Floats("eps")
	if len(eps) != 30 || eps[0] != 0.002 || eps[29] != 0.3 || sm.Timeout != 10*time.Minute || sm.Export {
		t.Errorf("smeared: eps %v timeout %v", eps, sm.Timeout)
	}
	if sm.HostParams.String("reference") != "kfold" || sm.HostParams.Int("folds") != 10 || len(sm.Params) != 1 {
		t.Errorf("smearer params %v host %v", sm.Params, sm.HostParams)
	}
	if jets.HostParams == nil || len(jets.HostParams) != 0 {
		t.Errorf("reader host params %v", jets.HostParams)
	}

	knn := plan.Group("knn")
	if len(knn) != 3 {
		t.Fatalf("knn group %v", knn)
	}
	for i, k := range []int64{1, 3, 5} {
		s := knn[i]
		if !slices.Equal(s.Params.Ints("k"), []int64{k}) || s.Group != "knn" || len(s.ScanPoint) != 1 ||
			!reflect.DeepEqual(s.ScanPoint[0], workflow.ScanCoord{Step: "knn", Param: "k", Key: "k", Value: []int64{k}, Text: s.Name[len("knn@k="):]}) ||
			!slices.Equal(s.Inputs, []string{"distances"}) {
			t.Errorf("%s: %+v", s.Name, s)
		}
		// Scan points share their step's seed (common random numbers).
		if s.Seed != deriveSeed(1, "knn") {
			t.Errorf("%s seed %d, want %d", s.Name, s.Seed, deriveSeed(1, "knn"))
		}
	}

	near := plan.Step("nearest")
	if near.Params.Float("tolerance") != 1e-8 || !near.Params.Bool("fix_loc") || len(near.Params) != 2 ||
		!slices.Equal(near.HostParams.Ints("sizes"), []int64{500, 1000, 2000, 5000}) {
		t.Errorf("nearest params %v host %v", near.Params, near.HostParams)
	}
	if len(near.Compare) != 2 || near.Compare[0].Name != "gev" || near.Compare[1].Name != "gumbel" ||
		near.Compare[0].Plugin.Info().Name != "gev" {
		t.Fatalf("compare %+v", near.Compare)
	}
	// A compared fitter gets the given values it declares and its own
	// defaults (not the main fitter's); host parameters are the step's.
	gev := near.Compare[0].Params
	if gev.Float("tolerance") != 1e-6 || len(gev) != 1 || len(near.Compare[1].Params) != 0 {
		t.Errorf("gev params %v, gumbel params %v", gev, near.Compare[1].Params)
	}

	tag := plan.Step("tagger")
	if tag.Seed != 42 || !tag.SeedSet || !slices.Equal(tag.Inputs, []string{"jets", "expert"}) ||
		!strings.HasPrefix(tag.Description, "MLP on constituents") || tag.Output != plugin.ArtifactModel {
		t.Errorf("tagger %+v", tag)
	}
	if got := plan.Step("expert").Params.Strings("variables"); !slices.Equal(got, []string{"mass", "width"}) {
		t.Errorf("expert variables %v", got)
	}
	if plan.Step("nope") != nil || plan.Group("nope") != nil {
		t.Error("lookup of a missing step")
	}
}

func TestDeriveSeed(t *testing.T) {
	for _, tc := range []struct {
		seed int64
		name string
	}{{1, "jets"}, {0, ""}, {-5, "knn"}, {1 << 62, "a-long_name"}} {
		got := workflow.DeriveSeed(tc.seed, tc.name)
		if got != deriveSeed(tc.seed, tc.name) || got < 0 {
			t.Errorf("DeriveSeed(%d, %q) = %d, want %d", tc.seed, tc.name, got, deriveSeed(tc.seed, tc.name))
		}
	}
	if workflow.DeriveSeed(1, "jets") == workflow.DeriveSeed(2, "jets") || workflow.DeriveSeed(1, "jets") == workflow.DeriveSeed(1, "jet") {
		t.Error("seeds of different workflows or steps collide")
	}
}

const fanOutSrc = `
name: fan
seed: 3
steps:
  jets:
    reader: generator
    scan: {pt: [500, 1000]}
  distances:
    metric: semd
    input: jets
    scan: {beta: [0.5, 1]}
  expert:
    observables: expert
    input: jets
  tagger:
    tagger: mlp
    input: [jets, expert]
  fixed:
    fitter: gev
    input: distances@pt=1000,beta=0.5
  partial:
    fitter: gev
    input: distances@beta=1
  explain:
    explainer: lrp
    input: tagger@pt=500
`

func TestScanFanOut(t *testing.T) {
	plan := mustLoad(t, "fan.yaml", fanOutSrc)
	want := []string{
		"jets@pt=500", "jets@pt=1000",
		"distances@pt=500,beta=0.5", "distances@pt=500,beta=1", "distances@pt=1000,beta=0.5", "distances@pt=1000,beta=1",
		"expert@pt=500", "expert@pt=1000",
		"tagger@pt=500", "tagger@pt=1000", // zipped over the shared pt axis, not a product
		"fixed",
		"partial@pt=500", "partial@pt=1000",
		"explain",
	}
	if got := names(plan); !slices.Equal(got, want) {
		t.Fatalf("steps\n%v\nwant\n%v", got, want)
	}
	inputs := map[string][]string{
		"distances@pt=1000,beta=0.5": {"jets@pt=1000"},
		"tagger@pt=1000":             {"jets@pt=1000", "expert@pt=1000"},
		"fixed":                      {"distances@pt=1000,beta=0.5"},
		"partial@pt=500":             {"distances@pt=500,beta=1"},
		"partial@pt=1000":            {"distances@pt=1000,beta=1"},
		"explain":                    {"tagger@pt=500"},
	}
	for name, in := range inputs {
		if got := plan.Step(name).Inputs; !slices.Equal(got, in) {
			t.Errorf("%s inputs %v, want %v", name, got, in)
		}
	}
	d := plan.Step("distances@pt=1000,beta=0.5")
	wantPoint := []workflow.ScanCoord{
		{Step: "jets", Param: "pt", Key: "pt", Value: 1000.0, Text: "1000"},
		{Step: "distances", Param: "beta", Key: "beta", Value: 0.5, Text: "0.5"},
	}
	if !reflect.DeepEqual(d.ScanPoint, wantPoint) || d.Group != "distances" || d.Params.Float("beta") != 0.5 {
		t.Errorf("point %+v params %v", d.ScanPoint, d.Params)
	}
	if j := plan.Step("jets@pt=1000"); j.Params.Float("pt") != 1000 || j.Seed != deriveSeed(3, "jets") {
		t.Errorf("jets@pt=1000 %+v", j)
	}
	// Inherited axes are not parameters of the downstream step.
	if p := plan.Step("partial@pt=500").Params; p.Has("pt") {
		t.Errorf("partial params %v", p)
	}
}

func TestScanNaming(t *testing.T) {
	for _, tc := range []struct {
		name, steps string
		want        []string
	}{
		{"floats shortest", `
  j: {reader: generator}
  d: {metric: semd, input: j}
  s: {smearer: ball, input: d, scan: {eps: [0.01, 1e-5, 2.5e6, 3]}}`,
			[]string{"j", "d", "s@eps=0.01", "s@eps=1e-05", "s@eps=2.5e+06", "s@eps=3"}},
		{"log range", `
  j: {reader: generator}
  d: {metric: semd, input: j}
  s: {smearer: ball, input: d, scan: {eps: {log: [0.01, 1, 3]}}}`,
			[]string{"j", "d", "s@eps=0.01", "s@eps=0.1", "s@eps=1"}},
		{"linear range on an int", `
  j: {reader: generator, scan: {quarks: {linear: [10, 30, 3]}}}`,
			[]string{"j@quarks=10", "j@quarks=20", "j@quarks=30"}},
		{"two params, product in file order", `
  j: {reader: generator, scan: {quarks: [1, 2], gluons: [3, 4]}}`,
			[]string{"j@quarks=1,gluons=3", "j@quarks=1,gluons=4", "j@quarks=2,gluons=3", "j@quarks=2,gluons=4"}},
		{"lists, bools and strings", `
  j: {reader: generator}
  m: {metric: semd, input: j, scan: {normalize: [true, false], matrix: [auto, never]}}
  t: {tagger: mlp, input: j, scan: {hidden: [[8, 4], 16]}}`,
			[]string{"j", "m@normalize=true,matrix=auto", "m@normalize=true,matrix=never", "m@normalize=false,matrix=auto",
				"m@normalize=false,matrix=never", "t@hidden=8_4", "t@hidden=16"}},
		{"same parameter name on two axes", `
  j: {reader: generator, scan: {radius: [0.4, 0.8]}}
  d: {metric: emd, input: j, scan: {radius: [1]}}`,
			[]string{"j@radius=0.4", "j@radius=0.8", "d@j.radius=0.4,d.radius=1", "d@j.radius=0.8,d.radius=1"}},
		{"seed scan", `
  j: {reader: generator, scan: {seed: [7, 8]}}`,
			[]string{"j@seed=7", "j@seed=8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := mustLoad(t, "w.yaml", "steps:"+tc.steps+"\n")
			if got := names(plan); !slices.Equal(got, tc.want) {
				t.Errorf("steps %v, want %v", got, tc.want)
			}
		})
	}
	plan := mustLoad(t, "w.yaml", "steps:\n  j: {reader: generator, scan: {seed: [7, 8]}}\n")
	if s := plan.Steps[1]; s.Seed != 8 || !s.SeedSet || s.Params.Has("seed") || s.HostParams.Has("seed") {
		t.Errorf("seed scan: %+v", s)
	}
}

func TestTopologicalOrder(t *testing.T) {
	for _, tc := range []struct {
		name, steps string
		want        []string
	}{
		{"consumers first in the file", `
  fit: {fitter: gev, input: d}
  d: {metric: semd, input: j}
  j: {reader: generator}`,
			[]string{"j", "d", "fit"}},
		{"file order among ready steps", `
  b: {observables: expert, input: j2}
  j1: {reader: generator}
  j2: {reader: generator}
  a: {observables: expert, input: j1}`,
			[]string{"j1", "j2", "b", "a"}},
		{"points become ready one by one", `
  f: {fitter: gev, input: d}
  d: {metric: semd, input: j, scan: {beta: [1, 2]}}
  j: {reader: generator}`,
			[]string{"j", "d@beta=1", "f@beta=1", "d@beta=2", "f@beta=2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := mustLoad(t, "w.yaml", "steps:"+tc.steps+"\n")
			if got := names(plan); !slices.Equal(got, tc.want) {
				t.Errorf("order %v, want %v", got, tc.want)
			}
		})
	}
}

const overrideSrc = `
name: ov
seed: 1
steps:
  jets:
    reader: generator
    with: {pt: 500}
  file:
    reader: npz
    with: {file: data/sample-1.npz}
  distances:
    metric: semd
    input: jets
  smeared:
    smearer: ball
    input: distances
    with: {eps: [0.1]}
  knn:
    smearer: knn
    input: distances
    scan: {k: [1, 3]}
  nearest:
    fitter: weibull
    input: distances
  tagger:
    tagger: mlp
    input: jets
    with:
      hidden: 32, 16
`

func TestOverrides(t *testing.T) {
	wf := filepath.Join(mustAbs(t, "testdata"), "ov.yaml")
	cwd := mustAbs(t, ".")
	for _, tc := range []struct {
		name  string
		sets  []string
		check func(t *testing.T, p *workflow.Plan)
	}{
		{"seed", []string{"seed=7"}, func(t *testing.T, p *workflow.Plan) {
			if p.Seed != 7 || p.Step("jets").Seed != deriveSeed(7, "jets") {
				t.Errorf("seed %d, jets seed %d", p.Seed, p.Step("jets").Seed)
			}
		}},
		{"output relative to the working folder", []string{"output=out/x"}, func(t *testing.T, p *workflow.Plan) {
			if p.Output != filepath.Join(cwd, "out", "x") {
				t.Errorf("output %s", p.Output)
			}
		}},
		{"float", []string{"jets.pt=650"}, func(t *testing.T, p *workflow.Plan) {
			if p.Step("jets").Params.Float("pt") != 650 {
				t.Errorf("pt %v", p.Step("jets").Params)
			}
		}},
		{"last wins", []string{"jets.pt=650", "jets.pt=1e3"}, func(t *testing.T, p *workflow.Plan) {
			if p.Step("jets").Params.Float("pt") != 1000 || len(p.Overrides) != 2 ||
				p.Overrides[1] != (workflow.Override{Step: "jets", Key: "pt", Value: "1e3"}) {
				t.Errorf("pt %v overrides %v", p.Step("jets").Params, p.Overrides)
			}
		}},
		{"no overrides: comma-separated list in the file", nil, func(t *testing.T, p *workflow.Plan) {
			if got := p.Step("tagger").Params.Ints("hidden"); !slices.Equal(got, []int64{32, 16}) {
				t.Errorf("hidden %v", got)
			}
		}},
		{"comma-separated list", []string{"nearest.sizes=100, 200"}, func(t *testing.T, p *workflow.Plan) {
			if got := p.Step("nearest").HostParams.Ints("sizes"); !slices.Equal(got, []int64{100, 200}) {
				t.Errorf("sizes %v", got)
			}
		}},
		{"YAML flow list", []string{"nearest.sizes=[300, 400]"}, func(t *testing.T, p *workflow.Plan) {
			if got := p.Step("nearest").HostParams.Ints("sizes"); !slices.Equal(got, []int64{300, 400}) {
				t.Errorf("sizes %v", got)
			}
		}},
		{"grid range", []string{"smeared.eps={log: [1e-3, 0.3, 25]}"}, func(t *testing.T, p *workflow.Plan) {
			if got := p.Step("smeared").Params.Floats("eps"); len(got) != 25 || got[0] != 1e-3 || got[24] != 0.3 {
				t.Errorf("eps %v", got)
			}
		}},
		{"string list flow", []string{"tagger.hidden=[8,8,8]", "tagger.activation=tanh"}, func(t *testing.T, p *workflow.Plan) {
			if s := p.Step("tagger"); !slices.Equal(s.Params.Ints("hidden"), []int64{8, 8, 8}) || s.Params.String("activation") != "tanh" {
				t.Errorf("tagger %v", s.Params)
			}
		}},
		{"host parameter", []string{"knn.folds=5"}, func(t *testing.T, p *workflow.Plan) {
			if p.Step("knn@k=1").HostParams.Int("folds") != 5 || p.Step("knn@k=3").HostParams.Int("folds") != 5 {
				t.Errorf("folds not set on every point")
			}
		}},
		{"scanned parameter: one value", []string{"knn.k=7"}, func(t *testing.T, p *workflow.Plan) {
			if g := p.Group("knn"); len(g) != 1 || g[0].Name != "knn@k=7" {
				t.Errorf("knn group %v", names(&workflow.Plan{Steps: g}))
			}
		}},
		{"scanned parameter: a list of values", []string{"knn.k=[2, 4, 6]"}, func(t *testing.T, p *workflow.Plan) {
			if got := names(&workflow.Plan{Steps: p.Group("knn")}); !slices.Equal(got, []string{"knn@k=2", "knn@k=4", "knn@k=6"}) {
				t.Errorf("knn group %v", got)
			}
		}},
		{"path relative to the working folder", []string{"file.file=testdata/data/sample-2.npz"}, func(t *testing.T, p *workflow.Plan) {
			if got := p.Step("file").Params.String("file"); got != filepath.Join(cwd, "testdata", "data", "sample-2.npz") {
				t.Errorf("file %s", got)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := workflow.Parse(wf, []byte(overrideSrc))
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.Resolve(registry(), tc.sets)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, p)
		})
	}

	// Without overrides the path is relative to the workflow's folder.
	f, _ := workflow.Parse(wf, []byte(overrideSrc))
	p, err := f.Resolve(registry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Step("file").Params.String("file"); got != filepath.Join(cwd, "testdata", "data", "sample-1.npz") {
		t.Errorf("file %s", got)
	}
}

func TestOverrideErrors(t *testing.T) {
	wf := filepath.Join(mustAbs(t, "testdata"), "ov.yaml")
	f, err := workflow.Parse(wf, []byte(overrideSrc))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Resolve(registry(), []string{
		"nosuch.k=1", "knn.kk=1", "jets.pt=abc", "bogus=1", "knn.k", "seed=x", "tagger.hidden=[1, 0]",
		"file.file=nothing.npz", "knn@k=1.k=3", "knn.k=[1, 1]", "sed=3", "output=",
	})
	want := []string{
		`--set nosuch.k=1: no step named "nosuch"`,
		`--set knn.kk=1: step "knn": parameter "kk": unknown parameter (did you mean "k"?)`,
		`--set jets.pt=abc: step "jets": parameter "pt": want a number, got "abc"`,
		`--set bogus=1: "bogus" cannot be set; top-level keys that can: seed, output; a step parameter is STEP.PARAM`,
		`--set knn.k: want STEP.PARAM=VALUE or seed=N or output=DIR`,
		`--set seed=x: seed: want an integer, got "x"`,
		`--set tagger.hidden=[1, 0]: step "tagger": parameter "hidden": element 1: value 0 is below the minimum 1`,
		`--set file.file=nothing.npz: step "file": parameter "file": no file matches "` + filepath.Join(mustAbs(t, "."), "nothing.npz") + `"`,
		`--set knn@k=1.k=3: set parameters of the step as written in the file ("knn"), not of one scan point`,
		`--set knn.k=[1, 1]: step "knn": scan of "k": value 1 appears twice`,
		`--set sed=3: "sed" cannot be set (did you mean "seed"?); top-level keys that can: seed, output; a step parameter is STEP.PARAM`,
		`--set output=: output: want a folder, got an empty string`,
	}
	if got := errorLines(err); !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseOverride(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want workflow.Override
	}{
		{"knn.k=3", workflow.Override{Step: "knn", Key: "k", Value: "3"}},
		{"seed=7", workflow.Override{Key: "seed", Value: "7"}},
		{"smeared.eps={log: [1e-3, 0.3, 25]}", workflow.Override{Step: "smeared", Key: "eps", Value: "{log: [1e-3, 0.3, 25]}"}},
		{"jets.name=a=b", workflow.Override{Step: "jets", Key: "name", Value: "a=b"}},
	} {
		got, err := workflow.ParseOverride(tc.in)
		if err != nil || got != tc.want || got.String() != tc.in {
			t.Errorf("ParseOverride(%q) = %+v, %v (String %q)", tc.in, got, err, got.String())
		}
	}
}

func TestParseWithoutRegistry(t *testing.T) {
	f, err := workflow.ParseFile("testdata/quark-gluon.yaml")
	if err != nil {
		t.Fatal(err)
	}
	abs := mustAbs(t, "testdata")
	if f.Dir != abs || !slices.Equal(f.PluginDirs, []string{filepath.Join(abs, "plugins-bin")}) || len(f.Steps) != 7 {
		t.Fatalf("file %+v", f)
	}
	s := f.Steps[4]
	if s.Name != "nearest" || s.Kind != plugin.KindFitter || s.Plugin != "weibull" || len(s.Compare) != 2 ||
		s.Compare[1].Name != "gumbel" || s.Inputs[0].Name != "distances" || s.Inputs[0].Pos.Line != 27 {
		t.Errorf("nearest %+v", s)
	}
	if _, err := f.Resolve(nil, nil); err == nil {
		t.Error("Resolve without a registry succeeded")
	}

	// Structural errors come with a usable File, and Resolve reports them
	// again with the others.
	src := "seed: x\nplugin_dirs: [plugins-bin]\nsteps:\n  j: {reader: generatr}\n"
	f, err = workflow.Parse(filepath.Join(abs, "s.yaml"), []byte(src))
	if f == nil || err == nil || len(f.PluginDirs) != 1 {
		t.Fatalf("Parse: %v, %v", f, err)
	}
	_, err = f.Resolve(registry(), nil)
	if got := errorLines(err); len(got) != 2 || !strings.Contains(got[0], "seed: want an integer") ||
		!strings.Contains(got[1], `unknown reader plugin "generatr" (did you mean "generator"?)`) {
		t.Errorf("Resolve errors %q", got)
	}
	// The name defaults to the file's name.
	if f.Name != "s" || f.Output != filepath.Join(abs, "results", "s") {
		t.Errorf("defaults: name %q output %q", f.Name, f.Output)
	}
}

func TestErrorsAs(t *testing.T) {
	_, err := workflow.Load("testdata/bad/unknown-plugin.yaml", registry(), nil)
	var up *plugin.UnknownPluginError
	if !errors.As(err, &up) || up.Name != "bal" || up.Suggestion != "ball" {
		t.Errorf("UnknownPluginError not found in %v", err)
	}
	_, err = workflow.Load("testdata/bad/quark-gluon.yaml", registry(), nil)
	var pe *plugin.ParamError
	var we *workflow.Error
	if !errors.As(err, &pe) || pe.Param != "epss" || !errors.As(err, &we) || we.Pos.Line != 14 || we.Pos.Col != 7 || we.Step != "smeared" {
		t.Errorf("ParamError not found in %v", err)
	}
	if _, err := workflow.Load("testdata/no-such-file.yaml", registry(), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestPaths(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.WriteFile(filepath.Join(home, "x.npz"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := mustAbs(t, "testdata/data")
	src := `
output: ~/results
steps:
  home: {reader: npz, with: {file: ~/x.npz}}
  absolute: {reader: npz, with: {file: ` + filepath.Join(data, "sample-1.npz") + `}}
  glob: {reader: npz, with: {file: "data/sample-*.npz"}}
  scanned: {reader: npz, scan: {file: [data/sample-1.npz, data/sample-2.npz]}}
`
	plan := mustLoad(t, "testdata/paths.yaml", src)
	for name, want := range map[string]string{
		"home":                      filepath.Join(home, "x.npz"),
		"absolute":                  filepath.Join(data, "sample-1.npz"),
		"glob":                      filepath.Join(data, "sample-*.npz"),
		"scanned@file=sample-2.npz": filepath.Join(data, "sample-2.npz"),
	} {
		if s := plan.Step(name); s == nil || s.Params.String("file") != want {
			t.Errorf("%s: %v, want file %s", name, s, want)
		}
	}
	if plan.Output != filepath.Join(home, "results") {
		t.Errorf("output %s", plan.Output)
	}
}

func TestAnchorsAndMerge(t *testing.T) {
	src := `
steps:
  j: {reader: generator}
  a:
    metric: semd
    input: j
    with: &common {beta: 0.5, normalize: true}
  b:
    metric: semd
    input: j
    with: *common
  c:
    metric: semd
    input: j
    with: {<<: *common, beta: 2}
  d:
    <<: [{metric: semd, input: j}, {with: {beta: 1.5, normalize: true}}]
  e: &template
    metric: semd
    input: j
    with: {beta: 0.25, normalize: true}
  f: {<<: *template, description: same as e}
`
	plan := mustLoad(t, "w.yaml", src)
	for name, beta := range map[string]float64{"a": 0.5, "b": 0.5, "c": 2, "d": 1.5, "e": 0.25, "f": 0.25} {
		if p := plan.Step(name).Params; p.Float("beta") != beta || !p.Bool("normalize") {
			t.Errorf("%s params %v", name, p)
		}
	}
}
