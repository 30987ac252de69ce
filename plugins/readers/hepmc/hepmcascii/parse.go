package hepmcascii

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
)

func parseInt(b []byte) (int64, error) {
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%.40q is not an integer", b)
	}
	return v, nil
}

func parseFloat(b []byte) (float64, error) {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, fmt.Errorf("%.40q is not a number", b)
	}
	return v, nil
}

// fieldParser parses successive tokens, remembering the first error.
type fieldParser struct {
	toks [][]byte
	err  error
	what string // record name, for messages
}

func (p *fieldParser) int(i int, name string) int64 { return field(p, i, name, parseInt) }

func (p *fieldParser) float(i int, name string) float64 { return field(p, i, name, parseFloat) }

// field parses token i (named name in errors) with parse, unless an
// earlier field failed; a missing or malformed token sets p.err.
func field[T int64 | float64](p *fieldParser, i int, name string, parse func([]byte) (T, error)) T {
	if p.err != nil {
		return 0
	}
	if i >= len(p.toks) {
		p.err = fmt.Errorf("%s record has %d fields, %s (field %d) is missing", p.what, len(p.toks), name, i+1)
		return 0
	}
	v, err := parse(p.toks[i])
	if err != nil {
		p.err = fmt.Errorf("%s record field %d (%s): %v", p.what, i+1, name, err)
	}
	return v
}

// count parses a non-negative count no larger than limit.
func (p *fieldParser) count(i int, name string, limit int64) int {
	v := p.int(i, name)
	if p.err == nil && (v < 0 || v > limit) {
		p.err = fmt.Errorf("%s record field %d (%s) = %d is out of range [0, %d]", p.what, i+1, name, v, limit)
	}
	return int(v)
}

func (p *fieldParser) fields(n int) {
	if p.err == nil && len(p.toks) != n {
		p.err = fmt.Errorf("%s record has %d fields, want %d", p.what, len(p.toks), n)
	}
}

// maxCount bounds particle, vertex and list counts read from a header, so
// that a corrupted count cannot trigger a huge allocation.
const maxCount = 1 << 26

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// checkMomentum rejects non-finite momenta.
func checkMomentum(p *Particle) error {
	if !finite(p.Px) || !finite(p.Py) || !finite(p.Pz) || !finite(p.E) || !finite(p.M) {
		return fmt.Errorf("particle %d (pid %d) has a non-finite momentum or mass (px, py, pz, E, m) = (%v, %v, %v, %v, %v)",
			p.ID, p.PID, p.Px, p.Py, p.Pz, p.E, p.M)
	}
	return nil
}

func pid32(v int64) (int32, error) {
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Errorf("PDG id %d does not fit in 32 bits", v)
	}
	return int32(v), nil
}

// particle completes a particle record parsed into p with PDG id pid:
// the first field error, an id beyond 32 bits or a non-finite momentum is
// the error.
func (fp *fieldParser) particle(pid int64, p *Particle) error {
	if fp.err != nil {
		return fp.err
	}
	var err error
	if p.PID, err = pid32(pid); err != nil {
		return err
	}
	return checkMomentum(p)
}

// parseParticle3 parses "P id parent pid px py pz e m status".
func parseParticle3(toks [][]byte, p *Particle) error {
	fp := fieldParser{toks: toks, what: "P"}
	fp.fields(10)
	p.ID = fp.int(1, "id")
	fp.int(2, "parent")
	pid := fp.int(3, "pid")
	p.Px = fp.float(4, "px")
	p.Py = fp.float(5, "py")
	p.Pz = fp.float(6, "pz")
	p.E = fp.float(7, "e")
	p.M = fp.float(8, "m")
	p.Status = int(fp.int(9, "status"))
	return fp.particle(pid, p)
}

