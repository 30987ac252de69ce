package csv

import (
	"bytes"
	"io"
	"math"
	"testing"
)

// FuzzParse feeds arbitrary files to the parser (seeds in
// testdata/fuzz/FuzzParse; run with go test -run X -fuzz=FuzzParse
// ./plugins/readers/csv). Nothing may panic; a file that parses gives
// non-empty jets with finite values and 0/1 labels, one particle per row.
func FuzzParse(f *testing.F) {
	f.Add([]byte(head+"0,10,0.5,1,22,1\n0,5,-0.5,2,-211,1\n1,7,0,3,2112,0\n"), 2, false)
	f.Add([]byte("jet_index,pt,rapidity,phi,pid,label,weight,x\r\n3,1,2,3,4,0,0.5,z\r\n"), 1, true)
	f.Fuzz(func(t *testing.T, data []byte, batch int, ignore bool) {
		batch = 1 + (batch&0xff)%16
		p, err := NewParser(bytes.NewReader(data), "fuzz.csv", ignore)
		if err != nil {
			return
		}
		particles := 0
		for {
			j, err := p.Next(batch)
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
			if j.Len() == 0 || j.Len() > batch {
				t.Fatalf("batch of %d jets for batch size %d", j.Len(), batch)
			}
			for i := 0; i < j.Len(); i++ {
				if j.Multiplicity(i) == 0 || (j.Label[i] != 0 && j.Label[i] != 1) {
					t.Fatalf("jet %d: %d particles, label %d", i, j.Multiplicity(i), j.Label[i])
				}
			}
			for k := range j.Pt {
				if math.IsNaN(j.Pt[k]+j.Y[k]+j.Phi[k]) || math.IsInf(j.Pt[k], 0) || math.IsInf(j.Y[k], 0) || math.IsInf(j.Phi[k], 0) {
					t.Fatal("non-finite value parsed")
				}
			}
			particles += j.NumParticles()
		}
		if want := p.line - 1; particles != want {
			t.Fatalf("%d particles from %d data lines", particles, want)
		}
	})
}
