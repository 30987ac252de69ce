// Package hepmcascii is a streaming reader for the two HepMC ASCII event
// formats in use: HepMC2 IO_GenEvent ("HepMC::IO_GenEvent-START_EVENT_LISTING")
// and HepMC3 Asciiv3 ("HepMC::Asciiv3-START_EVENT_LISTING"), plain or
// gzip-compressed (detected from the magic bytes). The format is detected
// from the header.
//
// The reader keeps one event in memory at a time. For each event it returns
// the event number, the signal process id, the weights and every particle's
// id, PDG id, four-momentum, generated mass and status, in GeV whatever the
// file's momentum unit. It does not rebuild the vertex graph: vertex
// records are checked for their structure only.
//
// It is strict, so that a damaged file never silently gives a shorter or
// wrong dataset: every malformed record, a particle count that disagrees
// with the event header, non-finite momenta, and a file that ends without
// its END_EVENT_LISTING footer (a truncated file) are errors that name the
// file, the line and the event.
package hepmcascii

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
)

// Format is a HepMC ASCII flavour.
type Format int

// The supported formats.
const (
	HepMC2 Format = 2 // IO_GenEvent
	HepMC3 Format = 3 // Asciiv3
)

// String names the format.
func (f Format) String() string {
	switch f {
	case HepMC2:
		return "HepMC2 IO_GenEvent"
	case HepMC3:
		return "HepMC3 Asciiv3"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Header and footer keys.
const (
	keyVersion = "HepMC::Version"
	start2     = "HepMC::IO_GenEvent-START_EVENT_LISTING"
	end2       = "HepMC::IO_GenEvent-END_EVENT_LISTING"
	start3     = "HepMC::Asciiv3-START_EVENT_LISTING"
	end3       = "HepMC::Asciiv3-END_EVENT_LISTING"
)

// Particle is one particle record. Momenta are in GeV.
type Particle struct {
	ID     int64 // HepMC3 particle id (1..N) or HepMC2 barcode
	PID    int32 // PDG id
	Px, Py float64
	Pz, E  float64
	M      float64 // generated mass
	Status int
	Line   int // line number in the file (1-based)
}

// Event is one event. Its slices are reused by the next call to Next.
type Event struct {
	Number          int64 // event number from the E record
	Index           int   // position of the event in the file, from 0
	Line            int   // line of the E record
	SignalProcessID int64 // HepMC2 E record field; HepMC3 attribute signal_process_id
	HasSignalID     bool  // false for HepMC3 events without the attribute
	Weights         []float64
	MomentumUnit    string // "GEV" or "MEV" as given in the file (momenta are converted to GeV)
	Particles       []Particle
}

// Error is a problem with the input, located by file, line and event.
type Error struct {
	File  string
	Line  int   // 0 when not known
	Event int64 // event number, -1 outside an event
	Msg   string
	Err   error // underlying error, if any
}

func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	if e.Event >= 0 {
		s += fmt.Sprintf(" (event %d)", e.Event)
	}
	s += ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ErrTruncated is wrapped by the errors that report a file ending early.
var ErrTruncated = errors.New("file is truncated")

// Reader reads events from a HepMC ASCII stream.
type Reader struct {
	name   string
	closer io.Closer
	br     *bufio.Reader
	format Format

	line    int    // number of the last line read
	pending []byte // a line read ahead (the next event's E record)
	pendLn  int
	eof     bool // the footer was seen
	// curEvent is the number of the event being read (-1 between events),
	// for errors of the underlying stream.
	curEvent int64
	events   int
	toks     [][]byte
	ids      []bool // HepMC3 particle ids seen in the current event
	lineBuf  []byte

	// Version is the HepMC::Version string of the header, if any.
	Version string
}

// MaxLineBytes bounds the length of one line (attribute lines can be long).
const MaxLineBytes = 64 << 20

// Open opens a HepMC file (plain or gzip) and reads its header.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := NewReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = multiCloser{r.closer, f}
	return r, nil
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var first error
	for _, c := range m {
		if c == nil {
			continue
		}
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// NewReader reads the header of a HepMC stream; name is used in errors.
// A gzip stream (magic bytes 1f 8b) is decompressed transparently.
func NewReader(in io.Reader, name string) (*Reader, error) {
	br := bufio.NewReaderSize(in, 1<<16)
	r := &Reader{name: name, curEvent: -1}
	magic, err := br.Peek(2)
	if err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, r.errf(0, -1, err, "bad gzip stream")
		}
		r.closer = zr
		br = bufio.NewReaderSize(zr, 1<<16)
	}
	r.br = br
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	return r, nil
}

// Format reports the detected format.
func (r *Reader) Format() Format { return r.format }

// Name returns the name used in errors.
func (r *Reader) Name() string { return r.name }

// Close releases the decompressor and the file opened by Open.
func (r *Reader) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

func (r *Reader) errf(line int, event int64, err error, format string, args ...any) *Error {
	return &Error{File: r.name, Line: line, Event: event, Msg: fmt.Sprintf(format, args...), Err: err}
}

// readLine returns the next line without its end-of-line, or io.EOF.
// The slice is valid until the next call.
func (r *Reader) readLine() ([]byte, error) {
	if r.pending != nil {
		l := r.pending
		r.pending = nil
		r.line = r.pendLn
		return l, nil
	}
	r.lineBuf = r.lineBuf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			r.lineBuf = append(r.lineBuf, chunk...)
			if len(r.lineBuf) > MaxLineBytes {
				return nil, r.errf(r.line+1, r.curEvent, nil, "line longer than %d bytes", MaxLineBytes)
			}
			continue
		}
		if err != nil && err != io.EOF {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, r.errf(r.line+1, r.curEvent, ErrTruncated, "compressed stream ends early (%v)", err)
			}
			return nil, r.errf(r.line+1, r.curEvent, err, "read error")
		}
		if len(chunk) == 0 && len(r.lineBuf) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		var l []byte
		if len(r.lineBuf) > 0 {
			r.lineBuf = append(r.lineBuf, chunk...)
			l = r.lineBuf
		} else {
			l = chunk
		}
		r.line++
		l = bytes.TrimRight(l, "\r\n")
		return l, nil
	}
}