// parseParticle2 parses "P barcode pid px py pz e m status theta phi
// end_vertex n_flow [code index]...".
func parseParticle2(toks [][]byte, p *Particle) error {
	fp := fieldParser{toks: toks, what: "P"}
	p.ID = fp.int(1, "barcode")
	pid := fp.int(2, "pid")
	p.Px = fp.float(3, "px")
	p.Py = fp.float(4, "py")
	p.Pz = fp.float(5, "pz")
	p.E = fp.float(6, "e")
	p.M = fp.float(7, "m")
	p.Status = int(fp.int(8, "status"))
	fp.float(9, "theta")
	fp.float(10, "phi")
	fp.int(11, "end_vertex")
	nflow := fp.count(12, "n_flow", maxCount)
	fp.fields(13 + 2*nflow)
	for i := 0; i < 2*nflow && fp.err == nil; i++ {
		fp.int(13+i, "flow")
	}
	return fp.particle(pid, p)
}

// eventState is the state both formats share while one event is read.
type eventState struct {
	inEvent bool    // the event record has been read
	num     int64   // event number (-1 before the event record)
	scale   float64 // momentum unit scale of the U record (1 for GeV)
}

// eventFormat is what readEvent needs to know of one format.
type eventFormat struct {
	end     string // the footer line ending the file
	records string // the record types, for errors
	// progress describes how far the event got, for truncation errors.
	progress func() string
	// complete checks, at the end of the event, that every announced
	// record was read.
	complete func(st *eventState) error
	// record handles one record line (single-letter type toks[0]); an E
	// record of the next event never reaches it.
	record func(st *eventState, ln int, toks [][]byte) error
}

// malformed is the error of a record line that does not parse.
func (r *Reader) malformed(ln int, st *eventState, err error) error {
	return r.errf(ln, st.num, err, "malformed record")
}

// unknownRecord is the error of a record type the format does not have.
func (r *Reader) unknownRecord(ln int, st *eventState, typ []byte, f *eventFormat) error {
	return r.errf(ln, st.num, nil, "unknown record %.40q (want %s)", typ, f.records)
}

// readEvent reads one event of either format: it skips blank lines,
// handles the footer (HepMC:: lines), ends the event at the next E
// record (pushed back for the next call) or at the footer, and passes
// every other record to f.record. At the end of the event the counts are
// checked (f.complete) and the momenta scaled to GeV.
func (r *Reader) readEvent(ev *Event, f *eventFormat) error {
	st := &eventState{num: -1, scale: 1}
	finish := func() error {
		if err := f.complete(st); err != nil {
			return err
		}
		for i := range ev.Particles {
			if st.scale != 1 {
				p := &ev.Particles[i]
				p.Px, p.Py, p.Pz, p.E, p.M = p.Px*st.scale, p.Py*st.scale, p.Pz*st.scale, p.E*st.scale, p.M*st.scale
			}
		}
		return nil
	}
	for {
		l, err := r.readLine()
		if err == io.EOF {
			if st.inEvent {
				return r.errf(r.line, st.num, ErrTruncated, "file ends inside the event begun at line %d (%s) without %s", ev.Line, f.progress(), f.end)
			}
			return r.errf(r.line, -1, ErrTruncated, "file ends without %s", f.end)
		}
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		ln := r.line
		toks := r.splitFields(l)
		if len(toks[0]) != 1 {
			if bytes.HasPrefix(l, []byte("HepMC::")) {
				done, err := r.footer(l, ln, st.num)
				if err != nil {
					return err
				}
				if !done {
					continue
				}
				if st.inEvent {
					if err := finish(); err != nil {
						return err
					}
				}
				more, err := r.afterFooter()
				if err != nil {
					return err
				}
				if !more {
					r.eof = true
				}
				if st.inEvent {
					return nil
				}
				if r.eof {
					return io.EOF
				}
				continue
			}
			return r.unknownRecord(ln, st, toks[0], f)
		}
		if toks[0][0] == 'E' && st.inEvent {
			r.unread(l, ln)
			return finish()
		}
		if err := f.record(st, ln, toks); err != nil {
			return err
		}
	}
}

