package csv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
)

// Columns are the required columns of a particle CSV; "weight" is optional.
var Columns = []string{"jet_index", "pt", "rapidity", "phi", "pid", "label"}

const (
	colJet = iota
	colPt
	colY
	colPhi
	colPID
	colLabel
	colWeight
	nKnown
)

var knownNames = append(append([]string(nil), Columns...), "weight")

// Parser reads jets from a particle CSV: a header line naming the columns
// (any order), then one row per particle with the rows of a jet contiguous
// and jet_index increasing from jet to jet. It is exported for the fuzz
// test and for tools; the plugin uses it through Read.
type Parser struct {
	name   string
	r      *bufio.Reader
	line   int // number of the last line read
	pos    [nKnown]int
	ncols  int
	fields [][]byte
	long   []byte // buffer for lines longer than the reader's buffer
	eof    bool

	// the jet being read
	have      bool
	cur       int64
	curLabel  int8
	curWeight float64
	curLine   int
	pt, y     []float64
	phi       []float64
	pid       []int32
}

// NewParser reads the header of a particle CSV. name is used in errors
// (FILE:LINE). With ignoreExtra, columns other than the known ones are
// ignored; otherwise they are an error.
func NewParser(r io.Reader, name string, ignoreExtra bool) (*Parser, error) {
	p := &Parser{name: name, r: bufio.NewReaderSize(r, 1<<16)}
	line, err := p.readLine()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file (no header line %s)", name, strings.Join(Columns, ","))
	}
	if err != nil {
		return nil, err
	}
	line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")) // UTF-8 byte-order mark
	for i := range p.pos {
		p.pos[i] = -1
	}
	names := bytes.Split(line, []byte(","))
	p.ncols = len(names)
	for i, raw := range names {
		n := strings.TrimSpace(string(raw))
		k := -1
		for j, kn := range knownNames {
			if n == kn {
				k = j
			}
		}
		switch {
		case k >= 0 && p.pos[k] >= 0:
			return nil, fmt.Errorf("%s:1: column %q appears twice in the header", name, n)
		case k >= 0:
			p.pos[k] = i
		case !ignoreExtra:
			hint := ""
			if s := plugin.Suggest(n, knownNames); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			return nil, fmt.Errorf("%s:1: unknown column %q%s; the columns are %s and optionally weight (set extra_columns: ignore to skip others)",
				name, n, hint, strings.Join(Columns, ", "))
		}
	}
	for k, c := range Columns {
		if p.pos[k] < 0 {
			return nil, fmt.Errorf("%s:1: missing column %q (header: %s; need %s)", name, c, strings.TrimSpace(string(line)), strings.Join(Columns, ","))
		}
	}
	p.fields = make([][]byte, 0, p.ncols)
	return p, nil
}

// readLine returns the next line without its end-of-line. A last line
// without '\n' is an error (a truncated file).
func (p *Parser) readLine() ([]byte, error) {
	if p.eof {
		return nil, io.EOF
	}
	b, err := p.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		p.long = append(p.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = p.r.ReadSlice('\n')
			p.long = append(p.long, b...)
		}
		b = p.long
	}
	if err == io.EOF {
		p.eof = true
		if len(b) == 0 {
			return nil, io.EOF
		}
		p.line++
		return nil, fmt.Errorf("%s:%d: the last line has no end-of-line (truncated file?): %q", p.name, p.line, clip(b))
	}
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %w", p.name, p.line+1, err)
	}
	p.line++
	b = b[:len(b)-1]
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b, nil
}

func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}

// Next returns the next batch of at most batch complete jets, or nil,
// io.EOF once the file is exhausted. Jets are not validated beyond what
// parsing needs (numbers finite, labels 0/1); pt > 0 is left to
// jet.Validate.
func (p *Parser) Next(batch int) (*jet.Jets, error) {
	batch = max(batch, 1)
	out := &jet.Jets{}
	for out.Len() < batch {
		line, err := p.readLine()
		if err == io.EOF {
			if p.have {
				p.flush(out)
			}
			break
		}
		if err != nil {
			return nil, err
		}
		if err := p.row(line, out); err != nil {
			return nil, err
		}
	}
	if out.Len() == 0 {
		return nil, io.EOF
	}
	return out, nil
}

