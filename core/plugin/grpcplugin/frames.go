package grpcplugin

import (
	"errors"
	"fmt"
	"math"
	"sync"

	pb "github.com/smearflow/smearflow/core/plugin/proto"
	"google.golang.org/protobuf/proto"
)

const (
	// ChunkSize is the largest number of message bytes carried by one
	// Frame of the Call stream.
	ChunkSize = 1 << 20
	// MaxGRPCMessageSize is the gRPC send and receive limit set on both
	// sides. Frames stay far below it (ChunkSize plus a few bytes); the
	// limit is raised anyway so that a future unchunked message or a plugin
	// written in another language with bigger frames still gets through.
	MaxGRPCMessageSize = 64 << 20
	// maxMessageSize is protobuf's limit on one serialised message.
	maxMessageSize = math.MaxInt32
)

// errProtocol marks a malformed exchange (a bug on one side or a peer
// speaking another protocol), as opposed to an error of the plugin.
var errProtocol = errors.New("plugin protocol error")

// frameSender serialises the frames sent on one stream: progress reports
// may come from any goroutine of the plugin while responses are sent.
type frameSender struct {
	mu     sync.Mutex
	send   func(*pb.Frame) error
	closed bool
}

var errStreamClosed = errors.New("the call has ended")

func (s *frameSender) frame(f *pb.Frame) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errStreamClosed
	}
	return s.send(f)
}

// close makes later sends (a stray progress report from a goroutine that
// outlived its call) fail instead of touching a finished stream.
func (s *frameSender) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// message serialises m and sends it in chunks of at most ChunkSize bytes.
// head, if non-nil, is the first frame, completed with the first chunk
// (the host puts the plugin, method and deadline there).
func (s *frameSender) message(m proto.Message, head *pb.Frame) error {
	size := proto.Size(m)
	if size > maxMessageSize {
		return fmt.Errorf("message of %d bytes exceeds protobuf's 2 GiB limit; send less data per call", size)
	}
	// gRPC serialises each frame before Send returns, so the buffer can be
	// reused for the next message: pooling it spares allocating and
	// zeroing megabytes per call.
	bp := marshalBuffers.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledBuffer {
			marshalBuffers.Put(bp)
		}
	}()
	data, err := proto.MarshalOptions{UseCachedSize: true}.MarshalAppend((*bp)[:0], m)
	if err != nil {
		return fmt.Errorf("encode %T: %w", m, err)
	}
	*bp = data
	f := head
	if f == nil {
		f = &pb.Frame{}
	}
	f.Size = uint64(len(data))
	for {
		n := min(len(data), ChunkSize)
		f.Chunk, f.Last = data[:n], n == len(data)
		if err := s.frame(f); err != nil {
			return transportError{err}
		}
		data = data[n:]
		if len(data) == 0 {
			return nil
		}
		f = &pb.Frame{}
	}
}

// maxPooledBuffer is the largest marshal buffer kept for reuse.
const maxPooledBuffer = 64 << 20

var marshalBuffers = sync.Pool{New: func() any { return new([]byte) }}

// assembler rebuilds messages from the chunk frames of a stream.
type assembler struct {
	buf  []byte
	want uint64
	open bool
}

// add takes one chunk frame and returns the message it completes, if any.
func (a *assembler) add(f *pb.Frame) (msg []byte, done bool, err error) {
	if !a.open {
		if f.Size > maxMessageSize {
			return nil, false, fmt.Errorf("%w: announced message of %d bytes exceeds 2 GiB", errProtocol, f.Size)
		}
		if f.Last { // the common case: a message in one frame, no copy
			if uint64(len(f.Chunk)) != f.Size {
				return nil, false, fmt.Errorf("%w: message of %d bytes announced, %d received", errProtocol, f.Size, len(f.Chunk))
			}
			return f.Chunk, true, nil
		}
		a.buf, a.want, a.open = make([]byte, 0, f.Size), f.Size, true
	}
	if uint64(len(a.buf)+len(f.Chunk)) > a.want {
		return nil, false, fmt.Errorf("%w: message longer than the %d bytes announced", errProtocol, a.want)
	}
	a.buf = append(a.buf, f.Chunk...)
	if !f.Last {
		return nil, false, nil
	}
	msg, a.buf, a.open = a.buf, nil, false
	if uint64(len(msg)) != a.want {
		return nil, false, fmt.Errorf("%w: message of %d bytes announced, %d received", errProtocol, a.want, len(msg))
	}
	return msg, true, nil
}

// midMessage reports whether a message was started and not finished.
func (a *assembler) midMessage() bool { return a.open }