// next3 reads one HepMC3 Asciiv3 event.
func (r *Reader) next3(ev *Event) error {
	npart, nread := 0, 0
	seenPV := false
	f := &eventFormat{end: end3, records: "E, U, W, A, T, V or P"}
	f.progress = func() string { return fmt.Sprintf("%d of %d particle records read", nread, npart) }
	f.complete = func(st *eventState) error {
		if nread != npart {
			return r.errf(ev.Line, st.num, nil, "event record announces %d particles, %d particle records found", npart, nread)
		}
		return nil
	}
	f.record = func(st *eventState, ln int, toks [][]byte) error {
		bad := func(err error) error { return r.malformed(ln, st, err) }
		switch toks[0][0] {
		case 'E':
			fp := fieldParser{toks: toks, what: "E"}
			st.num = fp.int(1, "event number")
			fp.count(2, "vertices", maxCount)
			npart = fp.count(3, "particles", maxCount)
			if fp.err == nil && len(toks) != 4 && (len(toks) != 9 || string(toks[4]) != "@") {
				fp.err = fmt.Errorf("E record has %d fields, want 4 or 9 (with \"@ x y z t\")", len(toks))
			}
			for i := 5; i < len(toks) && fp.err == nil; i++ {
				fp.float(i, "position")
			}
			if fp.err != nil {
				return bad(fp.err)
			}
			st.inEvent, ev.Number, ev.Line = true, st.num, ln
			r.curEvent = st.num
			if cap(r.ids) < npart+1 {
				r.ids = make([]bool, npart+1)
			} else {
				r.ids = r.ids[:npart+1]
				clear(r.ids)
			}
		case 'U':
			if !st.inEvent {
				return r.errf(ln, -1, nil, "units record outside an event")
			}
			return r.units(ln, st, toks, ev)
		case 'W':
			if !st.inEvent || seenPV {
				return nil // run info: weight names
			}
			ev.Weights = ev.Weights[:0]
			for i := 1; i < len(toks); i++ {
				w, err := parseFloat(toks[i])
				if err != nil {
					return bad(fmt.Errorf("W record field %d: %v", i+1, err))
				}
				ev.Weights = append(ev.Weights, w)
			}
		case 'A':
			if !st.inEvent || seenPV {
				return nil // run attribute
			}
			if len(toks) < 3 {
				return bad(fmt.Errorf("A record has %d fields, want at least 3 (A id name value)", len(toks)))
			}
			id, err := parseInt(toks[1])
			if err != nil {
				return bad(fmt.Errorf("A record field 2 (id): %v", err))
			}
			if id == 0 && string(toks[2]) == "signal_process_id" {
				if len(toks) != 4 {
					return bad(fmt.Errorf("signal_process_id attribute has %d fields, want 4", len(toks)))
				}
				v, err := parseInt(toks[3])
				if err != nil {
					return bad(fmt.Errorf("signal_process_id: %v", err))
				}
				ev.SignalProcessID, ev.HasSignalID = v, true
			}
		case 'T':
			return nil // tool description (run info)
		case 'V':
			if !st.inEvent {
				return r.errf(ln, -1, nil, "vertex record outside an event")
			}
			fp := fieldParser{toks: toks, what: "V"}
			if id := fp.int(1, "id"); fp.err == nil && id >= 0 {
				fp.err = fmt.Errorf("vertex id %d is not negative", id)
			}
			fp.int(2, "status")
			if fp.err == nil && len(toks) < 4 {
				fp.err = fmt.Errorf("V record has %d fields, want at least 4 (V id status [in,...])", len(toks))
			}
			if fp.err != nil {
				return bad(fp.err)
			}
			seenPV = true
		case 'P':
			if !st.inEvent {
				return r.errf(ln, -1, nil, "particle record outside an event")
			}
			var p Particle
			if err := parseParticle3(toks, &p); err != nil {
				return bad(err)
			}
			if p.ID < 1 || p.ID > int64(npart) {
				return bad(fmt.Errorf("particle id %d is outside [1, %d] (the event record announces %d particles)", p.ID, npart, npart))
			}
			if r.ids[p.ID] {
				return bad(fmt.Errorf("particle id %d appears twice", p.ID))
			}
			r.ids[p.ID] = true
			p.Line = ln
			ev.Particles = append(ev.Particles, p)
			nread++
			seenPV = true
		default:
			return r.unknownRecord(ln, st, toks[0], f)
		}
		return nil
	}
	return r.readEvent(ev, f)
}

