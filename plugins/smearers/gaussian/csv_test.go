package gaussian

import (
	"testing"

	"github.com/smearflow/smearflow/core/neighbors/neighborstest"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore/smeartest"
)

func smeartestCSV(t *testing.T, file string) map[string][]float64 {
	tb := neighborstest.CSV(t, smeartest.Dir+file)
	out := map[string][]float64{}
	for _, h := range tb.Header {
		out[h] = tb.Col(t, h)
	}
	return out
}