func (p *Parser) flush(out *jet.Jets) {
	out.Append(p.pt, p.y, p.phi, p.pid, p.curLabel, p.curWeight)
	p.pt, p.y, p.phi, p.pid = p.pt[:0], p.y[:0], p.phi[:0], p.pid[:0]
	p.have = false
}

func (p *Parser) errf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: "+format, append([]any{p.name, p.line}, args...)...)
}

// row parses one particle row; a row starting a new jet first completes
// the current one into out.
func (p *Parser) row(line []byte, out *jet.Jets) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return p.errf("empty line")
	}
	p.fields = p.fields[:0]
	for {
		i := bytes.IndexByte(line, ',')
		if i < 0 {
			p.fields = append(p.fields, line)
			break
		}
		p.fields = append(p.fields, line[:i])
		line = line[i+1:]
	}
	if len(p.fields) != p.ncols {
		return p.errf("%d fields but the header has %d columns", len(p.fields), p.ncols)
	}
	f := func(k int) []byte { return bytes.TrimSpace(p.fields[p.pos[k]]) }

	idx, err := strconv.ParseInt(string(f(colJet)), 10, 64)
	if err != nil {
		return p.errf("column jet_index: %q is not an integer", f(colJet))
	}
	var vals [3]float64
	for k, c := range [3]int{colPt, colY, colPhi} {
		s := f(c)
		v, err := strconv.ParseFloat(string(s), 64)
		if err != nil {
			return p.errf("column %s: %q is not a number", knownNames[c], s)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return p.errf("column %s: %s is not a finite number", knownNames[c], s)
		}
		vals[k] = v
	}
	pid, err := parseInteger(f(colPID), math.MinInt32, math.MaxInt32)
	if err != nil {
		return p.errf("column pid: %q is not an integer PDG id", f(colPID))
	}
	lab, err := parseInteger(f(colLabel), 0, 1)
	if err != nil {
		return p.errf("column label: %q is neither 0 (gluon) nor 1 (quark)", f(colLabel))
	}
	w := 1.0
	if p.pos[colWeight] >= 0 {
		s := f(colWeight)
		w, err = strconv.ParseFloat(string(s), 64)
		if err != nil || math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			return p.errf("column weight: %q is not a finite non-negative number", s)
		}
	}
	if p.have && idx != p.cur {
		if idx < p.cur {
			return p.errf("jet_index %d after %d goes backwards: the rows of a jet must be contiguous and jets in increasing jet_index order", idx, p.cur)
		}
		p.flush(out)
	}
	if !p.have {
		p.have, p.cur, p.curLabel, p.curWeight, p.curLine = true, idx, int8(lab), w, p.line
	} else {
		if int8(lab) != p.curLabel {
			return p.errf("label changes from %d to %d within jet %d (which starts on line %d)", p.curLabel, lab, idx, p.curLine)
		}
		if w != p.curWeight {
			return p.errf("weight changes from %v to %v within jet %d (which starts on line %d)", p.curWeight, w, idx, p.curLine)
		}
	}
	p.pt = append(p.pt, vals[0])
	p.y = append(p.y, vals[1])
	p.phi = append(p.phi, vals[2])
	p.pid = append(p.pid, int32(pid))
	return nil
}

// parseInteger accepts "22" or an integral float such as "22.0".
func parseInteger(s []byte, lo, hi int64) (int64, error) {
	if v, err := strconv.ParseInt(string(s), 10, 64); err == nil {
		if v < lo || v > hi {
			return 0, fmt.Errorf("out of range")
		}
		return v, nil
	}
	v, err := strconv.ParseFloat(string(s), 64)
	if err != nil || v != math.Trunc(v) || v < float64(lo) || v > float64(hi) {
		return 0, fmt.Errorf("not an integer")
	}
	return int64(v), nil
}