// next2 reads one HepMC2 IO_GenEvent event.
func (r *Reader) next2(ev *Event) error {
	nvtx, vseen, remaining := 0, 0, 0
	f := &eventFormat{end: end2, records: "E, N, U, C, H, F, V or P"}
	f.progress = func() string {
		return fmt.Sprintf("%d of %d vertices read, %d particle records missing", vseen, nvtx, remaining)
	}
	f.complete = func(st *eventState) error {
		if vseen != nvtx || remaining != 0 {
			return r.errf(ev.Line, st.num, nil, "event is incomplete: %d of %d vertices, %d particle records missing after the last vertex", vseen, nvtx, remaining)
		}
		return nil
	}
	f.record = func(st *eventState, ln int, toks [][]byte) error {
		bad := func(err error) error { return r.malformed(ln, st, err) }
		if toks[0][0] != 'E' && !st.inEvent {
			return r.errf(ln, -1, nil, "%c record outside an event", toks[0][0])
		}
		switch toks[0][0] {
		case 'E':
			fp := fieldParser{toks: toks, what: "E"}
			st.num = fp.int(1, "event number")
			fp.int(2, "mpi")
			fp.float(3, "scale")
			fp.float(4, "alpha_qcd")
			fp.float(5, "alpha_qed")
			spid := fp.int(6, "signal_process_id")
			fp.int(7, "signal_vertex")
			nvtx = fp.count(8, "vertices", maxCount)
			fp.int(9, "beam1")
			fp.int(10, "beam2")
			nrand := fp.count(11, "n_random", maxCount)
			for i := 0; i < nrand && fp.err == nil; i++ {
				fp.int(12+i, "random state")
			}
			nw := fp.count(12+nrand, "n_weights", maxCount)
			fp.fields(13 + nrand + nw)
			if fp.err != nil {
				return bad(fp.err)
			}
			for i := 0; i < nw; i++ {
				w, err := parseFloat(toks[13+nrand+i])
				if err != nil {
					return bad(fmt.Errorf("E record weight %d: %v", i, err))
				}
				ev.Weights = append(ev.Weights, w)
			}
			st.inEvent, ev.Number, ev.Line = true, st.num, ln
			r.curEvent = st.num
			ev.SignalProcessID, ev.HasSignalID = spid, true
		case 'N', 'C', 'H', 'F':
			if remaining != 0 || vseen > 0 {
				return bad(fmt.Errorf("%c record after the vertices of the event", toks[0][0]))
			}
		case 'U':
			return r.units(ln, st, toks, ev)
		case 'V':
			if remaining != 0 {
				return bad(fmt.Errorf("vertex record while %d particle records of the previous vertex are missing", remaining))
			}
			if vseen == nvtx {
				return bad(fmt.Errorf("more vertex records than the %d announced by the event record", nvtx))
			}
			fp := fieldParser{toks: toks, what: "V"}
			fp.int(1, "barcode")
			fp.int(2, "id")
			for i := 3; i < 7; i++ {
				fp.float(i, "position")
			}
			norph := fp.count(7, "n_orphan_in", maxCount)
			nout := fp.count(8, "n_out", maxCount)
			nw := fp.count(9, "n_weights", maxCount)
			fp.fields(10 + nw)
			for i := 0; i < nw && fp.err == nil; i++ {
				fp.float(10+i, "weight")
			}
			if fp.err != nil {
				return bad(fp.err)
			}
			vseen++
			remaining = norph + nout
		case 'P':
			if remaining == 0 {
				return bad(fmt.Errorf("particle record not announced by a vertex record"))
			}
			var p Particle
			if err := parseParticle2(toks, &p); err != nil {
				return bad(err)
			}
			p.Line = ln
			ev.Particles = append(ev.Particles, p)
			remaining--
		default:
			return r.unknownRecord(ln, st, toks[0], f)
		}
		return nil
	}
	return r.readEvent(ev, f)
}

// units parses a U record (both formats): "U momentum_unit length_unit".
func (r *Reader) units(ln int, st *eventState, toks [][]byte, ev *Event) error {
	if len(toks) != 3 {
		return r.malformed(ln, st, fmt.Errorf("U record has %d fields, want 3", len(toks)))
	}
	s, ok := momentumScale(toks[1])
	if !ok {
		return r.malformed(ln, st, fmt.Errorf("unknown momentum unit %.20q (want GEV or MEV)", toks[1]))
	}
	st.scale, ev.MomentumUnit = s, string(toks[1])
	return nil
}
