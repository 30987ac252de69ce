package plugin

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

var testSpec = Spec{
	{Name: "beta", Type: TypeFloat, Default: 1.0, Min: Bound(0), Doc: "exponent"},
	{Name: "k", Type: TypeInt, Default: int64(3), Min: Bound(1), Max: Bound(100)},
	{Name: "normalize", Type: TypeBool, Default: true},
	{Name: "mode", Type: TypeString, Default: "kfold", Enum: []string{"kfold", "loo"}},
	{Name: "ks", Type: TypeIntList, Default: []int64{1, 2}},
	{Name: "eps", Type: TypeGrid, Min: Bound(0)},
	{Name: "path", Type: TypePath, Required: true},
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  map[string]any
		want Params
		err  string
	}{
		{name: "defaults", raw: map[string]any{"path": "a.npz"},
			want: Params{"beta": 1.0, "k": int64(3), "normalize": true, "mode": "kfold", "ks": []int64{1, 2}, "path": "a.npz"}},
		{name: "yaml ints become floats", raw: map[string]any{"path": "x", "beta": 2, "k": 5.0},
			want: Params{"beta": 2.0, "k": int64(5), "normalize": true, "mode": "kfold", "ks": []int64{1, 2}, "path": "x"}},
		{name: "strings from --set", raw: map[string]any{"path": "x", "beta": "0.5", "normalize": "false", "ks": "3,4", "eps": "0.1,0.2"},
			want: Params{"beta": 0.5, "k": int64(3), "normalize": false, "mode": "kfold", "ks": []int64{3, 4}, "eps": []float64{0.1, 0.2}, "path": "x"}},
		{name: "grid log", raw: map[string]any{"path": "x", "eps": map[string]any{"log": []any{0.001, 0.1, 3}}},
			want: Params{"beta": 1.0, "k": int64(3), "normalize": true, "mode": "kfold", "ks": []int64{1, 2}, "eps": []float64{0.001, 0.01, 0.1}, "path": "x"}},
		{name: "unknown with suggestion", raw: map[string]any{"path": "x", "betta": 1}, err: `parameter "betta": unknown parameter (did you mean "beta"?)`},
		{name: "unknown far", raw: map[string]any{"path": "x", "zzzzzzzz": 1}, err: "known: beta, k, normalize"},
		{name: "below min", raw: map[string]any{"path": "x", "beta": -1}, err: "below the minimum 0"},
		{name: "above max", raw: map[string]any{"path": "x", "k": 1000}, err: "above the maximum 100"},
		{name: "non-integer", raw: map[string]any{"path": "x", "k": 2.5}, err: "want an integer, got 2.5"},
		{name: "wrong type", raw: map[string]any{"path": "x", "beta": "abc"}, err: `want a number, got "abc"`},
		{name: "bool", raw: map[string]any{"path": "x", "normalize": "maybe"}, err: "want a bool"},
		{name: "enum", raw: map[string]any{"path": "x", "mode": "full"}, err: `"full" is not one of kfold, loo`},
		{name: "required", raw: map[string]any{}, err: `parameter "path": is required`},
		{name: "list element", raw: map[string]any{"path": "x", "ks": []any{1, "a"}}, err: "element 1"},
		{name: "grid bad", raw: map[string]any{"path": "x", "eps": map[string]any{"log": []any{0, 1, 3}}}, err: "must be positive"},
		{name: "grid key", raw: map[string]any{"path": "x", "eps": map[string]any{"geom": []any{1, 2, 3}}}, err: "unknown grid range"},
		{name: "nan", raw: map[string]any{"path": "x", "beta": math.NaN()}, err: "NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := testSpec.Resolve(tc.raw)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "grid log" {
				g := got["eps"].([]float64)
				for i, w := range []float64{0.001, 0.01, 0.1} {
					if math.Abs(g[i]-w) > 1e-15 {
						t.Fatalf("grid %v", g)
					}
				}
				got["eps"] = tc.want["eps"]
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestParamsJSONRoundTrip(t *testing.T) {
	p, err := testSpec.Resolve(map[string]any{"path": "x", "eps": []any{0.1, 1e-300}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := DecodeParams(testSpec, p.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Fatalf("round trip changed params: %#v vs %#v", p, q)
	}
	if q.Int("k") != 3 || q.Floats("eps")[1] != 1e-300 || q.String("mode") != "kfold" {
		t.Fatal("getters")
	}
}

// numpy.geomspace(1e-3, 0.3, 25) as printed in reference/smearing/ball_kfold_auc.csv.
func TestGeomspaceMatchesNumpy(t *testing.T) {
	g := Geomspace(1e-3, 0.3, 25)
	if g[0] != 1e-3 || g[24] != 0.3 {
		t.Fatalf("endpoints %v %v", g[0], g[24])
	}
	for i, x := range g {
		want := 1e-3 * math.Pow(300, float64(i)/24)
		if math.Abs(x-want) > 1e-15*want {
			t.Fatalf("point %d: %v vs %v", i, x, want)
		}
	}
	l := Linspace(0, 1, 5)
	if !reflect.DeepEqual(l, []float64{0, 0.25, 0.5, 0.75, 1}) {
		t.Fatalf("linspace %v", l)
	}
}

type fakePlugin struct{ info Info }

func (f fakePlugin) Info() Info { return f.info }

func TestRegistry(t *testing.T) {
	a := fakePlugin{Info{Kind: KindMetric, Name: "semd", Version: "1", APIVersion: APIVersion}}
	reg, err := NewRegistry(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(a); err == nil || !strings.Contains(err.Error(), "already provided by builtin") {
		t.Fatalf("duplicate: %v", err)
	}
	_, err = reg.Lookup(KindMetric, "semdd")
	if err == nil || !strings.Contains(err.Error(), `unknown metric plugin "semdd" (did you mean "semd"?); available: semd`) {
		t.Fatalf("lookup: %v", err)
	}
	bad := fakePlugin{Info{Kind: KindMetric, Name: "old", Version: "1", APIVersion: 99}}
	if err := reg.RegisterFrom(bad, "/bin/x"); err == nil || !strings.Contains(err.Error(), "speaks plugin API version 99") {
		t.Fatalf("api version: %v", err)
	}
	host := fakePlugin{Info{Kind: KindSmearer, Name: "s", Version: "1", APIVersion: APIVersion, Params: Spec{{Name: "folds", Type: TypeInt}}}}
	if err := reg.Register(host); err == nil || !strings.Contains(err.Error(), "reserved for the host") {
		t.Fatalf("host param clash: %v", err)
	}
	if _, err := reg.Smearer("x"); err == nil {
		t.Fatal("want error")
	}
	if _, err := reg.Reader("semd"); err == nil || !strings.Contains(err.Error(), "unknown reader") {
		t.Fatalf("kind mismatch: %v", err)
	}
}

func TestHostParamDefaultsValid(t *testing.T) {
	for k, ks := range KindSpecs {
		if _, err := ks.HostParams.Resolve(nil); err != nil {
			t.Errorf("%s host params: %v", k, err)
		}
	}
}
