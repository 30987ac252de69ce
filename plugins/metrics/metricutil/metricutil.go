// Package metricutil holds the code every built-in metric plugin
// (plugins/metrics/*) needs around its distance: stripping the host's
// metric parameters, checking the jets handed to Prepare, validating the
// arguments of plugin.Space.Block and Pairs, and filling a symmetric tile
// or a list of pairs from a per-pair distance function.
//
// Error messages start with the metric's name ("emd: ...") so that they
// read as the plugin's own.
package metricutil

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
)

// OwnParams returns the parameters without the host's metric parameters
// (plugin.KindSpecs[plugin.KindMetric].HostParams), which the engine may
// pass along and which are not the plugin's to validate.
func OwnParams(p plugin.Params) map[string]any {
	host := plugin.KindSpecs[plugin.KindMetric].HostParams
	out := make(map[string]any, len(p))
	for k, v := range p {
		if _, isHost := host.Lookup(k); !isHost {
			out[k] = v
		}
	}
	return out
}

// CheckJets returns an error, prefixed with the metric's name, when the
// jets of a plugin.MetricRequest are nil or invalid (jet.Jets.Validate).
func CheckJets(name string, js *jet.Jets) error {
	if js == nil {
		return fmt.Errorf("%s: no jets", name)
	}
	if err := js.Validate(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// CheckBlock validates the arguments of plugin.Space.Block for a space of
// n jets: both ranges inside [0, n) and len(out) = rows.Len()*cols.Len().
func CheckBlock(name string, n int, rows, cols plugin.Range, out []float64) error {
	for _, r := range []struct {
		what string
		r    plugin.Range
	}{{"row", rows}, {"column", cols}} {
		if r.r.Lo < 0 || r.r.Hi < r.r.Lo || r.r.Hi > n {
			return fmt.Errorf("%s: %s range [%d, %d) is outside [0, %d)", name, r.what, r.r.Lo, r.r.Hi, n)
		}
	}
	if len(out) != rows.Len()*cols.Len() {
		return fmt.Errorf("%s: output has %d values for a %d×%d tile", name, len(out), rows.Len(), cols.Len())
	}
	return nil
}

// CheckPairs validates the arguments of plugin.Space.Pairs for a space of
// n jets: i, j and out of one length, every index inside [0, n).
func CheckPairs(name string, n int, i, j []int32, out []float64) error {
	if len(i) != len(j) || len(out) != len(i) {
		return fmt.Errorf("%s: Pairs got %d rows, %d columns and %d outputs", name, len(i), len(j), len(out))
	}
	for k := range i {
		if i[k] < 0 || int(i[k]) >= n || j[k] < 0 || int(j[k]) >= n {
			return fmt.Errorf("%s: pair %d (%d, %d) is outside [0, %d)", name, k, i[k], j[k], n)
		}
	}
	return nil
}

// SymmetricBlock fills out (row-major, rows.Len()*cols.Len() values, as
// checked by CheckBlock) with dist(i, j) for i in rows and j in cols.
// Where the tile straddles the diagonal, each unordered pair is evaluated
// once, as dist(lower, higher) when both orders lie in the tile, and
// mirrored: dist must be symmetric.
//
// Columns are swept chunk at a time across all rows, so that the per-jet
// state of a chunk of columns stays in cache; chunk <= 0 sweeps all
// columns at once (row by row). ctx is checked once per row and chunk.
// The first error of dist is returned.
func SymmetricBlock(ctx context.Context, rows, cols plugin.Range, out []float64, chunk int, dist func(i, j int) (float64, error)) error {
	nc := cols.Len()
	if chunk <= 0 {
		chunk = max(nc, 1)
	}
	// (i, j) with j < i is mirrored from (j, i) when that is in the tile.
	mirrored := func(i, j int) bool { return j < i && j >= rows.Lo && j < rows.Hi && i >= cols.Lo && i < cols.Hi }
	for c0 := cols.Lo; c0 < cols.Hi; c0 += chunk {
		c1 := min(c0+chunk, cols.Hi)
		for i := rows.Lo; i < rows.Hi; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			row := out[(i-rows.Lo)*nc : (i-rows.Lo+1)*nc]
			for j := c0; j < c1; j++ {
				if mirrored(i, j) {
					continue
				}
				d, err := dist(i, j)
				if err != nil {
					return err
				}
				row[j-cols.Lo] = d
			}
		}
	}
	for i := max(rows.Lo, cols.Lo); i < rows.Hi; i++ {
		for j := max(rows.Lo, cols.Lo); j < min(i, cols.Hi); j++ {
			if mirrored(i, j) {
				out[(i-rows.Lo)*nc+j-cols.Lo] = out[(j-rows.Lo)*nc+i-cols.Lo]
			}
		}
	}
	return nil
}

// FillPairs writes dist(i[k], j[k]) into out[k] for every k (arguments as
// checked by CheckPairs), checking ctx before pair 0 and then every
// `every` pairs (every <= 0: only before pair 0). The first error of dist
// is returned.
func FillPairs(ctx context.Context, i, j []int32, out []float64, every int, dist func(i, j int) (float64, error)) error {
	if every <= 0 {
		every = max(len(i), 1)
	}
	for k := range i {
		if k%every == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		d, err := dist(int(i[k]), int(j[k]))
		if err != nil {
			return err
		}
		out[k] = d
	}
	return nil
}
