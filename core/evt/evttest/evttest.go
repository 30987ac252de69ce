// Package evttest loads the extreme-value reference files of
// ../shared/reference/evt (see reference/README-analysis.md, section
// "evt/") for the tests of core/evt and of the fitter plugins, and checks
// a plugin.FitResult against a reference fit with the tolerances stated
// there. Every loader skips the test when the shared folder is absent.
package evttest

import (
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

// Fit is one fit report of synthetic_fits.json or nn_weibull_fit.json.
type Fit struct {
	Family        string             `json:"family"`
	N             int                `json:"n"`
	Fixed         map[string]float64 `json:"fixed"`
	ScipyFit      map[string]float64 `json:"scipy_fit"`
	MLE           map[string]float64 `json:"mle"`
	LogLikAtMLE   float64            `json:"loglik_at_mle"`
	LogLikAtScipy float64            `json:"loglik_at_scipy_fit"`
	AIC           float64            `json:"aic"`
	KS            float64            `json:"ks_statistic"`
	A2            float64            `json:"anderson_darling_A2"`
	FreeParams    []string           `json:"free_params"`
	StdErr        map[string]float64 `json:"stderr_observed_information"`
	XiMLE         *float64           `json:"xi_mle"`
	File          string             `json:"file"`
	GeneratedWith struct {
		Params map[string]float64 `json:"params"`
		Seed   int                `json:"seed"`
	} `json:"generated_with"`
}

// SyntheticFits returns synthetic_fits.json keyed by family.
func SyntheticFits(t testing.TB) map[string]Fit {
	t.Helper()
	var m map[string]Fit
	ReadJSON(t, "reference/evt/synthetic_fits.json", &m)
	return m
}

// Synthetic returns the sample synthetic_<family>.csv and its reference fit.
func Synthetic(t testing.TB, family string) ([]float64, Fit) {
	t.Helper()
	ref, ok := SyntheticFits(t)[family]
	if !ok {
		t.Fatalf("synthetic_fits.json has no family %q", family)
	}
	_, cols := ReadCSV(t, "reference/evt/"+ref.File)
	return cols["x"], ref
}

// NNFits returns nn_weibull_fit.json keyed by all_500,
// quark_queries_only and gluon_queries_only.
func NNFits(t testing.TB) map[string]Fit {
	t.Helper()
	var m map[string]Fit
	ReadJSON(t, "reference/evt/nn_weibull_fit.json", &m)
	return m
}

// NNDistances returns the nearest-neighbour distances of
// nn_distances_500.csv: all 500, quark queries (label 1), gluon queries.
func NNDistances(t testing.TB) (all, quark, gluon []float64) {
	t.Helper()
	_, cols := ReadCSV(t, "reference/evt/nn_distances_500.csv")
	for i, d := range cols["nn_distance"] {
		all = append(all, d)
		if cols["label"][i] == 1 {
			quark = append(quark, d)
		} else {
			gluon = append(gluon, d)
		}
	}
	return all, quark, gluon
}

// ReadCSV reads a numeric reference CSV file (header + rows) under the
// shared folder into columns.
func ReadCSV(t testing.TB, rel string) (header []string, cols map[string][]float64) {
	t.Helper()
	f, err := os.Open(sharedtest.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	if len(rows) < 2 {
		t.Fatalf("%s: no data rows", rel)
	}
	header = rows[0]
	cols = map[string][]float64{}
	for li, row := range rows[1:] {
		for j, h := range header {
			v, err := strconv.ParseFloat(row[j], 64)
			if err != nil {
				t.Fatalf("%s line %d column %s: %v", rel, li+2, h, err)
			}
			cols[h] = append(cols[h], v)
		}
	}
	return header, cols
}

// ReadJSON decodes a reference JSON file under the shared folder.
func ReadJSON(t testing.TB, rel string, v any) {
	t.Helper()
	b, err := os.ReadFile(sharedtest.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

// ReadNPYMatrix parses a little-endian float64, C-order, 2-D .npy file
// (format version 1, 2 or 3) under the shared folder: magic, version,
// header length, a Python-dict header, then the data. Deliberately small
// and independent of core/npy.
func ReadNPYMatrix(t testing.TB, rel string) (data []float64, rows, cols int) {
	t.Helper()
	b, err := os.ReadFile(sharedtest.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 12 || string(b[1:6]) != "NUMPY" {
		t.Fatalf("%s: not a .npy file", rel)
	}
	var hlen, off int
	switch b[6] {
	case 1:
		hlen, off = int(b[8])|int(b[9])<<8, 10
	case 2, 3:
		hlen, off = int(b[8])|int(b[9])<<8|int(b[10])<<16|int(b[11])<<24, 12
	default:
		t.Fatalf("%s: npy version %d", rel, b[6])
	}
	if off+hlen > len(b) {
		t.Fatalf("%s: truncated header", rel)
	}
	header := string(b[off : off+hlen])
	if !strings.Contains(header, "'<f8'") || !strings.Contains(header, "'fortran_order': False") {
		t.Fatalf("%s: want little-endian float64 C order, header %q", rel, header)
	}
	i := strings.Index(header, "'shape': (")
	if i < 0 {
		t.Fatalf("%s: no shape in header %q", rel, header)
	}
	if _, err := fmt.Sscanf(header[i+len("'shape': ("):], "%d, %d)", &rows, &cols); err != nil {
		t.Fatalf("%s: shape in header %q: %v", rel, header, err)
	}
	raw := b[off+hlen:]
	if len(raw) != 8*rows*cols {
		t.Fatalf("%s: %d data bytes for shape (%d, %d)", rel, len(raw), rows, cols)
	}
	data = make([]float64, rows*cols)
	for i := range data {
		data[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return data, rows, cols
}

// RelErr returns |got - want| / |want| (absolute when want is 0).
func RelErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// CheckFitResult compares a fitter plugin's result with a reference fit
// report using the tolerances of README-analysis.md: MLE parameters 1e-6
// relative (GEV shape 1e-5 absolute, also xi), log-likelihood and AIC
// 1e-8 relative, standard errors 1e-3 relative. KS and A^2 are evaluated
// at the plugin's own MLE (which differs from the file's by ~1e-9), so
// they are compared to 1e-6 relative here; the 1e-10 checks at the
// file's parameters are in core/evt.
func CheckFitResult(t testing.TB, name string, got plugin.FitResult, ref Fit) {
	t.Helper()
	if !got.Converged {
		t.Fatalf("%s: not converged: %s", name, got.Message)
	}
	if got.Family != ref.Family || got.N != ref.N {
		t.Errorf("%s: family %s n %d, want %s %d", name, got.Family, got.N, ref.Family, ref.N)
	}
	est := map[string]plugin.Estimate{}
	for _, p := range got.Params {
		est[p.Name] = p
	}
	want := ref.MLE
	if ref.XiMLE != nil {
		want = map[string]float64{"xi": *ref.XiMLE}
		for k, v := range ref.MLE {
			want[k] = v
		}
	}
	for pname, w := range want {
		p, ok := est[pname]
		if !ok {
			t.Errorf("%s: no parameter %q", name, pname)
			continue
		}
		tol, e := 1e-6, RelErr(p.Value, w)
		if ref.Family == "genextreme" && (pname == "c" || pname == "xi") {
			tol, e = 1e-5, math.Abs(p.Value-w)
		}
		if !(e <= tol) {
			t.Errorf("%s: %s = %.15g, want %.15g (err %.2g > %.0g)", name, pname, p.Value, w, e, tol)
		}
		if _, fixed := ref.Fixed[pname]; fixed != p.Fixed {
			t.Errorf("%s: %s fixed = %v, reference fixed = %v", name, pname, p.Fixed, fixed)
		}
	}
	for _, pname := range ref.FreeParams {
		if e := RelErr(est[pname].StdErr, ref.StdErr[pname]); !(e <= 1e-3) {
			t.Errorf("%s: stderr(%s) = %.10g, want %.10g (err %.2g > 1e-3)", name, pname, est[pname].StdErr, ref.StdErr[pname], e)
		}
	}
	for _, c := range []struct {
		what      string
		got, want float64
		tol       float64
	}{
		{"loglik", got.LogLik, ref.LogLikAtMLE, 1e-8},
		{"AIC", got.AIC, ref.AIC, 1e-8},
		{"KS", got.KS, ref.KS, 1e-6},
		{"A2", got.AD, ref.A2, 1e-6},
	} {
		if e := RelErr(c.got, c.want); !(e <= c.tol) {
			t.Errorf("%s: %s = %.15g, want %.15g (err %.2g > %.0g)", name, c.what, c.got, c.want, e, c.tol)
		}
	}
}