// unread keeps a line (copied) to be returned by the next readLine.
func (r *Reader) unread(l []byte, line int) {
	r.pending = append(r.pending[:0:0], l...)
	r.pendLn = line
}

func (r *Reader) readHeader() error {
	for {
		l, err := r.readLine()
		if err == io.EOF {
			return r.errf(r.line, -1, ErrTruncated, "no HepMC event listing header (%s or %s) found", start2, start3)
		}
		if err != nil {
			return err
		}
		s := string(bytes.TrimSpace(l))
		switch {
		case s == "":
			continue
		case bytes.HasPrefix(l, []byte(keyVersion)):
			r.Version = string(bytes.TrimSpace(l[len(keyVersion):]))
			continue
		case s == start2:
			r.format = HepMC2
			return nil
		case s == start3:
			r.format = HepMC3
			return nil
		case bytes.HasPrefix(l, []byte("HepMC::")):
			return r.errf(r.line, -1, nil, "unsupported HepMC listing %q (supported: %s, %s)", s, start2, start3)
		}
		return r.errf(r.line, -1, nil, "not a HepMC2 or HepMC3 ASCII file: first line %.60q", s)
	}
}

// Next reads the next event into ev. It returns io.EOF after the last
// event, once the END_EVENT_LISTING footer has been read; any other
// problem is an *Error.
func (r *Reader) Next(ev *Event) error {
	if r.eof {
		return io.EOF
	}
	ev.Particles = ev.Particles[:0]
	ev.Weights = ev.Weights[:0]
	ev.SignalProcessID, ev.HasSignalID = 0, false
	ev.MomentumUnit = "GEV"
	var err error
	r.curEvent = -1
	if r.format == HepMC2 {
		err = r.next2(ev)
	} else {
		err = r.next3(ev)
	}
	r.curEvent = -1
	if err == nil {
		ev.Index = r.events
		r.events++
	}
	return err
}

// splitFields splits a line on blanks into r.toks (slices of l).
func (r *Reader) splitFields(l []byte) [][]byte {
	r.toks = r.toks[:0]
	i := 0
	for i < len(l) {
		for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
			i++
		}
		j := i
		for j < len(l) && l[j] != ' ' && l[j] != '\t' {
			j++
		}
		if j > i {
			r.toks = append(r.toks, l[i:j])
		}
		i = j
	}
	return r.toks
}

// footer handles a "HepMC::" line met while reading events: the format's
// footer ends the listing, a new header of the same format (concatenated
// files) continues it.
func (r *Reader) footer(l []byte, ln int, event int64) (done bool, err error) {
	s := string(bytes.TrimSpace(l))
	end, start := end2, start2
	if r.format == HepMC3 {
		end, start = end3, start3
	}
	switch {
	case s == end:
		return true, nil
	case s == start || bytes.HasPrefix(l, []byte(keyVersion)):
		return false, nil
	}
	return false, r.errf(ln, event, nil, "unexpected line %.80q in a %s listing", s, r.format)
}

// afterFooter checks that only blank lines or a new listing follow a
// footer. It returns true when a new listing of the same format starts.
func (r *Reader) afterFooter() (bool, error) {
	start := start2
	if r.format == HepMC3 {
		start = start3
	}
	for {
		l, err := r.readLine()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		s := string(bytes.TrimSpace(l))
		switch {
		case s == "" || bytes.HasPrefix(l, []byte(keyVersion)):
			continue
		case s == start:
			return true, nil
		}
		return false, r.errf(r.line, -1, nil, "unexpected line %.80q after the end of the event listing", s)
	}
}

// momentumScale returns the factor converting the unit to GeV.
func momentumScale(unit []byte) (float64, bool) {
	switch string(unit) {
	case "GEV":
		return 1, true
	case "MEV":
		return 1e-3, true
	}
	return 0, false
}
